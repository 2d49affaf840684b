/**
 * A growable protobuf writer: just the wire forms OTLP needs (varint, fixed32, fixed64,
 * length-delimited). A nested message is written behind a gap for its length, filled in (and
 * the message moved back over what the gap did not need) once it is done, so no message is
 * encoded twice to learn its size.
 */
export class WireWriter {
  #buf = Buffer.allocUnsafe(1024);
  #pos = 0;

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }

  #varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.#room(10);
    while (v >= 0x80n) {
      this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#pos++] = Number(v);
  }

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  /** A varint field (uint32, int64 two's complement, enum, bool); proto3 skips zeros. */
  uint(field: number, value: bigint | number | boolean, always = false): void {
    const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
    if (!always && (v === 0 || v === 0n)) return;
    this.#tag(field, 0);
    this.#varint(v);
  }

  fixed32(field: number, value: number): void {
    if (value === 0) return;
    this.#tag(field, 5);
    this.#room(4);
    this.#buf.writeUInt32LE(value >>> 0, this.#pos);
    this.#pos += 4;
  }

  fixed64(field: number, value: bigint): void {
    if (value === 0n) return;
    this.#tag(field, 1);
    this.#room(8);
    this.#buf.writeBigUInt64LE(BigInt.asUintN(64, value), this.#pos);
    this.#pos += 8;
  }

  double(field: number, value: number, always = false): void {
    if (!always && value === 0) return;
    this.#tag(field, 1);
    this.#room(8);
    this.#buf.writeDoubleLE(value, this.#pos);
    this.#pos += 8;
  }

  bytes(field: number, value: Uint8Array, always = false): void {
    if (!always && value.length === 0) return;
    this.#tag(field, 2);
    this.#varint(value.length);
    this.#room(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  string(field: number, value: string, always = false): void {
    if (!always && value === "") return;
    this.bytes(field, Buffer.from(value, "utf8"), true);
  }

  /** A nested message, written by `body`; present even when empty (an empty message is a value). */
  message(field: number, body: () => void): void {
    this.#tag(field, 2);
    // Room for the longest length varint; the body moves back over what the real one leaves.
    this.#room(5);
    const at = this.#pos;
    this.#pos += 5;
    body();
    const length = this.#pos - at - 5;
    let size = 1;
    while (length >= 2 ** (7 * size)) size++;
    if (size < 5) this.#buf.copyWithin(at + size, at + 5, this.#pos);
    this.#pos -= 5 - size;
    let rest = length;
    for (let i = 0; i < size; i++) {
      this.#buf[at + i] = (rest & 0x7f) | (i < size - 1 ? 0x80 : 0);
      rest = Math.floor(rest / 128);
    }
  }

  finish(): Uint8Array {
    return new Uint8Array(this.#buf.subarray(0, this.#pos));
  }
}

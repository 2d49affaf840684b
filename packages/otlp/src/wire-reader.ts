import { OtlpDecodeError } from "./errors.ts";
import { cachedString } from "./string-cache.ts";

/**
 * Node's native Buffer slicers, behind `toString(encoding, start, end)`, whose JS wrapper
 * (argument checks, encoding lookup) cost as much as the decoding itself in profiles. They are
 * undocumented, so their presence is checked (protobufjs uses `utf8Slice` the same way).
 */
interface NativeSlices {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}
const proto = Buffer.prototype as unknown as Partial<NativeSlices>;
const NATIVE =
  typeof proto.utf8Slice === "function" &&
  typeof proto.hexSlice === "function" &&
  typeof proto.base64Slice === "function";

/** Protobuf wire types. Groups (3, 4) are proto2-only and never appear in OTLP. */
export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const WIRE_NAMES = ["varint", "fixed64", "length-delimited", "start group", "end group", "fixed32"];
const TWO_32 = 4294967296;
/** `hi` below this means the 64-bit value is below 2^53, so exact as a number. */
const SAFE_HI = 0x200000;

/**
 * A bounds-checked cursor over one protobuf body. Every read is checked against `end`, the
 * end of the message being read (not of the body), so a field that runs past its enclosing
 * message is reported instead of silently reading the next one. `message` and `field` name
 * what is being read, only for error messages.
 */
export class WireReader {
  readonly bytes: Buffer;
  readonly #view: DataView;
  readonly #utf8: (start: number, end: number) => string;
  pos = 0;
  end: number;
  message: string;
  field = 0;
  wireType = 0;

  constructor(body: Uint8Array, message: string) {
    // Buffer's native slicing is the fastest way measured here to turn bytes into text:
    // utf8 ~80 ns per short string against ~130 ns for TextDecoder; hex ~180 ns per 16-byte
    // id once the string is used, against ~400 ns for a two-digit lookup table, whose
    // concatenated (rope) result must be flattened by the first regex or hash.
    this.bytes = Buffer.isBuffer(body)
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.#view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const bytes = this.bytes;
    this.#utf8 = NATIVE
      ? (bytes as unknown as NativeSlices).utf8Slice.bind(bytes)
      : (start, end) => bytes.toString("utf8", start, end);
    this.end = body.byteLength;
    this.message = message;
  }

  fail(what: string, at: number = this.pos): never {
    const where = this.field > 0 ? `field ${this.field} of ${this.message}` : this.message;
    throw new OtlpDecodeError(`invalid protobuf: ${where}: ${what} (offset ${at})`);
  }

  /** Reads the next tag of `message`; returns its field number (wire type in `wireType`). */
  tag(message: string): number {
    this.message = message;
    this.field = 0;
    const at = this.pos;
    const tag = this.#varint32("tag");
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) this.fail("field number 0 is invalid", at);
    this.field = field;
    if (wireType === 3 || wireType === 4 || wireType > WIRE_I32) {
      this.fail(`unsupported wire type ${wireType} (${WIRE_NAMES[wireType] ?? "invalid"})`, at);
    }
    this.wireType = wireType;
    return field;
  }

  #expect(wireType: number): void {
    if (this.wireType !== wireType) {
      this.fail(
        `wire type ${this.wireType} (${WIRE_NAMES[this.wireType]}), expected ${wireType} (${WIRE_NAMES[wireType]})`,
      );
    }
  }

  /** The low 32 bits of a varint (unsigned), reading all of its up to 10 bytes. */
  #varint32(what: string): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const b = bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const start = pos;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) this.fail(`${what} runs past the end of the message`, start);
      const b = bytes[pos++]!;
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    return this.fail(`malformed ${what}: more than 10 bytes`, start);
  }

  /** A varint field's low 32 bits, unsigned: uint32 counts and flags. */
  uint32(): number {
    this.#expect(WIRE_VARINT);
    return this.#varint32("varint");
  }

  /** A varint field as int32: enums (negative enums are sign-extended 10-byte varints). */
  int32(): number {
    this.#expect(WIRE_VARINT);
    return this.#varint32("varint") | 0;
  }

  bool(): boolean {
    this.#expect(WIRE_VARINT);
    return this.#varint32("varint") !== 0;
  }

  /**
   * An int64 varint field: a number when exact (|v| < 2^53), otherwise its decimal text.
   * Negative values are 10-byte two's-complement varints.
   */
  int64(): number | string {
    this.#expect(WIRE_VARINT);
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (i === 10) this.fail("malformed varint: more than 10 bytes", start);
      if (pos >= this.end) this.fail("varint runs past the end of the message", start);
      const b = bytes[pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) break;
    }
    this.pos = pos;
    lo >>>= 0;
    hi >>>= 0;
    if (hi < SAFE_HI) return hi * TWO_32 + lo;
    if (hi >= 0x80000000) {
      // Negative: the magnitude is the two's complement.
      const mlo = (~lo + 1) >>> 0;
      const mhi = (~hi + (mlo === 0 ? 1 : 0)) >>> 0;
      if (mhi < SAFE_HI) return -(mhi * TWO_32 + mlo);
    }
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  #fixed(size: number): number {
    const at = this.pos;
    if (this.end - at < size) this.fail(`${size}-byte value runs past the end of the message`);
    this.pos = at + size;
    return at;
  }

  /** fixed64 as bigint: nanosecond timestamps, which exceed 2^53. */
  fixed64Big(): bigint {
    this.#expect(WIRE_I64);
    return this.#view.getBigUint64(this.#fixed(8), true);
  }

  /** fixed64 as a number (exact below 2^53, nearest double above): counts. */
  fixed64(): number {
    this.#expect(WIRE_I64);
    return this.fixed64At(this.#fixed(8));
  }

  fixed64At(at: number): number {
    return this.#view.getUint32(at + 4, true) * TWO_32 + this.#view.getUint32(at, true);
  }

  /** sfixed64 as a number: NumberDataPoint.as_int. */
  sfixed64(): number {
    this.#expect(WIRE_I64);
    const at = this.#fixed(8);
    return this.#view.getInt32(at + 4, true) * TWO_32 + this.#view.getUint32(at, true);
  }

  fixed32(): number {
    this.#expect(WIRE_I32);
    return this.#view.getUint32(this.#fixed(4), true);
  }

  double(): number {
    this.#expect(WIRE_I64);
    return this.doubleAt(this.#fixed(8));
  }

  doubleAt(at: number): number {
    return this.#view.getFloat64(at, true);
  }

  /** A length-delimited field: checks the length and returns where its bytes end. */
  #lengthEnd(): number {
    this.#expect(WIRE_LEN);
    const at = this.pos;
    const length = this.#varint32("length");
    if (length > this.end - this.pos) {
      this.fail(`length ${length} runs past the end of the message`, at);
    }
    return this.pos + length;
  }

  string(): string {
    const end = this.#lengthEnd();
    const start = this.pos;
    this.pos = end;
    return start === end ? "" : cachedString(this.bytes, start, end, this.#utf8);
  }

  /** A bytes field as lowercase hex: trace and span ids. */
  hex(): string {
    const end = this.#lengthEnd();
    const start = this.pos;
    this.pos = end;
    if (start === end) return "";
    return NATIVE
      ? (this.bytes as unknown as NativeSlices).hexSlice(start, end)
      : this.bytes.toString("hex", start, end);
  }

  base64(): string {
    const end = this.#lengthEnd();
    const start = this.pos;
    this.pos = end;
    if (start === end) return "";
    return NATIVE
      ? (this.bytes as unknown as NativeSlices).base64Slice(start, end)
      : this.bytes.toString("base64", start, end);
  }

  /**
   * Enters an embedded message: `end` becomes the message's end; returns the enclosing end,
   * which the caller hands back to `leave` once the message has been read.
   */
  enter(): number {
    const end = this.#lengthEnd();
    const outer = this.end;
    this.end = end;
    return outer;
  }

  leave(outer: number): void {
    this.end = outer;
  }

  /** Enters a packed repeated field of `size`-byte elements; returns the enclosing end. */
  enterPacked(size: number): number {
    const outer = this.enter();
    if ((this.end - this.pos) % size !== 0) {
      this.fail(`packed length ${this.end - this.pos} is not a multiple of ${size}`);
    }
    return outer;
  }

  /** Skips a length-delimited field, checking its wire type: for fields read in another pass. */
  skipLen(): void {
    this.pos = this.#lengthEnd();
  }

  /** Skips the current field by its wire type: unknown fields and ones not stored. */
  skip(): void {
    switch (this.wireType) {
      case WIRE_VARINT:
        this.#varint32("varint");
        return;
      case WIRE_I64:
        this.#fixed(8);
        return;
      case WIRE_LEN:
        this.pos = this.#lengthEnd();
        return;
      default:
        this.#fixed(4);
    }
  }
}

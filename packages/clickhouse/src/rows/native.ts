/**
 * ClickHouse's Native format, written column by column: a block is the column count and row
 * count (VarUInt), then per column its name, its type and its values. Strings are a VarUInt byte
 * length and their UTF-8 bytes; numbers and times little-endian; an Array is its rows' running
 * end offsets (UInt64) followed by all elements; a Map is an Array of (key, value) whose keys
 * come first, then the values. The engine parses this several times faster than TabSeparated.
 *
 * LowCardinality columns are declared as plain `String` here: the engine converts on insert
 * (`input_format_native_allow_types_conversion`, on by default), and the dictionary encoding
 * is not worth writing by hand.
 */
/** A growable byte buffer in that layout. */
export class NativeBuffer {
  #buf: Buffer;
  #at = 0;

  constructor(capacity = 1 << 16) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.#at;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + bytes));
    this.#buf.copy(grown, 0, 0, this.#at);
    this.#buf = grown;
  }

  varUInt(n: number): void {
    this.#room(10);
    let v = n;
    while (v >= 0x80) {
      this.#buf[this.#at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#at++] = v;
  }

  string(s: string): void {
    const length = s.length;
    // A UTF-16 code unit takes at most 3 bytes: under 43 units the length fits one byte.
    if (length < 43) {
      this.#room(1 + length * 3);
      const buf = this.#buf;
      const start = this.#at + 1;
      // Short ASCII strings (ids, keys, names) are copied here: cheaper than a native call.
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[start + i] = c;
      }
      const n = i === length ? length : buf.write(s, start);
      buf[this.#at] = n;
      this.#at = start + n;
      return;
    }
    this.varUInt(Buffer.byteLength(s));
    this.utf8(s);
  }

  uint64(n: bigint): void {
    this.#room(8);
    this.#buf.writeBigUInt64LE(n, this.#at);
    this.#at += 8;
  }

  int64(n: bigint): void {
    this.#room(8);
    this.#buf.writeBigInt64LE(n, this.#at);
    this.#at += 8;
  }

  /** Text as UTF-8 bytes, without a length. */
  utf8(s: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.#room(s.length * 3);
    this.#at += this.#buf.write(s, this.#at);
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
  }

  /** A column's header; its values follow. */
  column(name: string, type: string): void {
    this.string(name);
    this.string(type);
  }

  /** A UInt64 below 2^53, without a BigInt. */
  uint64Number(n: number): void {
    this.#room(8);
    this.#buf.writeUInt32LE(n >>> 0, this.#at);
    this.#buf.writeUInt32LE(Math.floor(n / 0x1_0000_0000), this.#at + 4);
    this.#at += 8;
  }

  /** The running end offsets of an Array column, one per row. */
  offsets<T>(rows: readonly T[], count: (row: T) => number): void {
    let end = 0;
    for (const row of rows) {
      end += count(row);
      this.uint64Number(end);
    }
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#at);
  }
}

/** Entries of a string map, counted without building an array. */
export function mapSize(map: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const _ in map) n++;
  return n;
}

/** A `Map(String, String)` column's values: offsets, then every key, then every value. */
export function writeMaps<T>(
  out: NativeBuffer,
  rows: readonly T[],
  map: (row: T) => Readonly<Record<string, string>>,
): void {
  out.offsets(rows, (row) => mapSize(map(row)));
  for (const row of rows) for (const key in map(row)) out.string(key);
  for (const row of rows) {
    const m = map(row);
    for (const key in m) out.string(m[key]!);
  }
}

/** An `Array(String)` column's values. */
export function writeStringArrays<T>(
  out: NativeBuffer,
  rows: readonly T[],
  items: (row: T) => readonly string[],
): void {
  out.offsets(rows, (row) => items(row).length);
  for (const row of rows) for (const item of items(row)) out.string(item);
}

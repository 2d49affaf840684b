import { OtlpDecodeError } from "./errors.ts";

/*
 * Readers for the fields of parsed OTLP/JSON (proto3 JSON mapping with OTLP's deviations:
 * hex ids, lowerCamelCase keys only). null means "not set", as in proto3 JSON. A value of the
 * wrong type throws a ShapeError naming the field; callers that descend into an object or array
 * prefix their key or index as the error passes through, so the final message carries the full
 * path (`resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected an integer`)
 * while the success path builds no path strings at all.
 */

export type JsonObject = Record<string, unknown>;

class ShapeError extends Error {
  path: string;
  constructor(path: string, detail: string) {
    super(detail);
    this.path = path;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
    case "object":
      return "an object";
    default:
      return String(value);
  }
}

/** An error about field `key` that the path of its enclosing objects will be prefixed to. */
export function invalid(key: string, detail: string): Error {
  return new ShapeError(key, detail);
}

function shape(key: string, expected: string, value: unknown): ShapeError {
  return new ShapeError(key, `expected ${expected}, got ${describe(value)}`);
}

/** Prefixes `key` (and `index`) to the path of a ShapeError passing through; returns it. */
export function nest(error: unknown, key: string, index?: number): unknown {
  if (error instanceof ShapeError) {
    const segment = index === undefined ? key : `${key}[${index}]`;
    error.path = error.path === "" ? segment : `${segment}.${error.path}`;
  }
  return error;
}

/** Parses the body and checks it is an object; ShapeErrors from `read` become OtlpDecodeErrors. */
export function decodeJsonBody<T>(body: Uint8Array | string, read: (root: JsonObject) => T): T {
  let text = typeof body === "string" ? body : utf8.decode(body);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    const reason = text.trim() === "" ? "the body is empty" : (error as Error).message;
    throw new OtlpDecodeError(`invalid JSON: ${reason}`, { cause: error });
  }
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    throw new OtlpDecodeError(
      `invalid OTLP/JSON: expected an object at the top level, got ${describe(root)}`,
    );
  }
  try {
    return read(root as JsonObject);
  } catch (error) {
    if (error instanceof ShapeError) {
      throw new OtlpDecodeError(`invalid OTLP/JSON: ${error.path}: ${error.message}`);
    }
    throw error;
  }
}

// Invalid UTF-8 is replaced, not rejected: lenient, like the protobuf path's strings.
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

const NONE: readonly unknown[] = Object.freeze([]);

/** A repeated field: [] when absent. */
export function array(o: JsonObject, key: string): readonly unknown[] {
  const value = o[key];
  if (value === undefined || value === null) return NONE;
  if (!Array.isArray(value)) throw shape(key, "an array", value);
  return value;
}

/** A message field: undefined when absent. */
export function object(o: JsonObject, key: string): JsonObject | undefined {
  const value = o[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw shape(key, "an object", value);
  return value as JsonObject;
}

/** An element of a repeated message field (null is not allowed there); the caller nests. */
export function element(value: unknown): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ShapeError("", `expected an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

export function string(o: JsonObject, key: string): string {
  const value = o[key];
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  throw shape(key, "a string", value);
}

/** A trace or span id: a hex string of either case (OTLP/JSON's deviation from base64). */
export function hexId(o: JsonObject, key: string): string {
  const value = o[key];
  if (typeof value === "string") return value.toLowerCase();
  if (value === undefined || value === null) return "";
  throw shape(key, "a hex string", value);
}

export function bool(o: JsonObject, key: string): boolean {
  const value = o[key];
  if (typeof value === "boolean") return value;
  if (value === undefined || value === null) return false;
  throw shape(key, "true or false", value);
}

const INTEGER = /^-?[0-9]+$/;
const UINT64_MAX = 0xffffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
const INT64_MAX = 0x7fffffffffffffffn;

/** A 64-bit integer field (number or decimal string) as a bigint, or undefined when absent. */
function bigInteger(o: JsonObject, key: string): bigint | undefined {
  const value = o[key];
  if (typeof value === "string" && INTEGER.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (value === undefined || value === null) return undefined;
  throw shape(key, "an integer", value);
}

/** A uint64/fixed64 field as a bigint: nanosecond times. */
export function uint64(o: JsonObject, key: string): bigint {
  const value = bigInteger(o, key);
  if (value === undefined) return 0n;
  if (value < 0n || value > UINT64_MAX) throw shape(key, "an unsigned 64-bit integer", o[key]);
  return value;
}

/** A uint64/fixed64 field as a number: counts (nearest double above 2^53, like protobuf). */
export function uint64Number(o: JsonObject, key: string): number {
  const value = o[key];
  // The common case, a small JSON number, needs no bigint.
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  return Number(uint64(o, key));
}

/**
 * An int64 field as a number when exact, else as its decimal text (the protobuf path's
 * `WireReader.int64` result); undefined when absent.
 */
export function int64(o: JsonObject, key: string): number | string | undefined {
  const value = o[key];
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  const big = bigInteger(o, key);
  if (big === undefined) return undefined;
  if (big < INT64_MIN || big > INT64_MAX) throw shape(key, "a signed 64-bit integer", value);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big.toString();
}

/**
 * A uint32 field (number, or decimal string as proto3 JSON allows): dropped counts, flags.
 * Out-of-range values are refused rather than stored: the columns are UInt32, and one bad
 * value would fail the insert of a whole batch.
 */
export function uint32(o: JsonObject, key: string): number {
  const value = o[key];
  const n = typeof value === "string" && INTEGER.test(value) ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff) return n;
  if (value === undefined || value === null) return 0;
  throw shape(key, "an unsigned 32-bit integer", value);
}

/** An enum field (int32): its number (OTLP/JSON's rule) or, leniently, its name. */
export function enumValue(o: JsonObject, key: string, names: readonly string[]): number {
  const value = o[key];
  if (typeof value === "number" && (value | 0) === value) return value;
  if (typeof value === "string") {
    const index = names.indexOf(value);
    if (index >= 0) return index;
  }
  if (value === undefined || value === null) return 0;
  throw shape(key, `an integer or one of ${names.join(", ")}`, value);
}

/** A double field: a number, or a string: "NaN", "Infinity", "-Infinity" or a decimal. */
export function double(o: JsonObject, key: string): number | undefined {
  const value = o[key];
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (value === "NaN") return Number.NaN;
    const n = Number(value);
    if (value.trim() !== "" && !Number.isNaN(n)) return n;
  }
  if (value === undefined || value === null) return undefined;
  throw shape(key, "a number", value);
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** A bytes field: base64 (standard or URL-safe) in, standard padded base64 out. */
export function base64(o: JsonObject, key: string): string {
  const value = o[key];
  if (typeof value === "string" && BASE64.test(value)) {
    return Buffer.from(value, "base64").toString("base64");
  }
  if (value === undefined || value === null) return "";
  throw shape(key, "a base64 string", value);
}

/** A repeated number field, each element read by `read` (uint64Number, double). */
export function numbers(
  o: JsonObject,
  key: string,
  read: (o: JsonObject, key: string) => number | undefined,
): number[] {
  const list = array(o, key);
  const out: number[] = [];
  // An array is indexed by its index keys, so the field readers work on it unchanged.
  const indexed = list as unknown as JsonObject;
  for (let i = 0; i < list.length; i++) {
    try {
      out.push(read(indexed, String(i)) ?? 0);
    } catch (error) {
      if (error instanceof ShapeError) error.path = `${key}[${i}]`;
      throw error;
    }
  }
  return out;
}

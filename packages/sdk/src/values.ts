import type { Attributes } from "@opentelemetry/api";
import { truncatedFlag } from "@runtrace/semconv";

/** A string attribute value after the `maxValueBytes` cut. */
export interface EncodedValue {
  value: string;
  /** True when `value` was cut: the attribute then gets a `<key>.truncated` flag beside it. */
  truncated: boolean;
}

const encoder = new TextEncoder();

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character.
 * `encodeInto` stops before the first character that would not fit, and `read` counts UTF-16
 * code units, so slicing at `read` keeps whole characters (surrogate pairs included).
 */
export function truncateUtf8(text: string, maxBytes: number): EncodedValue {
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes: short strings need no encoding.
  if (text.length * 3 <= maxBytes) return { value: text, truncated: false };
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  if (read >= text.length) return { value: text, truncated: false };
  return { value: text.slice(0, read), truncated: true };
}

/**
 * JSON text of any value, never throwing: cycles, BigInt and throwing `toJSON` fall back to
 * `String(value)`. `undefined` (and other values JSON cannot express at the top level, such as
 * functions) yields `undefined`, meaning "no value to record".
 */
export function toJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // Cycles or BigInt: fall through to the string form.
  }
  try {
    return String(value);
  } catch {
    // `String(Object.create(null))` throws: the value has no text form at all.
    return "[unserializable]";
  }
}

/** `toJson` then the byte cut; `undefined` when there is nothing to record. */
export function encodeJson(value: unknown, maxBytes: number): EncodedValue | undefined {
  const json = toJson(value);
  return json === undefined ? undefined : truncateUtf8(json, maxBytes);
}

/** Sets `key` to the encoded value and, when it was cut, `truncatedFlag(key)` = true. */
export function setEncoded(
  attributes: Attributes,
  key: string,
  encoded: EncodedValue | undefined,
): void {
  if (encoded === undefined) return;
  attributes[key] = encoded.value;
  if (encoded.truncated) attributes[truncatedFlag(key)] = true;
}

/** Message of a thrown value, never throwing. */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return "[unprintable error]";
  }
}

/** `error.type` of a thrown value: its `name` when it has one, else `"Error"`. */
export function errorType(error: unknown): string {
  try {
    if (typeof error === "object" && error !== null) {
      const name = (error as { name?: unknown }).name;
      if (typeof name === "string" && name.length > 0) return name;
    }
  } catch {
    // A throwing `name` getter: use the generic type.
  }
  return "Error";
}

/**
 * A thrown value in the shape `recordException` understands. Non-`Error` values become
 * `{ name, message }`: the SDK drops an exception event that has neither type nor message.
 */
export function toException(error: unknown): Error | { name: string; message: string } {
  if (error instanceof Error) return error;
  return { name: errorType(error), message: errorMessage(error) };
}

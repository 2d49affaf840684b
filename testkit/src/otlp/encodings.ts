/**
 * Test support: other encodings of a random request: its OTLP/JSON form, and protobuf with
 * fields shuffled and unknown fields inserted. Used by tests.
 */

import type { SeededRandom } from "../random.ts";
import { protobuf } from "./proto.ts";
import { CODES, hex, KINDS, SAFE } from "./reference.ts";

const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId"]);
const INT64_KEYS = new Set([
  "intValue",
  "asInt",
  "startTimeUnixNano",
  "endTimeUnixNano",
  "timeUnixNano",
  "count",
  "bucketCounts",
  "zeroCount",
]);
const DOUBLE_KEYS = new Set([
  "doubleValue",
  "asDouble",
  "sum",
  "min",
  "max",
  "explicitBounds",
  "quantile",
  "value",
  "zeroThreshold",
]);
const ENUM_NAMES: Record<string, readonly string[]> = {
  kind: KINDS,
  code: CODES,
  aggregationTemporality: [
    "AGGREGATION_TEMPORALITY_UNSPECIFIED",
    "AGGREGATION_TEMPORALITY_DELTA",
    "AGGREGATION_TEMPORALITY_CUMULATIVE",
  ],
};

/**
 * The OTLP/JSON form of a random request: hex ids (random case), 64-bit ints as strings or,
 * when exact, numbers; enums mostly as integers, sometimes as names; non-finite doubles (and
 * -0, which JSON numbers lose) as strings; base64 bytes, sometimes URL-safe and unpadded;
 * unknown fields and explicit nulls sprinkled in.
 */
export function toOtlpJson(value: unknown, rng: SeededRandom, key = ""): unknown {
  if (value instanceof Uint8Array) {
    if (ID_KEYS.has(key)) {
      const h = hex(value);
      return rng.chance(0.3) ? h.toUpperCase() : h;
    }
    const b64 = Buffer.from(value).toString("base64");
    return rng.chance(0.2) ? Buffer.from(value).toString("base64url") : b64;
  }
  if (Array.isArray(value)) return value.map((v) => toOtlpJson(v, rng, key));
  if (typeof value === "string" && INT64_KEYS.has(key)) {
    const n = BigInt(value);
    return rng.chance(0.5) && n >= -SAFE && n <= SAFE ? Number(n) : value;
  }
  if (typeof value === "number") {
    if (DOUBLE_KEYS.has(key)) {
      if (!Number.isFinite(value) || Object.is(value, -0))
        return String(value === 0 ? "-0" : value);
      return rng.chance(0.1) ? String(value) : value;
    }
    const names = ENUM_NAMES[key];
    if (names?.[value] !== undefined && rng.chance(0.3)) return names[value];
    return value;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) {
        if (rng.chance(0.05)) out[k] = null;
        continue;
      }
      out[k] = toOtlpJson(v, rng, k);
    }
    if (rng.chance(0.05)) out.someUnknownField = { nested: [1, "two", null] };
    return out;
  }
  return value;
}

function frame(tag: number, bytes: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32(tag).bytes(bytes).finish();
}

function unknownField(rng: SeededRandom): Uint8Array {
  const field = 1000 + rng.below(1000);
  const w = protobuf.Writer.create();
  switch (rng.below(4)) {
    case 0:
      return w
        .uint32(field << 3)
        .uint64(rng.big64().toString())
        .finish();
    case 1:
      return w
        .uint32((field << 3) | 1)
        .fixed64(rng.big64().toString())
        .finish();
    case 2:
      return w
        .uint32((field << 3) | 2)
        .bytes(rng.bytes(rng.below(12)))
        .finish();
    default:
      return w
        .uint32((field << 3) | 5)
        .fixed32(rng.u32())
        .finish();
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Encodes `value` with its fields in random order (the elements of one repeated field keep
 * their order, interleaved with other fields) and unknown fields inserted, in every message
 * down the tree. A decoder must give the same result as for protobufjs's canonical order.
 */
export function encodeShuffled(
  type: protobuf.Type,
  value: Record<string, unknown>,
  rng: SeededRandom,
): Uint8Array {
  const queues: Uint8Array[][] = [];
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v === undefined || v === null) continue;
    if (field.resolvedType instanceof protobuf.Type) {
      const child = field.resolvedType;
      const items = (field.repeated ? v : [v]) as Record<string, unknown>[];
      if (items.length === 0) continue;
      queues.push(
        items.map((item) => frame((field.id << 3) | 2, encodeShuffled(child, item, rng))),
      );
    } else {
      queues.push([type.encode({ [field.name]: v }).finish()]);
    }
  }
  for (let i = rng.chance(0.3) ? 1 + rng.below(2) : 0; i > 0; i--) queues.push([unknownField(rng)]);
  const parts: Uint8Array[] = [];
  while (queues.length > 0) {
    const q = rng.below(queues.length);
    parts.push(queues[q]!.shift()!);
    if (queues[q]!.length === 0) queues.splice(q, 1);
  }
  return concat(parts);
}

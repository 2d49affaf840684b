import { z } from "zod";
import { SPAN_KINDS, type SpanKind } from "../traces/index.ts";
import { parseGoDuration } from "./go-duration.ts";

/** Value parsers shared by the v1 and api_v3 parameter sets. */

/** Jaeger's search defaults: the last two days, 100 traces. */
export const DEFAULT_LOOKBACK_NS = 2n * 24n * 3_600_000_000_000n;
export const DEFAULT_TRACE_LIMIT = 100;
/** Jaeger UI offers up to 1500 results; more would only make one answer enormous. */
export const MAX_TRACE_LIMIT = 1500;

export const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export const goDuration = z.string().transform((text, ctx) => {
  const ns = parseGoDuration(text);
  if (ns !== undefined) return ns;
  ctx.addIssue({
    code: "custom",
    message: `invalid duration "${text}" (expected e.g. 300ms, 1.5s, 1m30s; units ns, us, µs, ms, s, m, h)`,
  });
  return z.NEVER;
});

/** A whole number in `unit` nanoseconds (µs for trace times, ms for dependencies). */
export const epochInteger = (unitNs: bigint, unitName: string) =>
  z
    .string()
    .regex(/^\d+$/, `expected an integer (Unix ${unitName})`)
    .transform((s) => BigInt(s) * unitNs);

/** A result limit: 0 means the default; larger than the cap means the cap. */
export const traceLimit = z
  .string()
  .regex(/^\d+$/, "expected a non-negative integer")
  .transform((s) => {
    const n = Number(s);
    return n === 0 ? DEFAULT_TRACE_LIMIT : Math.min(n, MAX_TRACE_LIMIT);
  });

/** `server|client|producer|consumer|internal`; empty means every kind. */
export const spanKindParam = z
  .string()
  .transform((s) => s.toLowerCase())
  .refine(
    (s) => s !== "unspecified" && (SPAN_KINDS as readonly string[]).includes(s),
    "expected one of server, client, producer, consumer, internal",
  )
  .transform((s) => s as SpanKind);

/**
 * A JSON object of attribute filters. Values should be strings; numbers and booleans are taken
 * as the text they are stored as.
 */
export function parseAttributeJson(text: string): Map<string, string> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `cannot unmarshal JSON: ${(error as Error).message}`;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return "expected a JSON object of key to value";
  }
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "string") out.set(key, value);
    else if (typeof value === "number" || typeof value === "boolean") out.set(key, String(value));
    else return `the value of ${JSON.stringify(key)} is not a string`;
  }
  return out;
}

/** Query parameters with empty values dropped: clients send `minDuration=` for "none". */
export function nonEmpty(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ""));
}

/** Parses with a zod object schema; the first issue becomes `fail(parameter, message)`. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  query: Record<string, string>,
  fail: (parameter: string, message: string) => Error,
): z.output<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw fail(issue.path.map(String).join(".") || "query", issue.message);
}

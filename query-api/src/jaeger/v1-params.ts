import { z } from "zod";
import { parseTraceId, type SpanKind, type TraceQuery } from "../traces/index.ts";
import { badParam, structuredError } from "./envelope.ts";
import {
  DEFAULT_LOOKBACK_NS,
  DEFAULT_TRACE_LIMIT,
  epochInteger,
  goDuration,
  nonEmpty,
  nowNs,
  parseAttributeJson,
  parseWith,
  spanKindParam,
  traceLimit,
} from "./params.ts";

const MICRO = 1_000n;
const MILLI = 1_000_000n;
/** Jaeger's default dependency window. */
const DEFAULT_DEPENDENCY_LOOKBACK_NS = 24n * 3_600_000_000_000n;

/** A trace id from a path or `traceID` parameter, in the stored form; 400 when malformed. */
export function traceIdParam(name: string, text: string): string {
  const id = parseTraceId(text);
  if (id === undefined) {
    throw badParam(name, `"${text}" is not a trace id (1 to 32 hex digits, or 16 bytes in base64)`);
  }
  return id;
}

const searchSchema = z.object({
  service: z.string().optional(),
  operation: z.string().optional(),
  start: epochInteger(MICRO, "microseconds").optional(),
  end: epochInteger(MICRO, "microseconds").optional(),
  limit: traceLimit.optional(),
  minDuration: goDuration.optional(),
  maxDuration: goDuration.optional(),
});

/** `tag=key:value`: the value is everything after the first colon. */
function parseTags(tag: readonly string[], tags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tag) {
    const colon = t.indexOf(":");
    if (colon < 0) throw badParam("tag", `expecting key:value, received: ${t}`);
    out.set(t.slice(0, colon), t.slice(colon + 1));
  }
  for (const json of tags) {
    const parsed = parseAttributeJson(json);
    if (typeof parsed === "string") throw badParam("tags", parsed);
    for (const [k, v] of parsed) out.set(k, v);
  }
  return out;
}

export type SearchRequest = { traceIds: string[] } | { query: TraceQuery };

/**
 * `GET /api/traces`: `traceID` (repeatable) asks for those traces; otherwise a search by
 * service, operation, `tag`/`tags`, `minDuration`/`maxDuration` (Go durations), `start`/`end`
 * (Unix µs; default the last two days) and `limit` (default 100). Jaeger requires `service`;
 * here it is optional, so a search may span every service.
 */
export function parseSearch(
  query: Record<string, string>,
  queries: Record<string, string[]>,
): SearchRequest {
  const ids = (queries.traceID ?? []).filter((s) => s !== "");
  if (ids.length > 0) return { traceIds: [...new Set(ids.map((s) => traceIdParam("traceID", s)))] };
  const q = parseWith(searchSchema, nonEmpty(query), badParam);
  const end = q.end ?? nowNs();
  const start = q.start ?? end - DEFAULT_LOOKBACK_NS;
  if (start > end) throw badParam("start", "must not be after end");
  if (q.minDuration !== undefined && q.maxDuration !== undefined && q.maxDuration < q.minDuration) {
    throw badParam("maxDuration", "'maxDuration' should be greater than 'minDuration'");
  }
  return {
    query: {
      serviceName: q.service,
      spanName: q.operation,
      attributes: parseTags(queries.tag ?? [], queries.tags ?? []),
      startMinNs: start,
      startMaxNs: end,
      durationMinNs: q.minDuration || undefined,
      durationMaxNs: q.maxDuration,
      limit: q.limit ?? DEFAULT_TRACE_LIMIT,
    },
  };
}

const operationsSchema = z.object({
  service: z.string(),
  spanKind: spanKindParam.optional(),
});

/** `GET /api/operations?service=&spanKind=`: `service` is required. */
export function parseOperations(query: Record<string, string>): {
  service: string;
  spanKind?: SpanKind;
} {
  const q = nonEmpty(query);
  if (q.service === undefined) throw structuredError(400, "parameter 'service' is required");
  return parseWith(operationsSchema, q, badParam);
}

const dependenciesSchema = z.object({
  endTs: epochInteger(MILLI, "milliseconds").optional(),
  lookback: epochInteger(MILLI, "milliseconds").optional(),
  service: z.string().optional(),
});

/** `GET /api/dependencies?endTs=&lookback=` (ms; default now and 24 hours). */
export function parseDependencies(query: Record<string, string>): {
  fromNs: bigint;
  toNs: bigint;
  serviceName?: string;
} {
  const q = parseWith(dependenciesSchema, nonEmpty(query), badParam);
  const toNs = q.endTs ?? nowNs();
  const lookback = q.lookback ?? DEFAULT_DEPENDENCY_LOOKBACK_NS;
  return { fromNs: toNs > lookback ? toNs - lookback : 0n, toNs, serviceName: q.service };
}

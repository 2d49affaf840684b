import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import type { SpanKind, TraceQuery } from "../traces/index.ts";
import {
  DEFAULT_TRACE_LIMIT,
  goDuration,
  nonEmpty,
  parseAttributeJson,
  parseWith,
  spanKindParam,
  traceLimit,
} from "./params.ts";

/** api_v3's error body (grpc-gateway style): `{"error":{"httpCode":N,"message":"..."}}`. */
export function v3Error(status: 400 | 404, message: string): HTTPException {
  return new HTTPException(status, {
    res: new Response(JSON.stringify({ error: { httpCode: status, message } }), {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
    }),
  });
}

const fail = (parameter: string, message: string) =>
  v3Error(400, `malformed parameter ${parameter}: ${message}`);

const RFC3339 =
  /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 with up to nanosecond precision (Go's `time.RFC3339Nano`), as epoch nanoseconds. */
const rfc3339Nano = z.string().transform((text, ctx) => {
  const m = RFC3339.exec(text);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`) : Number.NaN;
  if (!m || !Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an RFC 3339 time` });
    return z.NEVER;
  }
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? "").padEnd(9, "0"));
});

/**
 * The current names first, then the deprecated snake_case ones Jaeger still accepts; the
 * first present wins and errors name the parameter the client used.
 */
const SEARCH_PARAMS = {
  serviceName: ["query.serviceName", "query.service_name"],
  operationName: ["query.operationName", "query.operation_name"],
  startTimeMin: ["query.startTimeMin", "query.start_time_min"],
  startTimeMax: ["query.startTimeMax", "query.start_time_max"],
  searchDepth: ["query.searchDepth", "query.search_depth", "query.num_traces"],
  durationMin: ["query.durationMin", "query.duration_min"],
  durationMax: ["query.durationMax", "query.duration_max"],
  attributes: ["query.attributes"],
} as const;

type SearchField = keyof typeof SEARCH_PARAMS;

function resolve(query: Record<string, string>): {
  values: Partial<Record<SearchField, string>>;
  names: Record<SearchField, string>;
} {
  const values: Partial<Record<SearchField, string>> = {};
  const names = {} as Record<SearchField, string>;
  for (const [field, aliases] of Object.entries(SEARCH_PARAMS) as [
    SearchField,
    readonly string[],
  ][]) {
    const name = aliases.find((a) => query[a] !== undefined) ?? aliases[0]!;
    names[field] = name;
    if (query[name] !== undefined) values[field] = query[name];
  }
  return { values, names };
}

const searchSchema = z.object({
  serviceName: z.string().optional(),
  operationName: z.string().optional(),
  startTimeMin: rfc3339Nano,
  startTimeMax: rfc3339Nano,
  searchDepth: traceLimit.optional(),
  durationMin: goDuration.optional(),
  durationMax: goDuration.optional(),
  attributes: z.string().optional(),
});

/**
 * `GET /api/v3/traces` and `/api/v3/trace-summaries`: `query.startTimeMin`/`startTimeMax`
 * (RFC 3339) are required, `searchDepth` defaults to 100, durations are Go durations and
 * `query.attributes` a JSON object.
 */
export function parseV3Search(query: Record<string, string>): TraceQuery {
  const { values, names } = resolve(nonEmpty(query));
  if (values.startTimeMin === undefined || values.startTimeMax === undefined) {
    throw v3Error(400, `${names.startTimeMin} and ${names.startTimeMax} are required`);
  }
  const q = parseWith(searchSchema, values, (field, message) =>
    fail(names[field as SearchField] ?? field, message),
  );
  if (q.startTimeMin > q.startTimeMax) {
    throw fail(names.startTimeMax, `must not be before ${names.startTimeMin}`);
  }
  if (q.durationMin !== undefined && q.durationMax !== undefined && q.durationMax < q.durationMin) {
    throw fail(names.durationMax, `must not be less than ${names.durationMin}`);
  }
  const attributes = q.attributes === undefined ? new Map() : parseAttributeJson(q.attributes);
  if (typeof attributes === "string") throw fail(names.attributes, attributes);
  return {
    serviceName: q.serviceName,
    spanName: q.operationName,
    attributes,
    startMinNs: q.startTimeMin,
    startMaxNs: q.startTimeMax,
    durationMinNs: q.durationMin || undefined,
    durationMaxNs: q.durationMax,
    limit: q.searchDepth ?? DEFAULT_TRACE_LIMIT,
  };
}

/** `GET /api/v3/operations?service=&spanKind=` (`span_kind` accepted too). */
export function parseV3Operations(query: Record<string, string>): {
  service: string;
  spanKind?: SpanKind;
} {
  const q = nonEmpty(query);
  const service = q.service;
  if (service === undefined) throw v3Error(400, "parameter service is required");
  const kindName = q.spanKind !== undefined ? "spanKind" : "span_kind";
  const kindText = q[kindName];
  if (kindText === undefined) return { service };
  const kind = spanKindParam.safeParse(kindText);
  if (!kind.success) throw fail(kindName, kind.error.issues[0]!.message);
  return { service, spanKind: kind.data };
}

/** `startTime`/`endTime` of `GET /api/v3/traces/{id}`: checked, then not needed (see route). */
export function checkV3TraceTimes(query: Record<string, string>): void {
  const q = nonEmpty(query);
  for (const [name, alias] of [
    ["startTime", "start_time"],
    ["endTime", "end_time"],
  ] as const) {
    const used = q[name] !== undefined ? name : alias;
    const text = q[used];
    if (text === undefined) continue;
    const parsed = rfc3339Nano.safeParse(text);
    if (!parsed.success) throw fail(used, parsed.error.issues[0]!.message);
  }
}

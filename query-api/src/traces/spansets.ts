import type { ClickHouse } from "@runtrace/clickhouse";
import { QueryParams } from "../executions/query-params.ts";
import { matchingSpanConditions, matchingSpansWhere, type TraceQuery } from "./search.ts";
import {
  type SpanKind,
  type StatusCode,
  spanKindOf,
  statusCodeOf,
  type TypedAttribute,
  typedAttributes,
} from "./span.ts";

/** A span that met a search's conditions, with what a result list shows of it. */
export interface MatchedSpan {
  spanId: string;
  name: string;
  kind: SpanKind;
  statusCode: StatusCode;
  serviceName: string;
  startNs: bigint;
  durationNs: bigint;
  attributes: TypedAttribute[];
  resource: TypedAttribute[];
}

/** One trace's matching spans: how many there are, and the first few by start. */
export interface SpanSet {
  traceId: string;
  matched: number;
  spans: MatchedSpan[];
}

export interface SpanSetSearch {
  /** At most `limit` traces, the most recent match first. */
  spanSets: SpanSet[];
  /** Every trace with a match in the window, before the limit. */
  matchedTraces: number;
}

/**
 * Traces with a span that meets every condition of `q`, as spansets: the count of matching
 * spans per trace and the first `spansPerSet` of them. Applies the scopes, like `findTraceIds`.
 */
export async function findSpanSets(
  ch: ClickHouse,
  q: TraceQuery,
  spansPerSet: number,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<SpanSetSearch> {
  const p = new QueryParams();
  // A span stored twice (not merged yet) counts once.
  const traces = await ch.select<{ TraceId: string; matched: string; total: string }>(
    `SELECT TraceId, toString(uniqExact(SpanId)) AS matched, toString(count() OVER ()) AS total
     FROM otel_traces
     WHERE ${matchingSpansWhere(p, q, scopes)}
     GROUP BY TraceId
     ORDER BY max(Timestamp) DESC, TraceId
     LIMIT ${p.add("UInt32", q.limit)}`,
    p.values,
    { signal },
  );
  if (traces.length === 0) return { spanSets: [], matchedTraces: 0 };
  const ids = traces.map((t) => t.TraceId);
  const spans = await firstMatchingSpans(ch, { ...q, traceIds: ids }, spansPerSet, signal);
  return {
    spanSets: traces.map((t) => ({
      traceId: t.TraceId,
      matched: Number(t.matched),
      spans: spans.get(t.TraceId) ?? [],
    })),
    matchedTraces: Number(traces[0]!.total),
  };
}

interface MatchedRow {
  TraceId: string;
  SpanId: string;
  SpanName: string;
  SpanKind: string;
  StatusCode: string;
  ServiceName: string;
  start_ns: string;
  duration_ns: string;
  SpanAttributes: Record<string, string>;
  SpanAttributeTypes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
  ResourceAttributeTypes: Record<string, string>;
}

/**
 * The earliest matching spans of traces already found (and checked against the scopes), so
 * only the span-level conditions are evaluated again.
 */
async function firstMatchingSpans(
  ch: ClickHouse,
  q: TraceQuery,
  perTrace: number,
  signal: AbortSignal,
): Promise<Map<string, MatchedSpan[]>> {
  const p = new QueryParams();
  const rows = await ch.select<MatchedRow>(
    `SELECT * EXCEPT Timestamp FROM (
       SELECT TraceId, SpanId, Timestamp, SpanName, SpanKind, StatusCode, ServiceName,
         toString(toUnixTimestamp64Nano(Timestamp)) AS start_ns, toString(Duration) AS duration_ns,
         SpanAttributes, SpanAttributeTypes, ResourceAttributes, ResourceAttributeTypes
       FROM otel_traces
       WHERE ${matchingSpanConditions(p, q).join(" AND ")}
       ORDER BY TraceId, Timestamp, SpanId
       LIMIT 1 BY TraceId, SpanId
     )
     ORDER BY TraceId, Timestamp, SpanId
     LIMIT ${p.add("UInt32", perTrace)} BY TraceId`,
    p.values,
    { signal },
  );
  const byTrace = new Map<string, MatchedSpan[]>();
  for (const r of rows) {
    let list = byTrace.get(r.TraceId);
    if (!list) {
      list = [];
      byTrace.set(r.TraceId, list);
    }
    list.push({
      spanId: r.SpanId,
      name: r.SpanName,
      kind: spanKindOf(r.SpanKind),
      statusCode: statusCodeOf(r.StatusCode),
      serviceName: r.ServiceName,
      startNs: BigInt(r.start_ns),
      durationNs: BigInt(r.duration_ns),
      attributes: typedAttributes(r.SpanAttributes, r.SpanAttributeTypes),
      resource: typedAttributes(r.ResourceAttributes, r.ResourceAttributeTypes),
    });
  }
  return byTrace;
}

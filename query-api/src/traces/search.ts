import type { ClickHouse } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { QueryParams } from "../executions/query-params.ts";
import { attributeCondition } from "./attribute-filter.ts";
import {
  isTracePredicate,
  type SpanPredicate,
  spanPredicateSql,
  traceDurationHaving,
} from "./span-predicate.ts";
import { visibleTraceCondition } from "./visibility.ts";

/**
 * A trace search: a trace matches when one of its spans that started in the window meets every
 * condition at once (service, span name, attributes, duration, predicates), as Jaeger and
 * TraceQL's single spanset define it.
 */
export interface TraceQuery {
  serviceName?: string;
  spanName?: string;
  /** Attribute key → value, compared as stored text. */
  attributes: ReadonlyMap<string, string>;
  /** Inclusive bounds on a matching span's start, epoch nanoseconds. */
  startMinNs: bigint;
  startMaxNs: bigint;
  durationMinNs?: bigint;
  durationMaxNs?: bigint;
  /**
   * Typed conditions (TraceQL's): span-level ones are met by the same span as the rest,
   * trace-level ones (`traceDuration`) by its trace.
   */
  predicates?: readonly SpanPredicate[];
  /** Only these traces (stored 32-hex ids). */
  traceIds?: readonly string[];
  /** Most traces to return. */
  limit: number;
}

/**
 * A trace's duration is measured over its spans that started this long around the window: a
 * trace that began before the window or ends after it still gets (almost) its whole length,
 * without reading every day of the table.
 */
const TRACE_MARGIN_NS = 3_600_000_000_000n;

const INT64_MAX = 2n ** 63n - 1n;

const fromNs = (p: QueryParams, ns: bigint) =>
  `fromUnixTimestamp64Nano(${p.add("Int64", ns < 0n ? 0n : ns > INT64_MAX ? INT64_MAX : ns)})`;

/** The conditions one matching span meets by itself, state spans left out. */
export function matchingSpanConditions(p: QueryParams, q: TraceQuery): string[] {
  const conditions = [
    `Timestamp >= ${fromNs(p, q.startMinNs)}`,
    `Timestamp <= ${fromNs(p, q.startMaxNs)}`,
    `SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}`,
  ];
  if (q.traceIds !== undefined) conditions.push(`TraceId IN ${p.add("Array(String)", q.traceIds)}`);
  // ServiceName and SpanName lead the table's key: with them the read is a key range.
  if (q.serviceName !== undefined)
    conditions.push(`ServiceName = ${p.add("String", q.serviceName)}`);
  if (q.spanName !== undefined) conditions.push(`SpanName = ${p.add("String", q.spanName)}`);
  for (const [key, value] of q.attributes) conditions.push(attributeCondition(p, key, value));
  if (q.durationMinNs !== undefined) {
    conditions.push(`Duration >= ${p.add("UInt64", q.durationMinNs)}`);
  }
  if (q.durationMaxNs !== undefined) {
    conditions.push(`Duration <= ${p.add("UInt64", q.durationMaxNs)}`);
  }
  for (const c of q.predicates ?? []) {
    if (!isTracePredicate(c)) conditions.push(spanPredicateSql(p, c));
  }
  return conditions;
}

/**
 * The full condition on a matching span: its own conditions, its trace's (duration), and the
 * request's scopes. `AND`-joined, ready for a `WHERE`.
 */
export function matchingSpansWhere(
  p: QueryParams,
  q: TraceQuery,
  scopes: readonly string[] | null,
): string {
  const where = matchingSpanConditions(p, q).join("\n      AND ");
  const candidates = `SELECT TraceId FROM otel_traces WHERE ${where}`;
  const having = (q.predicates ?? [])
    .filter(isTracePredicate)
    .map((c) => traceDurationHaving(p, c));
  const traceLevel =
    having.length === 0
      ? ""
      : `AND TraceId IN (SELECT TraceId FROM otel_traces
          WHERE Timestamp >= ${fromNs(p, q.startMinNs - TRACE_MARGIN_NS)}
            AND Timestamp <= ${fromNs(p, q.startMaxNs + TRACE_MARGIN_NS)}
            AND SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}
            AND TraceId IN (${candidates})
          GROUP BY TraceId
          HAVING ${having.join(" AND ")})`;
  return `${where} ${traceLevel} ${visibleTraceCondition(p, scopes, candidates)}`;
}

/**
 * The ids of matching traces the scopes may see, the most recent match first, at most
 * `q.limit`. Read their spans with `readTraces` or outlines with `readSpanOutlines`.
 */
export async function findTraceIds(
  ch: ClickHouse,
  q: TraceQuery,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<string[]> {
  const p = new QueryParams();
  const rows = await ch.select<{ TraceId: string }>(
    `SELECT TraceId FROM otel_traces
     WHERE ${matchingSpansWhere(p, q, scopes)}
     GROUP BY TraceId
     ORDER BY max(Timestamp) DESC, TraceId
     LIMIT ${p.add("UInt32", q.limit)}`,
    p.values,
    { signal },
  );
  return rows.map((r) => r.TraceId);
}

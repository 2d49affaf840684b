import type { ClickHouse } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { QueryParams } from "../executions/query-params.ts";
import { attributeCondition } from "./attribute-filter.ts";
import { visibleTraceCondition } from "./visibility.ts";

/**
 * A trace search: a trace matches when one of its spans that started in the window meets every
 * condition at once (service, span name, attributes, duration), as Jaeger defines it.
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
  /** Most traces to return. */
  limit: number;
}

function matchingSpans(p: QueryParams, q: TraceQuery): string {
  const conditions = [
    `Timestamp >= fromUnixTimestamp64Nano(${p.add("Int64", q.startMinNs)})`,
    `Timestamp <= fromUnixTimestamp64Nano(${p.add("Int64", q.startMaxNs)})`,
    `SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}`,
  ];
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
  return conditions.join("\n      AND ");
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
  const where = matchingSpans(p, q);
  const visible = visibleTraceCondition(
    p,
    scopes,
    `SELECT TraceId FROM otel_traces WHERE ${where}`,
  );
  const rows = await ch.select<{ TraceId: string }>(
    `SELECT TraceId FROM otel_traces
     WHERE ${where} ${visible}
     GROUP BY TraceId
     ORDER BY max(Timestamp) DESC, TraceId
     LIMIT ${p.add("UInt32", q.limit)}`,
    p.values,
    { signal },
  );
  return rows.map((r) => r.TraceId);
}

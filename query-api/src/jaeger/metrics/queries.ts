import type { ClickHouse } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { QueryParams } from "../../executions/query-params.ts";
import type { SpanKind } from "../../traces/index.ts";
import { storedSpanKinds } from "../../traces/span.ts";
import { visibleTraceCondition } from "../../traces/visibility.ts";
import type { Measure } from "./measures.ts";
import type { MetricsQuery } from "./params.ts";

/** One bucket of one series: the measure's aggregate over the spans that started in it. */
export interface BucketRow {
  service: string;
  /** "" unless grouped by operation. */
  operation: string;
  /** Index into the query's grid. */
  bucket: number;
  value: number;
}

const INT64_MAX = 2n ** 63n - 1n;

/** `DateTime64(9)` ends in 2262; later bounds read as its last instant. */
const nanos = (ms: number) => {
  const ns = BigInt(ms) * 1_000_000n;
  return ns > INT64_MAX ? INT64_MAX : ns;
};

/** Other writers store an unspecified kind as "" (Jaeger's ClickHouse exporter does). */
function storedKinds(kinds: readonly SpanKind[]): string[] {
  return kinds.flatMap((kind) =>
    kind === "unspecified" ? ["", ...storedSpanKinds(kind)] : storedSpanKinds(kind),
  );
}

/**
 * One read for the whole answer: every series and bucket at once, only the buckets that hold
 * spans. `ServiceName` leads the table's key and the window bounds `Timestamp` (the key's time
 * column and the partition), so the read touches the asked services' days only. State spans are
 * runtrace's bookkeeping, not calls, and are left out; scopes restrict to the traces of
 * readable runs exactly as the other Jaeger routes do.
 */
export async function readBuckets(
  ch: ClickHouse,
  q: MetricsQuery,
  measure: Measure,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<BucketRow[]> {
  if (q.grid.count === 0 || q.services.length === 0) return [];
  const p = new QueryParams();
  const where = [
    `ServiceName IN ${p.add("Array(String)", q.services)}`,
    `Timestamp >= fromUnixTimestamp64Nano(${p.add("Int64", nanos(q.grid.firstMs))})`,
    `Timestamp < fromUnixTimestamp64Nano(${p.add("Int64", nanos(q.grid.endMs))})`,
    `SpanKind IN ${p.add("Array(String)", storedKinds(q.spanKinds))}`,
    `SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}`,
  ].join("\n       AND ");
  const candidates = `SELECT TraceId FROM otel_traces WHERE ${where}`;
  // Whole milliseconds since the grid's first bucket, divided by the step: any step of 1 ms or
  // more, sub-second or not a whole number of seconds, cut on the same epoch-aligned
  // boundaries as the grid, independent of the server's time zone.
  const bucket = `intDiv(toUnixTimestamp64Milli(Timestamp) - ${p.add("Int64", q.grid.firstMs)}, ${p.add("Int64", q.grid.stepMs)})`;
  // A span delivered twice is one call even before the table merges the copies: FINAL merges
  // them as it reads, in key order (a copy has the same key: service, name, time, span id), so
  // its memory stays flat over a long window (5M spans over two days: under 250 MB and 0.55 s,
  // where LIMIT 1 BY over (TraceId, SpanId) needed over 1 GB and 1.7 s).
  return ch.select<BucketRow>(
    `SELECT ServiceName AS service, ${q.groupByOperation ? "SpanName" : "''"} AS operation,
       ${bucket} AS bucket, ${measure.valueSql(p)} AS value
     FROM otel_traces FINAL
     WHERE ${where} ${visibleTraceCondition(p, scopes, candidates)}
     GROUP BY service, operation, bucket
     ORDER BY service, operation, bucket`,
    p.values,
    { signal },
  );
}

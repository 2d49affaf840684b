import type { QueryParams } from "../../executions/query-params.ts";
import { storedStatusCodes } from "../../traces/span.ts";

/**
 * What each route measures per bucket, named and described as Jaeger's Prometheus reader names
 * them (Jaeger UI files each answer under its `name`).
 */
export interface Measure {
  /** `service_…`; grouped by operation it becomes `service_operation_…`. */
  name: string;
  help: string;
  /** The bucket's aggregate over `otel_traces` rows. */
  valueSql(p: QueryParams): string;
  /** The point a bucket's aggregate gives, `seconds` being the bucket's length in the read. */
  point(value: number, seconds: number): number;
  /** A bucket without spans: no calls is a real zero; a ratio or quantile of nothing is a gap. */
  empty: number | null;
}

/** Spans per second: every span of the kinds asked for is one call. */
export const callRate: Measure = {
  name: "service_call_rate",
  help: "calls/sec, grouped by service",
  valueSql: () => "count()",
  point: (calls, seconds) => calls / seconds,
  empty: 0,
};

/** The fraction (0 to 1) of calls whose span has status ERROR. */
export const errorRate: Measure = {
  name: "service_error_rate",
  help: "error rate, computed as a fraction of errors/sec over calls/sec, grouped by service",
  valueSql: (p) =>
    `countIf(StatusCode IN ${p.add("Array(String)", storedStatusCodes("error"))}) / count()`,
  point: (fraction) => fraction,
  empty: null,
};

/**
 * A duration quantile in milliseconds: exact up to 8192 spans per bucket, interpolated linearly
 * between neighbours, a sample beyond — as Jaeger's own ClickHouse reader computes it, but with
 * `quantileDeterministic`, whose sample is chosen by a hash of each span's ids: the answer
 * depends on which spans are stored, never on the order they are read in.
 */
export function latency(quantile: number): Measure {
  return {
    name: "service_latencies",
    help: `${quantile.toFixed(2)}th quantile latency, grouped by service`,
    valueSql: (p) =>
      `quantileDeterministic(${p.add("Float64", quantile)})(Duration, cityHash64(TraceId, SpanId)) / 1e6`,
    point: (ms) => ms,
    empty: null,
  };
}

/** The stats reads: per-interval outcome counts, duration histograms and per-tool totals. */

import type { ClickHouse } from "@runtrace/clickhouse";
import {
  METRIC_ATTR_SCOPE_ID,
  METRIC_ATTR_STATUS,
  METRIC_ATTR_TOOL_NAMESPACE,
  METRIC_ATTR_TOOL_PATH,
  METRIC_ATTR_TOOL_STATUS,
  METRIC_EXECUTION_DURATION,
  METRIC_EXECUTION_OUTCOMES,
  METRIC_TOOL_CALL_DURATION,
  METRIC_TOOL_CALLS,
} from "@runtrace/semconv";
import type { BucketHistogram } from "./percentiles.ts";
import { histogramIncreases, type SeriesWindow, seriesParams, sumIncreases } from "./series.ts";

/** The time range and scopes of one stats request. */
export interface StatsRange {
  fromMs: number;
  toMs: number;
  /** `null`: every scope. */
  scopes: readonly string[] | null;
  signal: AbortSignal;
}

function window(metric: string, range: StatsRange): SeriesWindow {
  return {
    metric,
    fromMs: range.fromMs,
    toMs: range.toMs,
    scopes: range.scopes,
    scopeKey: METRIC_ATTR_SCOPE_ID,
  };
}

export interface OutcomeRow {
  bucket_start: number;
  status: string;
  executions: number;
}

/** Executions that ended, per interval and status. */
export function selectOutcomes(
  ch: ClickHouse,
  range: StatsRange,
  intervalMs: number,
): Promise<OutcomeRow[]> {
  const w = window(METRIC_EXECUTION_OUTCOMES, range);
  return ch.select<OutcomeRow>(
    `SELECT intDiv(point_ms, {interval:Int64}) * {interval:Int64} AS bucket_start,
      point_attributes[{statusKey:String}] AS status,
      sum(increase) AS executions
    FROM (${sumIncreases(w)})
    GROUP BY bucket_start, status
    ORDER BY bucket_start, status`,
    { ...seriesParams(w), interval: intervalMs, statusKey: METRIC_ATTR_STATUS },
    { signal: range.signal },
  );
}

interface HistogramRow {
  bounds: number[];
  observations: number;
  bucket_counts: number[];
  largest: number;
}

export interface DurationRow extends HistogramRow {
  bucket_start: number;
}

function toHistogram(row: HistogramRow): BucketHistogram & { observations: number } {
  return {
    bounds: row.bounds.map(Number),
    counts: row.bucket_counts.map(Number),
    max: Number(row.largest),
    observations: Number(row.observations),
  };
}

const HISTOGRAM_AGGREGATES = `bounds,
      sum(count_increase) AS observations,
      sumForEach(bucket_increases) AS bucket_counts,
      maxIf(point_max, count_increase > 0) AS largest`;

/** Execution durations per interval: one summed histogram per interval and set of bounds. */
export async function selectDurations(
  ch: ClickHouse,
  range: StatsRange,
  intervalMs: number,
): Promise<Array<{ start: number; histogram: BucketHistogram & { observations: number } }>> {
  const w = window(METRIC_EXECUTION_DURATION, range);
  const rows = await ch.select<DurationRow>(
    `SELECT intDiv(point_ms, {interval:Int64}) * {interval:Int64} AS bucket_start,
      ${HISTOGRAM_AGGREGATES}
    FROM (${histogramIncreases(w)})
    GROUP BY bucket_start, bounds`,
    { ...seriesParams(w), interval: intervalMs },
    { signal: range.signal },
  );
  return rows.map((row) => ({ start: Number(row.bucket_start), histogram: toHistogram(row) }));
}

export interface ToolCallsRow {
  tool_path: string;
  tool_namespace: string;
  calls: number;
  failures: number;
}

/** Calls and failures per tool path, most called first. */
export function selectToolCalls(
  ch: ClickHouse,
  range: StatsRange,
  limit: number,
): Promise<ToolCallsRow[]> {
  const w = window(METRIC_TOOL_CALLS, range);
  return ch.select<ToolCallsRow>(
    `SELECT point_attributes[{pathKey:String}] AS tool_path,
      argMax(point_attributes[{namespaceKey:String}], point_ms) AS tool_namespace,
      sum(increase) AS calls,
      sumIf(increase, point_attributes[{toolStatusKey:String}] = {failed:String}) AS failures
    FROM (${sumIncreases(w)})
    GROUP BY tool_path
    HAVING calls > 0
    ORDER BY calls DESC, tool_path ASC
    LIMIT {limit:UInt32}`,
    {
      ...seriesParams(w),
      pathKey: METRIC_ATTR_TOOL_PATH,
      namespaceKey: METRIC_ATTR_TOOL_NAMESPACE,
      toolStatusKey: METRIC_ATTR_TOOL_STATUS,
      failed: "failed",
      limit,
    },
    { signal: range.signal },
  );
}

interface ToolDurationRow extends HistogramRow {
  tool_path: string;
}

/** Tool-call durations of the given tool paths: summed histograms per path and bounds. */
export async function selectToolDurations(
  ch: ClickHouse,
  range: StatsRange,
  toolPaths: readonly string[],
): Promise<Map<string, BucketHistogram[]>> {
  const byPath = new Map<string, BucketHistogram[]>();
  if (toolPaths.length === 0) return byPath;
  const w = window(METRIC_TOOL_CALL_DURATION, range);
  const rows = await ch.select<ToolDurationRow>(
    `SELECT point_attributes[{pathKey:String}] AS tool_path,
      ${HISTOGRAM_AGGREGATES}
    FROM (${histogramIncreases(w, ["has({paths:Array(String)}, Attributes[{pathKey:String}])"])})
    GROUP BY tool_path, bounds`,
    { ...seriesParams(w), pathKey: METRIC_ATTR_TOOL_PATH, paths: toolPaths },
    { signal: range.signal },
  );
  for (const row of rows) {
    const list = byPath.get(row.tool_path) ?? [];
    list.push(toHistogram(row));
    byPath.set(row.tool_path, list);
  }
  return byPath;
}

/**
 * Cumulative → per-interval values, in SQL: sub-queries that give each metric point of a
 * window the increase it contributes.
 *
 * A series is one stream of points of the same metric, attributes, resource, instrumentation
 * scope and StartTimeUnix (and temporality). A new StartTimeUnix (a restarted process) is
 * therefore a new series. Within a series, points are ordered by TimeUnix and:
 *
 * - a delta point (AggregationTemporality = 1) counts as it is;
 * - a cumulative point counts `value − previous value` of its series;
 * - when the value drops (a monotonic counter, a histogram's Count or any bucket count) or a
 *   histogram's bounds change, it is a reset: the point counts its whole value;
 * - the first point of a series whose StartTimeUnix is inside the window counts in full; the
 *   first point of a series that started before the window is only a baseline (counts 0).
 *
 * To give a series that started before the window its baseline, the points of
 * {@link BASELINE_LOOKBACK_MS} before `from` are read too: the last of them is the previous
 * point of the first point inside the window. Exporters send every cumulative series at each
 * collection (60 s by default), so one hour is plenty.
 *
 * Every value is a query parameter; see {@link seriesParams}.
 */

/** How far before `from` the baseline point of a series is looked for. */
export const BASELINE_LOOKBACK_MS = 60 * 60 * 1000;

/** The window and filters every series sub-query reads. */
export interface SeriesWindow {
  metric: string;
  fromMs: number;
  toMs: number;
  /** Only points whose `Attributes[scopeKey]` is in this list; `null`: every scope. */
  scopes: readonly string[] | null;
  /** The attribute key holding the scope id. */
  scopeKey: string;
}

/** The query parameters of {@link sumIncreases} and {@link histogramIncreases}. */
export function seriesParams(window: SeriesWindow): Record<string, unknown> {
  return {
    metric: window.metric,
    from: window.fromMs,
    to: window.toMs,
    lookbackFrom: Math.max(0, window.fromMs - BASELINE_LOOKBACK_MS),
    scopeKey: window.scopeKey,
    scopes: window.scopes ?? [],
  };
}

/**
 * The series partition. Maps are hashed (they cannot be window keys); a 64-bit collision
 * between two series of one metric is not a practical concern.
 */
const SERIES = `PARTITION BY cityHash64(MetricName, Attributes, ResourceAttributes, ScopeName, ScopeVersion),
      StartTimeUnix, AggregationTemporality
    ORDER BY TimeUnix ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`;

/**
 * The points of a table matching the filter, each once: a point stored twice (two collectors
 * storing one re-sent request at the same instant) would otherwise count twice for a delta
 * series.
 */
function distinctPoints(table: string, columns: string, filter: string): string {
  return `(SELECT ${columns} FROM ${table}
      WHERE ${filter}
      LIMIT 1 BY cityHash64(MetricName, Attributes, ResourceAttributes, ScopeName, ScopeVersion),
        StartTimeUnix, AggregationTemporality, TimeUnix)`;
}

function pointFilter(scoped: boolean, extraConditions: readonly string[]): string {
  const conditions = [
    "MetricName = {metric:String}",
    "TimeUnix >= fromUnixTimestamp64Milli({lookbackFrom:Int64})",
    "TimeUnix < fromUnixTimestamp64Milli({to:Int64})",
    // 1 = delta, 2 = cumulative; 0 (unspecified) carries no usable meaning.
    "AggregationTemporality IN (1, 2)",
    ...(scoped ? ["has({scopes:Array(String)}, Attributes[{scopeKey:String}])"] : []),
    ...extraConditions,
  ];
  return conditions.join("\n      AND ");
}

/**
 * How a point counts (`point_mode`): 0 not at all (a baseline), 1 as the difference from the
 * previous point, 2 in full. `reset` is the SQL condition of a reset.
 */
function pointMode(reset: string): string {
  return `multiIf(
      AggregationTemporality = 1, 2,
      point_number = 1, if(StartTimeUnix >= fromUnixTimestamp64Milli({from:Int64}), 2, 0),
      ${reset}, 2,
      1)`;
}

/**
 * Sum points of `window.metric` inside [from, to) with the increase each contributes:
 * columns `point_ms` (Int64, TimeUnix in ms), `point_attributes` (Map) and `increase`
 * (Float64). `extraConditions` are further WHERE conditions on the raw table, their values as
 * query parameters.
 */
export function sumIncreases(
  window: SeriesWindow,
  extraConditions: readonly string[] = [],
): string {
  return `SELECT
    toUnixTimestamp64Milli(TimeUnix) AS point_ms,
    Attributes AS point_attributes,
    ${pointMode("IsMonotonic AND Value < previous_value")} AS point_mode,
    multiIf(point_mode = 2, Value, point_mode = 1, Value - previous_value, 0) AS increase
  FROM (
    SELECT TimeUnix, StartTimeUnix, Attributes, Value, AggregationTemporality, IsMonotonic,
      lagInFrame(Value) OVER series AS previous_value,
      row_number() OVER series AS point_number
    FROM ${distinctPoints(
      "otel_metrics_sum",
      "MetricName, Attributes, ResourceAttributes, ScopeName, ScopeVersion, TimeUnix, StartTimeUnix, Value, AggregationTemporality, IsMonotonic",
      pointFilter(window.scopes !== null, extraConditions),
    )}
    WINDOW series AS (${SERIES})
  )
  WHERE TimeUnix >= fromUnixTimestamp64Milli({from:Int64})`;
}

/**
 * Histogram points of `window.metric` inside [from, to) with what each contributes: columns
 * `point_ms`, `point_attributes`, `bounds` (ExplicitBounds), `count_increase` (Int64),
 * `sum_increase` (Float64), `bucket_increases` (Array(Int64), one per bucket, overflow last)
 * and `point_max` (the point's Max, 0 when not stored).
 */
export function histogramIncreases(
  window: SeriesWindow,
  extraConditions: readonly string[] = [],
): string {
  // A previous point with other bounds (or none) cannot be subtracted bucket by bucket: its
  // place is taken by zeros of the right length, and the point counts as a reset.
  const reset =
    "NOT same_shape OR Count < previous_count OR arrayExists((v, p) -> v < p, BucketCounts, aligned_previous)";
  return `SELECT
    toUnixTimestamp64Milli(TimeUnix) AS point_ms,
    Attributes AS point_attributes,
    ExplicitBounds AS bounds,
    Max AS point_max,
    ExplicitBounds = previous_bounds AND length(BucketCounts) = length(previous_buckets) AS same_shape,
    if(same_shape, previous_buckets, arrayWithConstant(length(BucketCounts), toUInt64(0))) AS aligned_previous,
    ${pointMode(reset)} AS point_mode,
    multiIf(
      point_mode = 2, toInt64(Count),
      point_mode = 1, toInt64(Count) - toInt64(previous_count),
      toInt64(0)) AS count_increase,
    multiIf(point_mode = 2, Sum, point_mode = 1, Sum - previous_sum, 0) AS sum_increase,
    multiIf(
      point_mode = 2, arrayMap(v -> toInt64(v), BucketCounts),
      point_mode = 1, arrayMap((v, p) -> toInt64(v) - toInt64(p), BucketCounts, aligned_previous),
      arrayWithConstant(length(BucketCounts), toInt64(0))) AS bucket_increases
  FROM (
    SELECT TimeUnix, StartTimeUnix, Attributes, Count, Sum, BucketCounts, ExplicitBounds, Max,
      AggregationTemporality,
      lagInFrame(Count) OVER series AS previous_count,
      lagInFrame(Sum) OVER series AS previous_sum,
      lagInFrame(BucketCounts) OVER series AS previous_buckets,
      lagInFrame(ExplicitBounds) OVER series AS previous_bounds,
      row_number() OVER series AS point_number
    FROM ${distinctPoints(
      "otel_metrics_histogram",
      "MetricName, Attributes, ResourceAttributes, ScopeName, ScopeVersion, TimeUnix, StartTimeUnix, Count, Sum, BucketCounts, ExplicitBounds, Max, AggregationTemporality",
      pointFilter(window.scopes !== null, extraConditions),
    )}
    WINDOW series AS (${SERIES})
  )
  WHERE TimeUnix >= fromUnixTimestamp64Milli({from:Int64})`;
}

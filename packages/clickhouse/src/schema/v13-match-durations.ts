import { durationBucketSql } from "../rows/duration-buckets.ts";
import { toolMatchersSql } from "../rows/tool-matchers.ts";
import type { Migration } from "./migration.ts";
import {
  DAY_SECONDS,
  type DurationRollup,
  HOUR_SECONDS,
  periodOf,
  rollupStatements,
} from "./v11-duration-counts.ts";

const matchDurations = (table: string, seconds: number): DurationRollup => ({
  table,
  periodSeconds: seconds,
  columns:
    "matcher LowCardinality(String), status LowCardinality(String), bucket UInt16, runs Int64",
  key: "matcher, status, bucket",
  select: (source, sign, where = "1") =>
    `SELECT scope_id, ${periodOf(seconds)} AS period_start, matcher, status,
      ${durationBucketSql("greatest(assumeNotNull(duration_ms), 0) * 1000")} AS bucket, ${sign}count() AS runs
    FROM ${source} ARRAY JOIN ${toolMatchersSql("tool_paths")} AS matcher
    WHERE duration_ms IS NOT NULL AND ${where}
    GROUP BY scope_id, period_start, matcher, status, bucket`,
});

/**
 * Finished runs per tool-filter value (`rows/tool-matchers.ts`), status and duration bucket, by
 * hour and by day: the p50/p95 of a tool filter's runs.
 */
export const MATCH_DURATION_ROLLUPS: readonly DurationRollup[] = [
  matchDurations("run_duration_match_hours", HOUR_SECONDS),
  matchDurations("run_duration_match_days", DAY_SECONDS),
];

/**
 * Schema version 13: run durations per tool-filter value, for the numbers of a tool filter.
 *
 * Why: under `tool=` the numbers' p50/p95 read the paths and duration of every run in the range
 * (1.6 s over 30 days at 10M runs) while its counts came from `tool_match_counts` (v7). These
 * two rollups are v11's run durations keyed by the value instead of the trigger and
 * elicitation (with them too, a day would hold a row per value, status, trigger, elicitation
 * and bucket), kept exact the same way: a view adds each row written to `executions`, another
 * takes a superseded row back, the writer puts repeats back (run-writer.ts). Sorted by value
 * before the period, so one value's range is one contiguous read.
 */
export const v13MatchDurations: Migration = {
  version: 13,
  name: "run durations per tool-filter value",
  statements: ({ retentionDays }) =>
    MATCH_DURATION_ROLLUPS.flatMap((r) =>
      rollupStatements(r, "scope_id, matcher, period_start, status, bucket", retentionDays),
    ),
};

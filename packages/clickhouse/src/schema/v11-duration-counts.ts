import { durationBucketSql } from "../rows/duration-buckets.ts";
import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/** The two widths of the v11 rollups: whole days are read from one, whole hours from the other. */
export const HOUR_SECONDS = 3600;
export const DAY_SECONDS = 86_400;

/** The start of the period of `seconds` a run's `created_at` falls in. */
export const periodOf = (seconds: number) =>
  `toDateTime(intDiv(toUnixTimestamp(created_at), ${seconds}) * ${seconds}, 'UTC')`;

const TOOL_CALL_STATS_TYPE = "Array(Tuple(path String, failed Bool, bucket UInt16, calls UInt32))";

/** One v11 rollup: its table, width, columns and what a block of run rows adds to it. */
export interface DurationRollup {
  table: string;
  periodSeconds: number;
  /** Column definitions after scope_id and period_start. */
  columns: string;
  /** Sorting key columns after scope_id and period_start. */
  key: string;
  /** What the rows of `source` add (sign "") or take back (sign "-"). */
  select(source: string, sign: "" | "-", where?: string): string;
}

const runDurations = (table: string, seconds: number): DurationRollup => ({
  table,
  periodSeconds: seconds,
  columns: `status LowCardinality(String), trigger_kind LowCardinality(String),
      has_elicitation Bool, bucket UInt16, runs Int64`,
  key: "status, trigger_kind, has_elicitation, bucket",
  select: (source, sign, where = "1") =>
    `SELECT scope_id, ${periodOf(seconds)} AS period_start, status, trigger_kind, has_elicitation,
      ${durationBucketSql("greatest(assumeNotNull(duration_ms), 0) * 1000")} AS bucket, ${sign}count() AS runs
    FROM ${source} WHERE duration_ms IS NOT NULL AND ${where}
    GROUP BY scope_id, period_start, status, trigger_kind, has_elicitation, bucket`,
});

const toolCalls = (table: string, seconds: number): DurationRollup => ({
  table,
  periodSeconds: seconds,
  columns: `tool_path LowCardinality(String), status LowCardinality(String),
      trigger_kind LowCardinality(String), has_elicitation Bool, calls Int64, failures Int64`,
  key: "tool_path, status, trigger_kind, has_elicitation",
  select: (source, sign, where = "1") =>
    `SELECT scope_id, ${periodOf(seconds)} AS period_start, stat.path AS tool_path, status,
      trigger_kind, has_elicitation, ${sign}toInt64(sum(stat.calls)) AS calls,
      ${sign}toInt64(sumIf(stat.calls, stat.failed)) AS failures
    FROM ${source} ARRAY JOIN tool_call_stats AS stat WHERE ${where}
    GROUP BY scope_id, period_start, tool_path, status, trigger_kind, has_elicitation`,
});

const toolDurations = (table: string, seconds: number): DurationRollup => ({
  table,
  periodSeconds: seconds,
  columns:
    "tool_path LowCardinality(String), status LowCardinality(String), bucket UInt16, calls Int64",
  key: "tool_path, status, bucket",
  select: (source, sign, where = "1") =>
    `SELECT scope_id, ${periodOf(seconds)} AS period_start, stat.path AS tool_path, status,
      stat.bucket AS bucket, ${sign}toInt64(sum(stat.calls)) AS calls
    FROM ${source} ARRAY JOIN tool_call_stats AS stat WHERE ${where}
    GROUP BY scope_id, period_start, tool_path, status, bucket`,
});

/**
 * The v11 rollups, each by hour and by day: finished runs per duration bucket (by status,
 * trigger and elicitation), tool calls and failures per path (the same), and tool calls per
 * path and duration bucket (by status only: with the trigger and elicitation too the table
 * would hold about a row per call).
 */
export const DURATION_ROLLUPS: readonly DurationRollup[] = [
  runDurations("run_duration_hours", HOUR_SECONDS),
  runDurations("run_duration_days", DAY_SECONDS),
  toolCalls("tool_call_hours", HOUR_SECONDS),
  toolCalls("tool_call_days", DAY_SECONDS),
  toolDurations("tool_duration_hours", HOUR_SECONDS),
  toolDurations("tool_duration_days", DAY_SECONDS),
];

/** Rows of `executions` that are their run's current version (the back-fill's view). */
const CURRENT_ROWS = "row_id NOT IN (SELECT row_id FROM superseded_executions)";

/** The back-fill's Join table as a string literal: a mutation has no current database. */
const joinTable = (database: string) =>
  `'${database.replace(/[\\']/g, (c) => `\\${c}`)}.v11_tool_call_stats'`;

/**
 * Schema version 11: durations in the rollups, for the numbers of a filter (count, failure
 * rate, p50/p95 of run durations, per-tool calls, failures and p95) at any number of runs.
 *
 * - Run rows gain `tool_call_stats`: the run's tool calls counted per path, failure and
 *   duration bucket (`rows/duration-buckets.ts`), derived by the writer from the run's stored
 *   tool-call spans like `tool_paths`. Superseded records gain `duration_ms` and
 *   `tool_call_stats`, so a replaced row's durations are taken back out like its counts.
 * - Six rollups (`DURATION_ROLLUPS`: run durations, tool calls and failures, tool durations,
 *   each per hour and per day) are summed by materialized views from `executions` and taken
 *   back by views from `superseded_executions`, as `run_counts` is (v4): exact counts, so
 *   quantiles are exact to the bucket. The writer puts repeats back (run-writer.ts).
 * - Why two widths: with duration buckets a rollup holds up to a row per bucket and key, so an
 *   hourly one grows with the runs (8 M rows of tool calls per path, outcome and bucket at 1 M
 *   runs, 430 ms to read 30 days). Whole days are read from the daily tables, the whole hours
 *   around them from the hourly ones, the partial hours from the run rows.
 * - Back-fill: rows written before get `tool_call_stats` from their run's stored tool calls —
 *   all of them, without the writer's time window (`belongsTo`) and path cap, so an old run's
 *   numbers may count a stray call the writer would leave out; the rollups stay consistent
 *   with the rows (a superseded record carries the same stats). The rollups count the current
 *   version of each run.
 */
export const v11DurationCounts: Migration = {
  version: 11,
  name: "run and tool-call duration counts",
  statements: ({ retentionDays, database }) => [
    ...["executions", "execution_states"].map(
      (table) => `ALTER TABLE ${table}
        ADD COLUMN IF NOT EXISTS tool_call_stats ${TOOL_CALL_STATS_TYPE} AFTER tool_path_calls`,
    ),
    ...["superseded_executions", "superseded_repeats"].map(
      (table) => `ALTER TABLE ${table}
        ADD COLUMN IF NOT EXISTS duration_ms Nullable(Int64),
        ADD COLUMN IF NOT EXISTS tool_call_stats ${TOOL_CALL_STATS_TYPE}`,
    ),
    `DROP TABLE IF EXISTS v11_tool_call_stats`,
    `CREATE TABLE v11_tool_call_stats ENGINE = Join(ANY, LEFT, scope_id, execution_id)
     AS SELECT scope_id, execution_id,
       CAST(arraySort(groupArray((tool_path, failed, bucket, n))), '${TOOL_CALL_STATS_TYPE}') AS stats
     FROM (
       SELECT scope_id, execution_id, tool_path, status = 'failed' AS failed,
         ${durationBucketSql("duration_us")} AS bucket, toUInt32(count()) AS n
       FROM (SELECT * FROM tool_calls FINAL)
       GROUP BY scope_id, execution_id, tool_path, failed, bucket
     ) GROUP BY scope_id, execution_id`,
    ...["executions", "execution_states"].map(
      (table) => `ALTER TABLE ${table} UPDATE
        tool_call_stats = joinGet(${joinTable(database)}, 'stats', scope_id, execution_id)
      WHERE empty(tool_call_stats) AND tool_call_count > 0
      SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1`,
    ),
    `DROP TABLE IF EXISTS v11_tool_call_stats`,
    ...DURATION_ROLLUPS.flatMap((r) =>
      rollupStatements(r, `scope_id, period_start, ${r.key}`, retentionDays),
    ),
  ],
};

/**
 * A rollup's table (sorted by `sortingKey`), its back-fill from the current run rows, and the
 * views that add each row written to `executions` and take each superseded row back out.
 */
export function rollupStatements(
  r: DurationRollup,
  sortingKey: string,
  retentionDays: number,
): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${r.table} (
        scope_id LowCardinality(String),
        period_start DateTime('UTC'),
        ${r.columns}
      ) ENGINE = SummingMergeTree
      PARTITION BY toYYYYMM(period_start)
      ORDER BY (${sortingKey})
      -- A period is dropped once its end is past retention, not its start: a day's row would
      -- otherwise go up to a day before its last runs.
      ${ttl(`period_start + toIntervalSecond(${r.periodSeconds})`, retentionDays)}
      SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000`,
    `TRUNCATE TABLE ${r.table}`,
    `INSERT INTO ${r.table} ${r.select("executions", "", CURRENT_ROWS)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${r.table}_mv TO ${r.table}
        AS ${r.select("executions", "")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS superseded_${r.table}_mv TO ${r.table}
        AS ${r.select("superseded_executions", "-")}`,
  ];
}

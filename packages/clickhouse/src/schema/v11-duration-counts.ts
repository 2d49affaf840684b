import { durationBucketSql } from "../rows/duration-buckets.ts";
import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/** Width of a `run_duration_counts` / `tool_call_counts` period: an hour, as `tool_counts`. */
export const DURATION_COUNTS_PERIOD_SECONDS = 3600;

const periodOf = `toDateTime(intDiv(toUnixTimestamp(created_at), ${DURATION_COUNTS_PERIOD_SECONDS}) * ${DURATION_COUNTS_PERIOD_SECONDS}, 'UTC')`;

const TOOL_CALL_STATS_TYPE = "Array(Tuple(path String, failed Bool, bucket UInt16, calls UInt32))";

/** Finished runs per period and duration bucket of the rows of `table`, times `sign`. */
const runDurationsSelect = (table: string, sign: "" | "-", where = "1", final = "") =>
  `SELECT scope_id, ${periodOf} AS period_start, status, trigger_kind, has_elicitation,
      ${durationBucketSql("greatest(assumeNotNull(duration_ms), 0) * 1000")} AS bucket, ${sign}count() AS runs
    FROM ${table} ${final} WHERE duration_ms IS NOT NULL AND ${where}
    GROUP BY scope_id, period_start, status, trigger_kind, has_elicitation, bucket`;

/** Tool calls per period, path, outcome and duration bucket of the rows of `table`, times `sign`. */
const toolCallsSelect = (table: string, sign: "" | "-", where = "1", final = "") =>
  `SELECT scope_id, ${periodOf} AS period_start, stat.path AS tool_path, status, trigger_kind,
      has_elicitation, stat.failed AS failed, stat.bucket AS bucket, ${sign}sum(stat.calls) AS calls
    FROM ${table} ${final} ARRAY JOIN tool_call_stats AS stat WHERE ${where}
    GROUP BY scope_id, period_start, tool_path, status, trigger_kind, has_elicitation, failed, bucket`;

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
 * - `run_duration_counts` (finished runs per hour by scope, status, trigger, elicitation and
 *   duration bucket) and `tool_call_counts` (tool calls per hour by the same, path, failure and
 *   bucket) are summed by materialized views from `executions` and taken back by views from
 *   `superseded_executions`, as `run_counts` is (v4): exact counts, so quantiles are exact to
 *   the bucket. The writer puts repeats back (run-writer.ts).
 * - Back-fill: rows written before get `tool_call_stats` from their run's stored tool calls;
 *   the rollups count the current version of each run.
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
    `CREATE TABLE IF NOT EXISTS run_duration_counts (
      scope_id LowCardinality(String),
      period_start DateTime('UTC'),
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      has_elicitation Bool,
      bucket UInt16,
      runs Int64
    ) ENGINE = SummingMergeTree
    PARTITION BY toYYYYMM(period_start)
    ORDER BY (scope_id, period_start, status, trigger_kind, has_elicitation, bucket)
    ${ttl("period_start", retentionDays)}
    SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000`,
    `CREATE TABLE IF NOT EXISTS tool_call_counts (
      scope_id LowCardinality(String),
      period_start DateTime('UTC'),
      tool_path LowCardinality(String),
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      has_elicitation Bool,
      failed Bool,
      bucket UInt16,
      calls Int64
    ) ENGINE = SummingMergeTree
    PARTITION BY toYYYYMM(period_start)
    ORDER BY (scope_id, period_start, tool_path, status, trigger_kind, has_elicitation, failed, bucket)
    ${ttl("period_start", retentionDays)}
    SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000`,
    "TRUNCATE TABLE run_duration_counts",
    "TRUNCATE TABLE tool_call_counts",
    `INSERT INTO run_duration_counts ${runDurationsSelect("executions", "", CURRENT_ROWS)}`,
    `INSERT INTO tool_call_counts ${toolCallsSelect("executions", "", CURRENT_ROWS)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS run_duration_counts_mv TO run_duration_counts
      AS ${runDurationsSelect("executions", "")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS superseded_run_duration_counts_mv TO run_duration_counts
      AS ${runDurationsSelect("superseded_executions", "-")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS tool_call_counts_mv TO tool_call_counts
      AS ${toolCallsSelect("executions", "")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS superseded_tool_call_counts_mv TO tool_call_counts
      AS ${toolCallsSelect("superseded_executions", "-")}`,
  ],
};

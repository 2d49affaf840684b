import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/** Width of a `run_counts` period: every timeline step from 5 minutes up is a multiple of it. */
export const RUN_COUNTS_PERIOD_SECONDS = 300;
/** Width of a `tool_counts` period: tool facets have no buckets, so an hour keeps it small. */
export const TOOL_COUNTS_PERIOD_SECONDS = 3600;

/** The start of a run's period, in UTC whatever the server's time zone. */
const periodOf = (seconds: number) =>
  `toDateTime(intDiv(toUnixTimestamp(created_at), ${seconds}) * ${seconds}, 'UTC')`;

/** The back-fill's Join table as a string literal: a mutation has no current database. */
const joinTable = (database: string) =>
  `'${database.replace(/[\\']/g, (c) => `\\${c}`)}.v3_tool_paths'`;

const ROLLUP_SETTINGS = "SETTINGS index_granularity = 8192";

/** Runs per period of the final rows a block of `executions` holds. */
const RUN_COUNTS_SELECT = `SELECT scope_id, ${periodOf(RUN_COUNTS_PERIOD_SECONDS)} AS period_start, status,
      trigger_kind, has_elicitation, count() AS runs
    FROM executions GROUP BY scope_id, period_start, status, trigger_kind, has_elicitation`;

/** Tool calls per period and path of the final rows a block of `executions` holds. */
const TOOL_COUNTS_SELECT = `SELECT scope_id, ${periodOf(TOOL_COUNTS_PERIOD_SECONDS)} AS period_start, path AS tool_path,
      status, trigger_kind, has_elicitation, sum(n) AS calls
    FROM executions ARRAY JOIN tool_paths AS path, tool_path_calls AS n
    GROUP BY scope_id, period_start, tool_path, status, trigger_kind, has_elicitation`;

/**
 * Schema version 3: a run's tool paths on its row, and pre-counted runs and tool calls.
 *
 * - `tool_paths` / `tool_path_calls` (from the SDK's snapshot attributes) let the tool filter
 *   test a run's own row instead of building a set of run ids from `tool_calls`.
 * - `run_counts` (runs per 5 minutes by scope, status, trigger and elicitation) and
 *   `tool_counts` (tool calls per hour, by the same and the tool path) are summed by
 *   materialized views from every final row written to `executions`. The list's facets,
 *   timeline and total read whole periods from them and only the range's partial edges (and
 *   unfinished runs) from the run tables, so their cost does not grow with the number of runs.
 * - Finished runs whose snapshots were never deleted are cleaned up once: from this version
 *   on, readers rely on a run's latest snapshot row alone (the writer adds a copy of the final
 *   row to `execution_states` when a run with stored snapshots finishes).
 */
export const v3RunRollups: Migration = {
  version: 3,
  name: "tool paths on run rows; run and tool-call count rollups",
  statements: ({ retentionDays, database }) => [
    ...["executions", "execution_states"].map(
      (table) => `ALTER TABLE ${table}
        ADD COLUMN IF NOT EXISTS tool_paths Array(LowCardinality(String)) AFTER tool_call_count,
        ADD COLUMN IF NOT EXISTS tool_path_calls Array(UInt32) AFTER tool_paths`,
    ),
    // Back-fill the new columns of rows written before: each run's paths in order of first call.
    `DROP TABLE IF EXISTS v3_tool_paths`,
    `CREATE TABLE v3_tool_paths ENGINE = Join(ANY, LEFT, scope_id, execution_id)
     AS SELECT scope_id, execution_id,
       arrayMap(x -> x.2, arraySort(groupArray((first, tool_path, n)))) AS paths,
       arrayMap(x -> x.3, arraySort(groupArray((first, tool_path, n)))) AS calls
     FROM (
       SELECT scope_id, execution_id, tool_path, min(started_at) AS first, toUInt32(count()) AS n
       FROM tool_calls GROUP BY scope_id, execution_id, tool_path
     ) GROUP BY scope_id, execution_id`,
    ...["executions", "execution_states"].map(
      (table) => `ALTER TABLE ${table} UPDATE
        tool_paths = joinGet(${joinTable(database)}, 'paths', scope_id, execution_id),
        tool_path_calls = joinGet(${joinTable(database)}, 'calls', scope_id, execution_id)
      WHERE empty(tool_paths) AND tool_call_count > 0
      SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1`,
    ),
    `DROP TABLE IF EXISTS v3_tool_paths`,
    `DELETE FROM execution_states WHERE (scope_id, execution_id) IN (
       SELECT scope_id, execution_id FROM executions
       WHERE execution_id IN (SELECT execution_id FROM execution_states))`,

    `CREATE TABLE IF NOT EXISTS run_counts (
      scope_id LowCardinality(String),
      period_start DateTime('UTC'),
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      has_elicitation Bool,
      runs UInt64
    ) ENGINE = SummingMergeTree
    PARTITION BY toYYYYMM(period_start)
    ORDER BY (scope_id, period_start, status, trigger_kind, has_elicitation)
    ${ttl("period_start", retentionDays)}
    ${ROLLUP_SETTINGS}`,
    `CREATE TABLE IF NOT EXISTS tool_counts (
      scope_id LowCardinality(String),
      period_start DateTime('UTC'),
      tool_path LowCardinality(String),
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      has_elicitation Bool,
      calls UInt64
    ) ENGINE = SummingMergeTree
    PARTITION BY toYYYYMM(period_start)
    ORDER BY (scope_id, period_start, tool_path, status, trigger_kind, has_elicitation)
    ${ttl("period_start", retentionDays)}
    ${ROLLUP_SETTINGS}`,
    // Back-fill from the rows already stored (none in a new directory), then count new rows as
    // they come. Emptied first, so a migration interrupted here and run again counts once.
    "TRUNCATE TABLE run_counts",
    "TRUNCATE TABLE tool_counts",
    `INSERT INTO run_counts ${RUN_COUNTS_SELECT}`,
    `INSERT INTO tool_counts ${TOOL_COUNTS_SELECT}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS run_counts_mv TO run_counts AS ${RUN_COUNTS_SELECT}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS tool_counts_mv TO tool_counts AS ${TOOL_COUNTS_SELECT}`,
  ],
};

import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";
import { RUN_COUNTS_PERIOD_SECONDS, TOOL_COUNTS_PERIOD_SECONDS } from "./v3-run-rollups.ts";

const periodOf = (seconds: number) =>
  `toDateTime(intDiv(toUnixTimestamp(created_at), ${seconds}) * ${seconds}, 'UTC')`;

/** Tool calls and runs per period and path of the rows a block of `executions` holds. */
const TOOL_COUNTS_SELECT = `SELECT scope_id, ${periodOf(TOOL_COUNTS_PERIOD_SECONDS)} AS period_start, path AS tool_path,
      status, trigger_kind, has_elicitation, sum(n) AS calls, count() AS runs
    FROM executions ARRAY JOIN tool_paths AS path, tool_path_calls AS n
    GROUP BY scope_id, period_start, tool_path, status, trigger_kind, has_elicitation`;

/** What a superseded row had counted, taken back out of `run_counts`. */
const RETRACT_RUNS_SELECT = `SELECT scope_id, ${periodOf(RUN_COUNTS_PERIOD_SECONDS)} AS period_start, status,
      trigger_kind, has_elicitation, -count() AS runs
    FROM superseded_executions GROUP BY scope_id, period_start, status, trigger_kind, has_elicitation`;

/** …and out of `tool_counts`. */
const RETRACT_TOOLS_SELECT = `SELECT scope_id, ${periodOf(TOOL_COUNTS_PERIOD_SECONDS)} AS period_start, path AS tool_path,
      status, trigger_kind, has_elicitation, -sum(n) AS calls, -count() AS runs
    FROM superseded_executions ARRAY JOIN tool_paths AS path, tool_path_calls AS n
    GROUP BY scope_id, period_start, tool_path, status, trigger_kind, has_elicitation`;

/** The columns of a superseded row that its counts depend on. */
const SUPERSEDED_COLUMNS = `
      scope_id LowCardinality(String),
      created_at DateTime64(3),
      execution_id String,
      row_id UInt64,
      record_id UInt64,
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      has_elicitation Bool,
      tool_paths Array(LowCardinality(String)),
      tool_path_calls Array(UInt32)`;

/**
 * Schema version 4: a run's row is derived from the spans stored for it, whatever order they
 * arrived in.
 *
 * Why versioned rows and not aggregate states or FINAL: a run's tool calls and interactions
 * may arrive before, with or long after its root span, through several collectors at once.
 * Its row (and its counts in the rollups) must then be what all of its stored spans give.
 * - The writer re-derives a run's row whenever a span of the run arrives and inserts it as a
 *   new version (`version` packs final-ness, the root's sequence and the number of child
 *   spans, so the row built from more of the run's spans wins). Reading `executions` with
 *   FINAL or argMax to pick the latest version cost 380–550 ms and 1.35 s over 30 days at 10M
 *   runs (DESIGN.md). A run's versions share its key, so they sort together: a page read in key
 *   order keeps each run's first row after `version DESC` (`LIMIT 1 BY execution_id`, no
 *   FINAL, no look-up). Every replaced version is also listed, by `row_id`, in the small
 *   `superseded_executions`: reads in another order (duration sort, code and tool filters'
 *   counts) exclude those ids (`row_id NOT IN …` over the same key range, a few ms), and its
 *   materialized views take the replaced row's counts back out of the rollups, so whole
 *   periods are counted from the rollups as before. `row_id` joins the sorting key so merges
 *   never collapse two versions of a run (the readers, not a merge, decide which one counts).
 *   Rows written before this version have `row_id` 0 and are never replaced.
 * - Two collectors may both record the same replaced row. Each writer reads back what it
 *   recorded; a repeat (it needs two writers on one run at the same instant) is counted back
 *   into the rollups by inserts whose deduplication token names it, so that ClickHouse keeps
 *   one whichever writers insert it (hence the rollups' deduplication window), and listed in
 *   `superseded_repeats`. Readers never read either table.
 * - `tool_counts` gains `runs` (runs that called the path) beside `calls`; both rollups become
 *   signed for the retractions.
 */
export const v4DerivedRuns: Migration = {
  version: 4,
  name: "run rows derived from stored spans; superseded versions; runs per tool path",
  statements: ({ retentionDays }) => [
    `ALTER TABLE executions
      ADD COLUMN IF NOT EXISTS row_id UInt64 AFTER execution_id,
      ADD COLUMN IF NOT EXISTS reported_tool_call_count UInt32 AFTER tool_call_count,
      ADD COLUMN IF NOT EXISTS reported_interaction_count UInt32 AFTER interaction_count,
      MODIFY ORDER BY (scope_id, created_at, execution_id, row_id)`,
    // Snapshots of finished runs leave by lightweight deletes as patch parts (settled-states.ts),
    // which need the block number and offset columns.
    `ALTER TABLE execution_states MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1`,
    `ALTER TABLE execution_states
      ADD COLUMN IF NOT EXISTS row_id UInt64 AFTER execution_id,
      ADD COLUMN IF NOT EXISTS reported_tool_call_count UInt32 AFTER tool_call_count,
      ADD COLUMN IF NOT EXISTS reported_interaction_count UInt32 AFTER interaction_count`,
    // One row per retraction: a writer inserts a record once (a retried insert carries the
    // same deduplication token), so the views below take each record out exactly once.
    `CREATE TABLE IF NOT EXISTS superseded_executions (${SUPERSEDED_COLUMNS}
    ) ENGINE = MergeTree
    PARTITION BY toDate(created_at)
    ORDER BY (scope_id, created_at, execution_id, row_id, record_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000`,
    // Records of a row that another writer had already recorded (each counted back into the
    // rollups once): kept to tell what happened.
    `CREATE TABLE IF NOT EXISTS superseded_repeats (${SUPERSEDED_COLUMNS}
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toDate(created_at)
    ORDER BY (scope_id, created_at, execution_id, row_id, record_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000`,
    "ALTER TABLE run_counts MODIFY COLUMN runs Int64",
    ...["run_counts", "tool_counts"].map(
      (table) => `ALTER TABLE ${table} MODIFY SETTING non_replicated_deduplication_window = 1000`,
    ),
    `ALTER TABLE tool_counts MODIFY COLUMN calls Int64, ADD COLUMN IF NOT EXISTS runs Int64 AFTER calls`,
    // Count runs per path from here on; the counts already stored are rebuilt with it.
    "DROP VIEW IF EXISTS tool_counts_mv",
    "TRUNCATE TABLE tool_counts",
    `INSERT INTO tool_counts ${TOOL_COUNTS_SELECT}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS tool_counts_mv TO tool_counts AS ${TOOL_COUNTS_SELECT}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS superseded_run_counts_mv TO run_counts AS ${RETRACT_RUNS_SELECT}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS superseded_tool_counts_mv TO tool_counts AS ${RETRACT_TOOLS_SELECT}`,
  ],
};

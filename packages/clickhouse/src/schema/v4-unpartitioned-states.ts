import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";
import { executionColumns } from "./v1-initial.ts";

const REBUILT = "execution_states_v4";

/** `execution_states` as of version 3 (tool paths added), without a partition key. */
function unpartitionedStates(name: string, retentionDays: number): string {
  const columns = executionColumns().replace(
    "tool_call_count UInt32,",
    "tool_call_count UInt32,\n      tool_paths Array(LowCardinality(String)),\n      tool_path_calls Array(UInt32),",
  );
  return `CREATE TABLE IF NOT EXISTS ${name} (${columns},
      INDEX idx_execution_id execution_id TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_updated_at updated_at TYPE minmax GRANULARITY 1
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (scope_id, created_at, execution_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 0, non_replicated_deduplication_window = 1000`;
}

/**
 * Schema version 4: `execution_states` without daily partitions.
 *
 * The table only holds snapshots of unfinished runs (the writer deletes a run's snapshots once
 * it finishes), so it stays small — yet every list read takes the latest snapshot per run with
 * `FINAL`, and FINAL works part by part within each partition: at 30 daily partitions a
 * 30-day read cost about twice what one merged partition costs (measured at 10M runs, 100k
 * snapshots: 22 ms against 10 ms). Without partitions whole parts rarely expire at once, so its
 * TTL deletes rows in merges instead of dropping parts.
 *
 * A partition key cannot be altered: the rows move to a new table that then takes the old
 * one's name. Every statement can run again after an interruption anywhere: both tables are
 * created only if missing (so a swap cut off between the drop and the rename finds its old
 * name again, empty), and the copy collapses duplicates (ReplacingMergeTree).
 */
export const v4UnpartitionedStates: Migration = {
  version: 4,
  name: "execution_states without daily partitions",
  statements: ({ retentionDays }) => [
    unpartitionedStates(REBUILT, retentionDays),
    unpartitionedStates("execution_states", retentionDays),
    `INSERT INTO ${REBUILT} SELECT * FROM execution_states`,
    // The lookup view reads its source by name: drop it while the name changes hands.
    "DROP VIEW IF EXISTS execution_ids_from_states_mv",
    "DROP TABLE execution_states SYNC",
    `RENAME TABLE ${REBUILT} TO execution_states`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS execution_ids_from_states_mv TO execution_ids
     AS SELECT execution_id, scope_id, created_at, trace_id FROM execution_states`,
  ],
};

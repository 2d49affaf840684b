import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/** One ledger row per run row inserted, stamped by ClickHouse as the insert runs. */
const LEDGER_SELECT = (table: string) =>
  `SELECT scope_id, created_at, execution_id, version FROM ${table}`;

/**
 * Schema version 5: `run_arrivals`, a ledger of when each run row reached ClickHouse, for live
 * mode's arrival order (`read/arrival.ts`).
 *
 * - Filled by materialized views on `executions` and `execution_states`, so it is written in
 *   the same INSERT as the rows (nothing for a writer to send or forget) and stamped by the
 *   server's clock (`now64(6)`, one clock for every collector), never by a writer.
 * - A plain MergeTree: nothing collapses. Snapshots in `execution_states` are replaced by
 *   merges and deleted once their run is final; a run's first arrival, and when its current
 *   version first arrived, must not move later when that happens (a run would be returned
 *   twice), however two writers raced on its first rows.
 * - Rows stored before this version have no ledger rows: they arrived before anyone followed.
 * - Keyed like the run tables (look-ups of a run's rows by key); a minmax index on
 *   `arrived_at`: parts are written in arrival order and merged with parts of nearly the same
 *   age, so "arrived after X" reads only the newest parts.
 */
export const v5ArrivalOrder: Migration = {
  version: 5,
  name: "run arrival ledger",
  statements: ({ retentionDays }) => [
    `CREATE TABLE IF NOT EXISTS run_arrivals (
      scope_id LowCardinality(String),
      created_at DateTime64(3),
      execution_id String,
      version UInt64,
      arrived_at DateTime64(6) DEFAULT now64(6),
      INDEX idx_arrived_at arrived_at TYPE minmax GRANULARITY 1
    ) ENGINE = MergeTree
    PARTITION BY toDate(created_at)
    ORDER BY (scope_id, created_at, execution_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
    ...["executions", "execution_states"].map(
      (table) =>
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_arrivals_mv TO run_arrivals
          AS ${LEDGER_SELECT(table)}`,
    ),
  ],
};

import type { Migration } from "./migration.ts";

const RUN_TABLES = ["executions", "execution_states"] as const;

/**
 * Schema version 5: when each run row reached ClickHouse, for live mode's arrival order.
 *
 * - `arrived_at` is stamped by ClickHouse as the insert runs (`now64(6)`, the server's clock:
 *   one clock for every collector), never sent by a writer. A run row commits after its stamp,
 *   and readers learn which inserts are still running from `system.processes`: everything
 *   stamped before the oldest running insert started is in (`readLiveBoundary`).
 * - `first_arrival_us` carries the earliest arrival (epoch µs) of the run's rows its writer
 *   read (zero when there were none: the row's own `arrived_at` counts). Snapshots are replaced by merges
 *   and deleted once their run is final, so without it a run's first arrival would move later.
 * - Rows stored before this version arrived, as far as live mode knows, when their run
 *   started: the column is filled with `created_at` before its default becomes the clock
 *   (a column a part lacks is computed from its current default when read).
 * - A minmax index on `arrived_at`: parts are written in arrival order and merged with parts
 *   of nearly the same age, so "arrived after X" reads only the newest parts.
 */
export const v5ArrivalOrder: Migration = {
  version: 5,
  name: "arrival order of run rows",
  statements: () =>
    RUN_TABLES.flatMap((table) => [
      `ALTER TABLE ${table}
        ADD COLUMN IF NOT EXISTS arrived_at DateTime64(6) DEFAULT toDateTime64(created_at, 6),
        ADD COLUMN IF NOT EXISTS first_arrival_us UInt64`,
      `ALTER TABLE ${table} MATERIALIZE COLUMN arrived_at SETTINGS mutations_sync = 2`,
      `ALTER TABLE ${table} MODIFY COLUMN arrived_at DateTime64(6) DEFAULT now64(6)`,
      `ALTER TABLE ${table} ADD INDEX IF NOT EXISTS idx_arrived_at arrived_at TYPE minmax GRANULARITY 1`,
      `ALTER TABLE ${table} MATERIALIZE INDEX idx_arrived_at SETTINGS mutations_sync = 2`,
    ]),
};

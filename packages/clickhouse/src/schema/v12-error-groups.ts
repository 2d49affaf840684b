import { errorGroupSql } from "../rows/error-groups.ts";
import type { Migration } from "./migration.ts";

/**
 * Schema version 12: `error_group` on the run tables — for a failed run, a hash of its error
 * type and its message with numbers, ids and quoted values masked (`rows/error-groups.ts`); 0
 * otherwise. Computed by ClickHouse as rows are written (MATERIALIZED), from the run row's own
 * columns, so a run's group follows its current version. Rows stored before are computed once
 * by the migration. `/v1/executions/errors` groups the filtered failed runs by it and the list
 * filters on it (`errorGroup=`).
 */
export const v12ErrorGroups: Migration = {
  version: 12,
  name: "error groups of failed runs",
  statements: () =>
    ["executions", "execution_states"].flatMap((table) => [
      `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS error_group UInt64 MATERIALIZED ${errorGroupSql()}`,
      `ALTER TABLE ${table} MATERIALIZE COLUMN error_group SETTINGS mutations_sync = 2`,
    ]),
};

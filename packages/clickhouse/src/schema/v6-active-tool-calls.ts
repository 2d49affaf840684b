import type { Migration } from "./migration.ts";

/**
 * Schema version 6: `active_tool_calls` on the run rows, the tool calls in flight a run's
 * latest snapshot lists (`executor.execution.active_tool_call_*`, JSON `[{id, path,
 * startedAt}]`, "" for none). A tool span is exported only when its call ends; this is how
 * history shows a call still running. Rows stored before have none.
 */
export const v6ActiveToolCalls: Migration = {
  version: 6,
  name: "tool calls in flight",
  statements: () =>
    ["executions", "execution_states"].map(
      (table) =>
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS active_tool_calls String DEFAULT '' AFTER pending_interaction_created_at`,
    ),
};

import { toolMatchersSql } from "../rows/tool-matchers.ts";
import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";
import { RUN_COUNTS_PERIOD_SECONDS } from "./v3-run-rollups.ts";

/** Width of a `tool_match_counts` period: the same as `run_counts`, for the same timelines. */
export const TOOL_MATCH_PERIOD_SECONDS = RUN_COUNTS_PERIOD_SECONDS;

const periodOf = `toDateTime(intDiv(toUnixTimestamp(created_at), ${TOOL_MATCH_PERIOD_SECONDS}) * ${TOOL_MATCH_PERIOD_SECONDS}, 'UTC')`;

/** Runs per period and tool-filter value of the rows a block of `table` holds, times `sign`. */
const matchCountsSelect = (table: string, sign: "" | "-", final = "") =>
  `SELECT scope_id, matcher, ${periodOf} AS period_start, status, trigger_kind, has_elicitation,
      ${sign}count() AS runs
    FROM ${table} ${final} ARRAY JOIN ${toolMatchersSql("tool_paths")} AS matcher
    GROUP BY scope_id, matcher, period_start, status, trigger_kind, has_elicitation`;

/**
 * Schema version 7: `tool_match_counts`, runs per 5 minutes by tool-filter value (an exact path
 * or `namespace.*`, `rows/tool-matchers.ts`), scope, status, trigger and elicitation.
 *
 * Why: the tool filter's counts and timeline tested the paths of every run in the range (1.4 s
 * over 30 days at 10M runs). A run that called two paths of one namespace counts once under
 * `namespace.*` here, which summing `tool_counts` per path cannot give. Kept exact the way
 * `run_counts` is: a materialized view adds every row written to `executions`, another takes a
 * superseded row back out, and the writer adds back a repeated retraction (v4). Keyed by value
 * first, so one value's 30 days are one contiguous read.
 *
 * The back-fill counts what the existing views count: rows of `executions`, less each
 * superseded record, plus each repeat put back.
 */
export const v7ToolMatchCounts: Migration = {
  version: 7,
  name: "runs per tool-filter value",
  statements: ({ retentionDays }) => [
    `CREATE TABLE IF NOT EXISTS tool_match_counts (
      scope_id LowCardinality(String),
      matcher LowCardinality(String),
      period_start DateTime('UTC'),
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      has_elicitation Bool,
      runs Int64
    ) ENGINE = SummingMergeTree
    PARTITION BY toYYYYMM(period_start)
    ORDER BY (scope_id, matcher, period_start, status, trigger_kind, has_elicitation)
    ${ttl("period_start", retentionDays)}
    SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000`,
    "TRUNCATE TABLE tool_match_counts",
    `INSERT INTO tool_match_counts ${matchCountsSelect("executions", "")}`,
    `INSERT INTO tool_match_counts ${matchCountsSelect("superseded_executions", "-")}`,
    `INSERT INTO tool_match_counts ${matchCountsSelect("superseded_repeats", "", "FINAL")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS tool_match_counts_mv TO tool_match_counts
      AS ${matchCountsSelect("executions", "")}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS superseded_tool_match_counts_mv TO tool_match_counts
      AS ${matchCountsSelect("superseded_executions", "-")}`,
  ],
};

import { type ClickHouse, errorPatternSql } from "@runtrace/clickhouse";
import { type ErrorGroups, MAX_ERROR_GROUPS } from "../contract/index.ts";
import type { ExecutionFilter } from "./list-params.ts";
import { countedFilter, type NumbersOptions } from "./numbers.ts";
import { QueryParams } from "./query-params.ts";
import { finishedClauses, runConditions } from "./runs-source.ts";

interface GroupRow {
  /** The group's UInt64 as text (not named error_group: the filter's condition on the column). */
  group_hash: string;
  error_type: string;
  n: number;
  first_ms: number;
  last_ms: number;
  groups: number;
  failed: number;
  /** The row of the group's newest run: its message is the group's example. */
  example_row: string;
}

/** A group's id as the API shows it: its UInt64 hash in 16 hex digits. */
export function errorGroupId(hash: string): string {
  return BigInt(hash).toString(16).padStart(16, "0");
}

/**
 * The failed runs a filter matches, grouped by `error_group` (error type and masked message,
 * schema 12): the largest groups with their count, first and last start, and the message of
 * the group's newest run.
 * Failed runs are final, so only `executions` is read (each run's current version). The group
 * is stored (schema 12); the pattern shown is computed again from that message.
 */
export async function errorGroups(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: NumbersOptions,
  signal: AbortSignal,
): Promise<ErrorGroups> {
  if (filter.statuses && !filter.statuses.includes("failed")) {
    return { failed: 0, groupCount: 0, groups: [], partial: null };
  }
  // A code filter counts back from the range's end while its budget lasts, as the counts do.
  const { counted, partial } = await countedFilter(ch, filter, options, signal);
  const p = new QueryParams();
  const source = { filter: { ...counted, statuses: ["failed" as const] }, scopes: options.scopes };
  const clauses = finishedClauses(p, source);
  // The groups first, without their messages: reading every failed run's error text cost about
  // half of the statement (10M runs, 30 days: 536 → 273 ms in a probe).
  const rows = await ch.select<GroupRow>(
    `SELECT toString(error_group) AS group_hash, any(error_type) AS error_type, count() AS n,
       toUnixTimestamp64Milli(min(created_at)) AS first_ms,
       toUnixTimestamp64Milli(max(created_at)) AS last_ms,
       toString(argMax(row_id, created_at)) AS example_row,
       count() OVER () AS groups, sum(count()) OVER () AS failed
     FROM executions ${clauses}
     GROUP BY error_group ORDER BY n DESC, last_ms DESC, error_group LIMIT ${MAX_ERROR_GROUPS}`,
    p.values,
    { signal },
  );
  // Then the message of each listed group's newest run, read by its key (start time and row)
  // under the same filter: reading the filter's failed runs again until each group had one cost
  // 22–45 ms at 1M runs (a day, 30 days); these few rows 6–8 ms. A group keeps the row of its own
  // start and row id (rows written before schema 4 all have row id 0).
  const examples = new Map<string, { example: string; pattern: string }>();
  if (rows.length > 0) {
    const q = new QueryParams();
    const starts = q.add(
      "Array(Int64)",
      rows.map((r) => Number(r.last_ms)),
    );
    const rowIds = q.add(
      "Array(UInt64)",
      rows.map((r) => r.example_row),
    );
    const where = [
      ...runConditions(q, source),
      `toUnixTimestamp64Milli(created_at) IN ${starts}`,
      `row_id IN ${rowIds}`,
    ];
    const found = await ch.select<{
      group_hash: string;
      at_ms: number;
      row: string;
      example: string;
      pattern: string;
    }>(
      `SELECT toString(error_group) AS group_hash, toUnixTimestamp64Milli(created_at) AS at_ms,
         toString(row_id) AS row, error AS example, ${errorPatternSql("error")} AS pattern
       FROM executions WHERE ${where.join(" AND ")}`,
      q.values,
      { signal },
    );
    const newest = new Map(rows.map((r) => [r.group_hash, `${r.last_ms}/${r.example_row}`]));
    for (const f of found) {
      if (newest.get(f.group_hash) === `${f.at_ms}/${f.row}`) examples.set(f.group_hash, f);
    }
  }
  return {
    failed: Number(rows[0]?.failed ?? 0),
    groupCount: Number(rows[0]?.groups ?? 0),
    groups: rows.map((r) => ({
      errorGroup: errorGroupId(r.group_hash),
      errorType: r.error_type === "" ? null : r.error_type,
      pattern: examples.get(r.group_hash)?.pattern ?? "",
      example: examples.get(r.group_hash)?.example ?? "",
      count: Number(r.n),
      firstSeen: Number(r.first_ms),
      lastSeen: Number(r.last_ms),
    })),
    partial,
  };
}

import { type ClickHouse, errorPatternSql } from "@runtrace/clickhouse";
import { type ErrorGroups, MAX_ERROR_GROUPS } from "../contract/index.ts";
import type { ExecutionFilter } from "./list-params.ts";
import { countedFilter, type NumbersOptions } from "./numbers.ts";
import { QueryParams } from "./query-params.ts";
import { finishedConditions } from "./runs-source.ts";

interface GroupRow {
  error_group: string;
  error_type: string;
  pattern: string;
  example: string;
  n: number;
  first_ms: number;
  last_ms: number;
  groups: number;
  failed: number;
}

/** A group's id as the API shows it: its UInt64 hash in 16 hex digits. */
export function errorGroupId(hash: string): string {
  return BigInt(hash).toString(16).padStart(16, "0");
}

/**
 * The failed runs a filter matches, grouped by `error_group` (error type and masked message,
 * schema 12): the largest groups with their count, first and last start, and one message.
 * Failed runs are final, so only `executions` is read (each run's current version). The group
 * is stored (schema 12); the pattern shown is computed again from one message of the group.
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
  const where = finishedConditions(p, {
    filter: { ...counted, statuses: ["failed"] },
    scopes: options.scopes,
  }).join(" AND ");
  const rows = await ch.select<GroupRow>(
    `SELECT toString(error_group) AS error_group, any(error_type) AS error_type,
       any(error) AS example, ${errorPatternSql("example")} AS pattern, count() AS n,
       toUnixTimestamp64Milli(min(created_at)) AS first_ms,
       toUnixTimestamp64Milli(max(created_at)) AS last_ms,
       count() OVER () AS groups, sum(count()) OVER () AS failed
     FROM executions WHERE ${where}
     GROUP BY error_group ORDER BY n DESC, last_ms DESC, error_group LIMIT ${MAX_ERROR_GROUPS}`,
    p.values,
    { signal },
  );
  return {
    failed: Number(rows[0]?.failed ?? 0),
    groupCount: Number(rows[0]?.groups ?? 0),
    groups: rows.map((r) => ({
      errorGroup: errorGroupId(r.error_group),
      errorType: r.error_type === "" ? null : r.error_type,
      pattern: r.pattern,
      example: r.example,
      count: Number(r.n),
      firstSeen: Number(r.first_ms),
      lastSeen: Number(r.last_ms),
    })),
    partial,
  };
}

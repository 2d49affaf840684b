import type { ExecutionFilter } from "./list-params.ts";
import type { QueryParams } from "./query-params.ts";

/** Which filters a condition leaves out: a facet counts with every filter except its own. */
export type FilterKey = "status" | "trigger" | "tool" | "elicitation";

export interface SourceOptions {
  filter: ExecutionFilter;
  /** Scopes the request may read (null: all). Always applied, never omitted. */
  scopes: readonly string[] | null;
  omit?: readonly FilterKey[];
  /** Extra conditions on both tables' shared columns (keyset, live mode, updatedSince). */
  extra?: string[];
}

/**
 * The WHERE conditions of a run filter, over the columns `executions` and `execution_states`
 * share. Scope and time come first: they are the primary key's prefix.
 */
export function runConditions(p: QueryParams, o: SourceOptions): string[] {
  const { filter } = o;
  const omit = new Set(o.omit ?? []);
  const where: string[] = [];
  if (o.scopes !== null) where.push(`scope_id IN ${p.add("Array(String)", o.scopes)}`);
  if (filter.fromMs !== undefined) {
    where.push(`created_at >= fromUnixTimestamp64Milli(${p.add("Int64", filter.fromMs)})`);
  }
  if (filter.toMs !== undefined) {
    where.push(`created_at <= fromUnixTimestamp64Milli(${p.add("Int64", filter.toMs)})`);
  }
  if (filter.statuses && !omit.has("status")) {
    where.push(`status IN ${p.add("Array(String)", filter.statuses)}`);
  }
  if (filter.triggers && !omit.has("trigger")) {
    where.push(`trigger_kind IN ${p.add("Array(String)", filter.triggers)}`);
  }
  if (filter.elicitation !== undefined && !omit.has("elicitation")) {
    where.push(`has_elicitation = ${p.add("Bool", filter.elicitation)}`);
  }
  if (filter.code !== undefined) where.push(codeCondition(p, filter.code));
  if (filter.tools && !omit.has("tool")) where.push(toolCondition(p, o, filter.tools));
  where.push(...(o.extra ?? []));
  return where;
}

/**
 * Case-insensitive substring of the stored code. An ASCII search is written as
 * `lower(code) LIKE …` so the n-gram index on `lower(code)` can skip granules.
 */
function codeCondition(p: QueryParams, code: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point.
  if (/^[\x00-\x7f]*$/.test(code)) {
    const escaped = code.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
    return `lower(code) LIKE ${p.add("String", `%${escaped}%`)}`;
  }
  return `positionCaseInsensitiveUTF8(code, ${p.add("String", code)}) > 0`;
}

/** `tool_calls` conditions: the readable scopes and calls started within [fromMs, toMs]. */
export function toolCallWindow(
  p: QueryParams,
  scopes: readonly string[] | null,
  fromMs: number | undefined,
  toMs: number | undefined,
): string[] {
  const where: string[] = [];
  if (scopes !== null) where.push(`scope_id IN ${p.add("Array(String)", scopes)}`);
  if (fromMs !== undefined) {
    where.push(`started_at >= fromUnixTimestamp64Milli(${p.add("Int64", fromMs)})`);
  }
  if (toMs !== undefined) {
    where.push(`started_at <= fromUnixTimestamp64Milli(${p.add("Int64", toMs)})`);
  }
  return where;
}

/** A run matches when any of its tool calls matches a path exactly or by `namespace.*`. */
function toolCondition(
  p: QueryParams,
  o: SourceOptions,
  tools: NonNullable<ExecutionFilter["tools"]>,
): string {
  // A run's calls start at or after the run itself; they may end after `to`.
  const calls = toolCallWindow(p, o.scopes, o.filter.fromMs, undefined);
  const match: string[] = [];
  if (tools.exact.length > 0) match.push(`tool_path IN ${p.add("Array(String)", tools.exact)}`);
  if (tools.prefixes.length > 0) {
    const prefixes = p.add("Array(String)", tools.prefixes);
    match.push(
      `has(${prefixes}, tool_path) OR arrayExists(x -> startsWith(tool_path, concat(x, '.')), ${prefixes})`,
    );
  }
  calls.push(`(${match.join(" OR ")})`);
  return `execution_id IN (SELECT execution_id FROM tool_calls WHERE ${calls.join(" AND ")})`;
}

/**
 * Every run matching the conditions exactly once: finished runs from `executions` (one row
 * each) and unfinished ones, the latest snapshot in `execution_states`, whose key has no final
 * row. `columns` is selected in both branches (a function gets the branch's `final`, 1 or 0,
 * for columns that depend on it); each row's `final` column tells them apart.
 * `tail` (ORDER BY … LIMIT …) is applied inside each branch, so each reads in key order.
 */
export function runsUnion(
  p: QueryParams,
  o: SourceOptions,
  columns: string | ((final: 0 | 1) => string),
  tail = "",
): string {
  const select = typeof columns === "string" ? () => columns : columns;
  const where = runConditions(p, o).join(" AND ") || "1";
  const keyWhere =
    runConditions(p, {
      filter: { fromMs: o.filter.fromMs, toMs: o.filter.toMs },
      scopes: o.scopes,
    }).join(" AND ") || "1";
  return `(SELECT ${select(1)}, 1 AS final FROM executions WHERE ${where} ${tail})
    UNION ALL
    (SELECT ${select(0)}, 0 AS final FROM execution_states FINAL WHERE ${where}
      AND (scope_id, created_at, execution_id) NOT IN (
        SELECT scope_id, created_at, execution_id FROM executions WHERE ${keyWhere}
          AND execution_id IN (SELECT execution_id FROM execution_states WHERE ${keyWhere}))
    ${tail})`;
}

/**
 * Read settings for a run query. With a tool filter the run tables are matched against a set
 * of execution ids that can hold millions of entries; probing the execution-id bloom filter of
 * every granule with it costs more than reading the column, so that index is skipped.
 */
export function readSettings(filter: ExecutionFilter): Record<string, string> | undefined {
  return filter.tools ? { ignore_data_skipping_indices: "idx_execution_id" } : undefined;
}

import { UNFINISHED_SNAPSHOT } from "@runtrace/clickhouse";
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
 * share. Scope and time come first: they are the primary key's prefix. `snapshots`: the
 * conditions are for `execution_states`, whose rows may not list calls made since.
 */
export function runConditions(p: QueryParams, o: SourceOptions, snapshots = false): string[] {
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
  where.push(...dimensionConditions(p, filter, omit));
  if (filter.code !== undefined) where.push(codeCondition(p, filter.code));
  if (filter.tools && !omit.has("tool")) {
    const match = toolMatch(p, filter.tools);
    where.push(snapshots ? snapshotToolCondition(p, o, match) : match("tool_paths"));
  }
  where.push(...(o.extra ?? []));
  return where;
}

/**
 * The status, trigger and elicitation filters (less those omitted), over columns the run
 * tables and the count tables share.
 */
export function dimensionConditions(
  p: QueryParams,
  filter: ExecutionFilter,
  omit: ReadonlySet<FilterKey> = new Set(),
): string[] {
  const where: string[] = [];
  if (filter.statuses && !omit.has("status")) {
    where.push(`status IN ${p.add("Array(String)", filter.statuses)}`);
  }
  if (filter.triggers && !omit.has("trigger")) {
    where.push(`trigger_kind IN ${p.add("Array(String)", filter.triggers)}`);
  }
  if (filter.elicitation !== undefined && !omit.has("elicitation")) {
    where.push(`has_elicitation = ${p.add("Bool", filter.elicitation)}`);
  }
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

/**
 * A run matches when any of its tool paths matches a path exactly or by `namespace.*` (the
 * namespace itself or anything under it); `paths` is an Array(String) expression.
 */
function toolMatch(
  p: QueryParams,
  tools: NonNullable<ExecutionFilter["tools"]>,
): (paths: string) => string {
  const exact = tools.exact.length > 0 ? p.add("Array(String)", tools.exact) : null;
  const prefixes = tools.prefixes.length > 0 ? p.add("Array(String)", tools.prefixes) : null;
  return (paths) => {
    const match: string[] = [];
    if (exact) match.push(`hasAny(${paths}, ${exact})`);
    if (prefixes) {
      match.push(
        `arrayExists(t -> has(${prefixes}, t) OR arrayExists(x -> startsWith(t, concat(x, '.')), ${prefixes}), ${paths})`,
      );
    }
    return `(${match.join(" OR ")})`;
  };
}

/**
 * An unfinished run's row lists the paths called up to its latest snapshot; calls since are
 * found in `tool_calls`, among the calls of the unfinished runs in range only.
 */
function snapshotToolCondition(
  p: QueryParams,
  o: SourceOptions,
  match: (paths: string) => string,
): string {
  const runs = runConditions(p, {
    filter: { fromMs: o.filter.fromMs, toMs: o.filter.toMs },
    scopes: o.scopes,
  });
  const calls: string[] = [];
  if (o.scopes !== null) calls.push(`scope_id IN ${p.add("Array(String)", o.scopes)}`);
  // A run's calls start at or after the run itself; they may end after `to`.
  if (o.filter.fromMs !== undefined) {
    calls.push(`started_at >= fromUnixTimestamp64Milli(${p.add("Int64", o.filter.fromMs)})`);
  }
  calls.push(match("[tool_path]"));
  calls.push(
    `execution_id IN (SELECT execution_id FROM execution_states WHERE ${runs.join(" AND ") || "1"})`,
  );
  return `(${match("tool_paths")} OR execution_id IN (SELECT execution_id FROM tool_calls WHERE ${calls.join(" AND ")}))`;
}

/**
 * Every run matching the conditions exactly once: finished runs from `executions` (one row
 * each) and unfinished ones, the latest snapshot in `execution_states` when it is not final.
 * `columns` is selected in both branches (a function gets the branch's `final`, 1 or 0, for
 * columns that depend on it); each row's `final` column tells them apart.
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
  const snapshotWhere = runConditions(p, o, true).join(" AND ") || "1";
  return `(SELECT ${select(1)}, 1 AS final FROM executions WHERE ${where} ${tail})
    UNION ALL
    (SELECT ${select(0)}, 0 AS final FROM execution_states FINAL
      WHERE ${snapshotWhere} AND ${UNFINISHED_SNAPSHOT} ${tail})`;
}

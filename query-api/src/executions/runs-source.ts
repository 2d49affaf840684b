import {
  currentVersion,
  exactMatcher,
  namespaceMatcher,
  UNFINISHED_SNAPSHOT,
} from "@runtrace/clickhouse";
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
  /**
   * Extra conditions on the run key alone (scope_id, created_at, execution_id): they also
   * bound the lookup of superseded versions.
   */
  keyExtra?: string[];
  /**
   * Every stored version of each finished run, superseded or not: the caller keeps each run's
   * newest row itself (by version, span id, row id — the order the writers supersede by). A
   * statement reads `superseded_executions` apart from `executions`, and may see a version
   * recorded as superseded without the row that replaced it (written a moment before the
   * record): the run would have no current row in that answer. Live mode reads this way.
   */
  everyVersion?: boolean;
}

/**
 * The conditions on the run key alone (scope, created_at, and key-only extras): the primary
 * key's prefix, shared by the run tables and `superseded_executions`.
 */
export function keyConditions(p: QueryParams, o: SourceOptions): string[] {
  const where: string[] = [];
  if (o.scopes !== null) where.push(`scope_id IN ${p.add("Array(String)", o.scopes)}`);
  if (o.filter.fromMs !== undefined) {
    where.push(`created_at >= fromUnixTimestamp64Milli(${p.add("Int64", o.filter.fromMs)})`);
  }
  if (o.filter.toMs !== undefined) {
    where.push(`created_at <= fromUnixTimestamp64Milli(${p.add("Int64", o.filter.toMs)})`);
  }
  const ids = o.filter.ids;
  if (ids) {
    // The runs named, within their own start times: a key read, not a scan of the range.
    if (ids.executionIds.length === 0) where.push("0");
    else {
      where.push(
        `created_at >= fromUnixTimestamp64Milli(${p.add("Int64", ids.fromMs)})`,
        `created_at <= fromUnixTimestamp64Milli(${p.add("Int64", ids.toMs)})`,
        `execution_id IN ${p.add("Array(String)", ids.executionIds)}`,
      );
    }
  }
  where.push(...(o.keyExtra ?? []));
  return where;
}

/**
 * The WHERE conditions of a run filter, over the columns `executions` and `execution_states`
 * share. Scope and time come first: they are the primary key's prefix.
 */
export function runConditions(p: QueryParams, o: SourceOptions): string[] {
  const { filter } = o;
  const omit = new Set(o.omit ?? []);
  const where = keyConditions(p, o);
  where.push(...dimensionConditions(p, filter, omit));
  if (filter.code !== undefined) where.push(codeCondition(p, filter.code));
  if (filter.errorGroup !== undefined) {
    where.push(`error_group = ${p.add("UInt64", filter.errorGroup)}`);
  }
  if (filter.tools && !omit.has("tool")) where.push(toolCondition(p, filter.tools));
  where.push(...(o.extra ?? []));
  return where;
}

/**
 * `executions` rows of the current version: a run's older versions (replaced when a span of
 * it arrived after its row was written) are listed in `superseded_executions` and left out.
 */
export function finishedConditions(p: QueryParams, o: SourceOptions): string[] {
  const { filter, current } = finishedParts(p, o);
  return [...filter, current];
}

/**
 * {@link finishedConditions} as the clauses of an aggregate over `executions`: the filter as
 * PREWHERE, the current-version test as WHERE, so only the rows the filter keeps are looked
 * up among the superseded ids. Left to place them itself, ClickHouse tested every row of the
 * range (1M runs, the failed ones of a day: 29–33 ms against 15–18).
 */
export function finishedClauses(p: QueryParams, o: SourceOptions): string {
  const { filter, current } = finishedParts(p, o);
  return filter.length > 0
    ? `PREWHERE ${filter.join(" AND ")} WHERE ${current}`
    : `WHERE ${current}`;
}

/** The filter's conditions, and the test that keeps each run's current version among them. */
function finishedParts(p: QueryParams, o: SourceOptions): { filter: string[]; current: string } {
  const filter = runConditions(p, o);
  return { filter, current: currentVersion(keyConditions(p, o).join(" AND ")) };
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

/** Whether a filter has conditions on the run key alone (scope, time, ids): none on values. */
export function onKeyAlone(filter: ExecutionFilter): boolean {
  return (
    !filter.statuses &&
    !filter.triggers &&
    !filter.tools &&
    filter.code === undefined &&
    filter.elicitation === undefined &&
    filter.errorGroup === undefined
  );
}

/**
 * Whether the rollups cannot count this filter: they have no code and no error group, so such
 * a filter counts the run rows themselves.
 */
export function readsRunRows(filter: ExecutionFilter): boolean {
  return filter.code !== undefined || filter.errorGroup !== undefined;
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
 * A run matches when any of its tool paths (`tool_paths`) matches a path exactly or by
 * `namespace.*` (the namespace itself or anything under it).
 */
export function toolCondition(
  p: QueryParams,
  tools: NonNullable<ExecutionFilter["tools"]>,
): string {
  const match: string[] = [];
  if (tools.exact.length > 0)
    match.push(`hasAny(tool_paths, ${p.add("Array(String)", tools.exact)})`);
  if (tools.prefixes.length > 0) {
    const prefixes = p.add("Array(String)", tools.prefixes);
    match.push(
      `arrayExists(t -> has(${prefixes}, t) OR arrayExists(x -> startsWith(t, concat(x, '.')), ${prefixes}), tool_paths)`,
    );
  }
  return `(${match.join(" OR ")})`;
}

/**
 * The one value of a tool filter as `tool_match_counts` keys it, or null when the filter has
 * several (their runs overlap: counts per value cannot be added up).
 */
export function singleToolMatcher(tools: ExecutionFilter["tools"]): string | null {
  if (!tools) return null;
  const [exact, ...moreExact] = tools.exact;
  const [prefix, ...morePrefixes] = tools.prefixes;
  if (moreExact.length > 0 || morePrefixes.length > 0) return null;
  if (exact !== undefined && prefix === undefined) return exactMatcher(exact);
  if (prefix !== undefined && exact === undefined) return namespaceMatcher(prefix);
  return null;
}

/**
 * The current version of each finished run whose key meets `o`'s key conditions (scope, time,
 * key-only extras), as a FROM source with `columns`. A run's versions share its key, so all of
 * them are read and the newest kept; filters on anything a version may change (elicitation,
 * tool paths, counts) belong outside, on the kept row. For the narrow ranges around rollup
 * periods: no look-up of superseded versions, which costs milliseconds a statement.
 */
export function currentFinishedRows(p: QueryParams, o: SourceOptions, columns: string): string {
  const where = keyConditions(p, o).join(" AND ") || "1";
  return `(SELECT ${columns} FROM executions WHERE ${where}
    ORDER BY execution_id, version DESC, span_id DESC, row_id DESC LIMIT 1 BY execution_id)`;
}

/**
 * Every run matching the conditions exactly once: finished runs from `executions` (the current
 * version of each) and unfinished ones, the latest snapshot in `execution_states` when it is
 * not final. A row of either lists the run's calls and interactions as stored when it was
 * written; the writer writes a new one whenever more of them arrive.
 * `columns` is selected in both branches (a function gets the branch's `final`, 1 or 0, for
 * columns that depend on it); each row's `final` column tells them apart.
 *
 * `page` (a sort and a limit) reads each branch in that order. By start time, a page keeps the
 * first row of each run, whose versions sort next to each other newest first: no look-up of
 * superseded versions, which costs a few milliseconds a statement even when there are none.
 * Otherwise superseded versions are left out by their row ids: with `candidates`, only among
 * that many rows first in the page's order (checking every row of the range against the ids
 * costs with how many there are: 140 ms of a 30-day duration sort with 170 000 superseded rows
 * at 10M runs). The page is exact when the finished branch still fills `limit`; the caller
 * reads again without `candidates` when it does not (`finishedRowsShort`).
 */
export function runsUnion(
  p: QueryParams,
  o: SourceOptions,
  columns: string | ((final: 0 | 1) => string),
  page?: { orderBy: string; limit: string; candidates?: string },
): string {
  const select = typeof columns === "string" ? () => columns : columns;
  const runWhere = runConditions(p, o).join(" AND ") || "1";
  if (!page) {
    const conditions = o.everyVersion ? runConditions(p, o) : finishedConditions(p, o);
    const where = conditions.join(" AND ") || "1";
    return `(SELECT ${select(1)}, 1 AS final FROM executions WHERE ${where})
    UNION ALL
    (SELECT ${select(0)}, 0 AS final FROM execution_states FINAL
      WHERE ${runWhere} AND ${UNFINISHED_SNAPSHOT})`;
  }
  // By start time, a page is read in key order and stops early: a run's versions (same start
  // and id) come together, newest first, and the first of each is kept. Other sorts read every
  // row's sort key anyway; there, the superseded versions' ids are left out instead (LIMIT BY
  // would sort the whole range).
  const byStart = pickedInKeyOrder(page.orderBy, o.filter);
  const unfinished = `(SELECT ${select(0)}, 0 AS final FROM execution_states FINAL
      WHERE ${runWhere} AND ${UNFINISHED_SNAPSHOT} ORDER BY ${page.orderBy} LIMIT ${page.limit})`;
  return `(${finishedPage(p, o, select, page, byStart, runWhere)})
    UNION ALL
    ${unfinished}`;
}

/** The finished branch of {@link runsUnion}'s page: current versions only, in page order. */
function finishedPage(
  p: QueryParams,
  o: SourceOptions,
  select: (final: 0 | 1) => string,
  page: { orderBy: string; limit: string; candidates?: string },
  byStart: boolean,
  runWhere: string,
): string {
  if (!byStart && page.candidates) {
    // The candidates are the first rows in page order, whatever their version; the current
    // ones among them are kept. Only they are checked against the superseded ids.
    const current = currentVersion(keyConditions(p, o).join(" AND "), "candidate_row_id");
    return `SELECT * EXCEPT (candidate_row_id) FROM (
        SELECT ${select(1)}, 1 AS final, row_id AS candidate_row_id FROM executions WHERE ${runWhere}
        ORDER BY ${page.orderBy} LIMIT ${page.candidates})
      WHERE ${current} ORDER BY ${page.orderBy.replaceAll("created_at", "created_ms")} LIMIT ${page.limit}`;
  }
  if (!byStart) {
    return `SELECT ${select(1)}, 1 AS final FROM executions
      WHERE ${finishedConditions(p, o).join(" AND ")} ORDER BY ${page.orderBy} LIMIT ${page.limit}`;
  }
  const newest = `ORDER BY ${page.orderBy}, version DESC, span_id DESC, row_id DESC LIMIT 1 BY execution_id`;
  if (o.filter.code !== undefined) {
    // A code search reads the window's code anyway: picking the keys first would read it twice
    // (a rare word's 30-day page: 340 → 370 ms).
    return `SELECT ${select(1)}, 1 AS final FROM executions WHERE ${runWhere}
      ${newest} LIMIT ${page.limit}`;
  }
  // The page's rows are picked by their keys first, then read whole: sorting every row of the
  // window with all of the list's columns cost 30–35 ms at 10M runs (an hour's 11 000 rows),
  // the keys alone 10 ms and the two steps 20 ms. The picked keys (the primary key's columns)
  // also bound the outer read, which keeps one row per run again.
  const keyWhere = keyConditions(p, o).join(" AND ") || "1";
  return `SELECT ${select(1)}, 1 AS final FROM executions
      WHERE ${keyWhere} AND (scope_id, created_at, execution_id, row_id) IN (
        SELECT scope_id, created_at, execution_id, row_id FROM executions
        WHERE ${runWhere} ${newest} LIMIT ${page.limit})
      ${newest} LIMIT ${page.limit}`;
}

/** Whether a page read with `candidates` may have missed rows and must be read without. */
export function finishedRowsShort(rows: readonly { final: number }[], limit: number): boolean {
  let finished = 0;
  for (const row of rows) if (row.final === 1) finished++;
  return finished < limit;
}

/**
 * Whether a page in this order keeps each run's newest version as it reads in key order (by
 * start time). Filters apply before the newest version is picked, so only filters a newer
 * version of a run keeps matching are allowed there: a late interaction can turn `elicitation`
 * on, never off (tool paths and counts only grow; status, trigger and code come from the same
 * root).
 */
export function pickedInKeyOrder(orderBy: string, filter: ExecutionFilter): boolean {
  return orderBy.startsWith("created_at") && filter.elicitation !== false;
}

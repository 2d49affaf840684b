import {
  type ClickHouse,
  RUN_COUNTS_PERIOD_SECONDS,
  TOOL_COUNTS_PERIOD_SECONDS,
  UNFINISHED_SNAPSHOT,
} from "@runtrace/clickhouse";
import { EXECUTION_STATUSES } from "@runtrace/semconv";
import { type ExecutionListMeta, PARTIAL_COUNTS } from "../contract/index.ts";
import type { ExecutionFilter } from "./list-params.ts";
import { QueryParams } from "./query-params.ts";
import {
  currentFinishedRows,
  dimensionConditions,
  finishedConditions,
  onKeyAlone,
  readsRunRows,
  runConditions,
  runsUnion,
  singleToolMatcher,
  toolCondition,
} from "./runs-source.ts";
import { bucketStarts, chartBucketMs } from "./timeline.ts";

type StatusCounts = Record<string, number>;

/** How the meta is read: the scopes, and the timeline's window. */
export interface MetaOptions {
  /** The scopes the request reads (its token's, narrowed by `scope`). */
  scopes: readonly string[] | null;
  /** The token's own scopes (null: all): the scopes to pick from. */
  readable: readonly string[] | null;
  chart: "range" | "runs";
  /**
   * Runs a code filter's counts may read (`RUNTRACE_CODE_COUNT_BUDGET`): over a range holding
   * more, they count back from its end by whole 5-minute periods while the budget lasts.
   */
  codeCountBudget: number;
}

/** Scopes offered at most (the most runs first): an operator's token may read thousands. */
export const MAX_SCOPE_COUNTS = 50;

/** A chart window holding runs in less than this share of its width is zoomed into. */
const ZOOM_BELOW = 0.5;
/** Zoom steps at most: each reads a narrower window with finer buckets. */
const ZOOM_STEPS = 3;

interface Group {
  status: string;
  trigger_kind: string;
  has_elicitation: boolean | number;
  bucket: number;
  n: number;
}

function emptyCounts(): StatusCounts {
  return Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0]));
}

/** Which groups pass the status, trigger and elicitation filters (the facets leave one out). */
export function groupTests(filter: ExecutionFilter) {
  return {
    status: (g: Group) => !filter.statuses || filter.statuses.includes(g.status),
    trigger: (g: Group) => !filter.triggers || filter.triggers.includes(g.trigger_kind),
    elicitation: (g: Group) =>
      filter.elicitation === undefined || Boolean(g.has_elicitation) === filter.elicitation,
  };
}

/** Per bucket start, the status counts of the groups that pass every filter. */
function bucketCounts(groups: Group[], filter: ExecutionFilter): Map<number, StatusCounts> {
  const ok = groupTests(filter);
  const buckets = new Map<number, StatusCounts>();
  for (const g of groups) {
    if (!ok.status(g) || !ok.trigger(g) || !ok.elicitation(g)) continue;
    const counts = buckets.get(Number(g.bucket)) ?? emptyCounts();
    counts[g.status] = (counts[g.status] ?? 0) + Number(g.n);
    buckets.set(Number(g.bucket), counts);
  }
  return buckets;
}

interface Chart {
  fromMs: number;
  toMs: number;
  step: number;
  buckets: Map<number, StatusCounts>;
}

/**
 * The chart zoomed into the buckets that hold runs, while they fill less than ZOOM_BELOW of
 * it: each step reads the narrower window again with finer buckets.
 */
async function zoomToRuns(
  ch: ClickHouse,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  chart: Chart,
  signal: AbortSignal,
): Promise<Chart> {
  let current = chart;
  for (let i = 0; i < ZOOM_STEPS; i++) {
    const filled = [...current.buckets]
      .filter(([, counts]) => Object.values(counts).some((n) => n > 0))
      .map(([start]) => start);
    if (filled.length === 0) return current;
    const fromMs = Math.max(current.fromMs, Math.min(...filled));
    const toMs = Math.min(current.toMs, Math.max(...filled) + current.step - 1);
    if (toMs - fromMs + 1 >= (current.toMs - current.fromMs + 1) * ZOOM_BELOW) return current;
    const step = chartBucketMs(fromMs, toMs);
    if (step > current.step) return current;
    if (step === current.step) {
      // The same buckets, fewer of them: cut, not read again.
      const buckets = new Map([...current.buckets].filter(([start]) => start >= fromMs - step));
      return { fromMs, toMs, step, buckets };
    }
    const p = new QueryParams();
    const groups = await ch.select<Group>(
      `SELECT status, trigger_kind, has_elicitation, bucket, sum(n) AS n
       FROM (${runCountsSource(p, { ...filter, fromMs, toMs }, scopes, step)})
       GROUP BY status, trigger_kind, has_elicitation, bucket`,
      p.values,
      { signal },
    );
    current = { fromMs, toMs, step, buckets: bucketCounts(groups, filter) };
  }
  return current;
}

/**
 * Where a code filter's counts start: undefined when the range's runs fit `budget`, else the
 * start of the oldest of the newest whole 5-minute periods whose runs do (at least one period).
 * Read from `run_counts` (runs per period, whatever their code): the same stored runs give the
 * same answer, however long the reads take.
 */
export async function codeCountStart(
  ch: ClickHouse,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  budget: number,
  signal: AbortSignal,
): Promise<number | undefined> {
  const periodMs = RUN_COUNTS_PERIOD_SECONDS * 1000;
  const p = new QueryParams();
  const where: string[] = [];
  if (scopes !== null) where.push(`scope_id IN ${p.add("Array(String)", scopes)}`);
  if (filter.fromMs !== undefined) {
    const first = Math.floor(filter.fromMs / periodMs) * (periodMs / 1000);
    where.push(`period_start >= toDateTime(${p.add("Int64", first)}, 'UTC')`);
  }
  if (filter.toMs !== undefined) {
    where.push(
      `period_start <= toDateTime(${p.add("Int64", Math.floor(filter.toMs / 1000))}, 'UTC')`,
    );
  }
  const periods = await ch.select<{ start_ms: number; n: number }>(
    `SELECT toInt64(toUnixTimestamp(period_start)) * 1000 AS start_ms, sum(runs) AS n
     FROM run_counts WHERE ${where.join(" AND ") || "1"}
     GROUP BY start_ms HAVING n > 0 ORDER BY start_ms DESC`,
    p.values,
    { signal },
  );
  let counted = 0;
  for (const [i, period] of periods.entries()) {
    const n = Number(period.n);
    if (i > 0 && counted + n > budget) {
      const start = Number(period.start_ms) + periodMs;
      return filter.fromMs !== undefined && start <= filter.fromMs ? undefined : start;
    }
    counted += n;
  }
  return undefined;
}

/** Computes the list meta: one read, whatever the number of facets (and one per zoom step). */
export async function listMeta(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: MetaOptions,
  signal: AbortSignal,
): Promise<ExecutionListMeta> {
  const { scopes } = options;
  // A code filter reads every stored code of the range: past the budget, count the newest part.
  const countedFrom =
    filter.code !== undefined && !filter.ids
      ? await codeCountStart(ch, filter, scopes, options.codeCountBudget, signal)
      : undefined;
  const counted = countedFrom === undefined ? filter : { ...filter, fromMs: countedFrom };
  // The chart's range: the request's, else the filtered runs' first and last start (for an
  // id search, those of the runs it named: known already, no read needed).
  let fromMs = filter.fromMs ?? (filter.ids ? filter.ids.fromMs : undefined);
  let toMs = filter.toMs ?? (filter.ids ? Math.max(filter.ids.toMs, filter.ids.fromMs) : undefined);
  if (fromMs === undefined || toMs === undefined) {
    const p = new QueryParams();
    const [r] = await ch.select<{ lo: number | null; hi: number | null; n: number }>(
      `SELECT min(created_ms) AS lo, max(created_ms) AS hi, count() AS n FROM (${runsUnion(
        p,
        // A superseded version shares its run's key with the current one: on the key alone,
        // it moves no bound (`n` then counts versions: only "none" matters), and the look-up
        // is skipped (27 → 10 ms at 1M runs over 24 hours).
        { filter: counted, scopes, everyVersion: onKeyAlone(counted) },
        "toUnixTimestamp64Milli(created_at) AS created_ms",
      )})`,
      p.values,
      { signal },
    );
    const now = Date.now();
    fromMs ??= r && r.n > 0 && r.lo !== null ? r.lo : (toMs ?? now);
    toMs ??= r && r.n > 0 && r.hi !== null ? r.hi : Math.max(fromMs, now);
  }
  const step = chartBucketMs(fromMs, toMs);

  const { groups, total, toolFacets, scopeCounts } =
    counted.code !== undefined
      ? await countsFromOneScan(ch, counted, options, step, signal)
      : await counts(ch, counted, options, step, signal);

  const ok = groupTests(filter);
  const statusCounts = emptyCounts();
  const triggerCounts = new Map<string, number>();
  const interactionCounts = { withElicitation: 0, withoutElicitation: 0 };
  let filterRowCount = 0;
  for (const g of groups) {
    const n = Number(g.n);
    const s = ok.status(g);
    const t = ok.trigger(g);
    const e = ok.elicitation(g);
    if (t && e) statusCounts[g.status] = (statusCounts[g.status] ?? 0) + n;
    if (s && e) triggerCounts.set(g.trigger_kind, (triggerCounts.get(g.trigger_kind) ?? 0) + n);
    if (s && t) {
      if (g.has_elicitation) interactionCounts.withElicitation += n;
      else interactionCounts.withoutElicitation += n;
    }
    if (s && t && e) filterRowCount += n;
  }
  const range: Chart = { fromMs, toMs, step, buckets: bucketCounts(groups, filter) };
  const chart =
    // A partial count does not know where the runs before its start are: no zoom.
    options.chart === "runs" && countedFrom === undefined
      ? await zoomToRuns(ch, filter, scopes, range, signal)
      : range;
  return {
    totalRowCount: total,
    filterRowCount,
    statusCounts: EXECUTION_STATUSES.map((status) => ({
      status,
      count: statusCounts[status] ?? 0,
    })),
    triggerCounts: [...triggerCounts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([kind, count]) => ({ triggerKind: kind === "" ? null : kind, count })),
    toolFacets,
    scopeCounts,
    interactionCounts,
    chartBucketMs: chart.step,
    chartData: bucketStarts(chart.fromMs, chart.toMs, chart.step).map((bucketStart) => ({
      bucketStart,
      counts: chart.buckets.get(bucketStart) ?? emptyCounts(),
    })),
    chartFrom: chart.fromMs,
    chartTo: chart.toMs,
    chartZoomed: chart !== range,
    partial: countedFrom === undefined ? null : { countedFrom, counts: [...PARTIAL_COUNTS] },
  };
}

interface Counts {
  groups: Group[];
  total: number;
  toolFacets: ExecutionListMeta["toolFacets"];
  scopeCounts: ExecutionListMeta["scopeCounts"];
}

/**
 * A row of the counts statement, whose UNION ALL branches share the first branch's columns:
 * `tool_path` holds the path ('tools') or the scope ('scopes', 'unfinished'), and an
 * 'unfinished' row's `bucket` is 1 when its runs started in the range.
 */
type PartRow = Group & {
  part: "groups" | "total" | "tools" | "scopes" | "unfinished";
  tool_path: string;
  runs: number;
};

/**
 * The total and the scopes to pick from, as branches of a UNION ALL: finished runs from the
 * rollups (and the range's partial periods from the run rows), and the unfinished runs of every
 * readable scope read once (`execution_states FINAL` is the costly part), each marked whether
 * it started in the range; `totalOf` and `scopesOf` add them up.
 */
function totalAndScopes(p: QueryParams, filter: ExecutionFilter, options: MetaOptions): string {
  const range = { fromMs: filter.fromMs, toMs: filter.toMs };
  const inRange: string[] = [];
  if (range.fromMs !== undefined) {
    inRange.push(`created_at >= fromUnixTimestamp64Milli(${p.add("Int64", range.fromMs)})`);
  }
  if (range.toMs !== undefined) {
    inRange.push(`created_at <= fromUnixTimestamp64Milli(${p.add("Int64", range.toMs)})`);
  }
  const readable =
    options.readable === null ? "" : `scope_id IN ${p.add("Array(String)", options.readable)} AND`;
  return `SELECT 'total' AS part, '' AS status, '' AS trigger_kind, false AS has_elicitation,
       toInt64(0) AS bucket, '' AS tool_path, sum(n) AS n, toInt64(0) AS runs
     FROM (${finishedPerScope(p, {}, options.scopes)})
     UNION ALL
     SELECT 'scopes', '', '', false, 0, scope_id, sum(n), 0
     FROM (${finishedPerScope(p, range, options.readable)}) GROUP BY scope_id
     UNION ALL
     SELECT 'unfinished', '', '', false, toInt64(${inRange.join(" AND ") || "1"}) AS in_range,
       scope_id, toInt64(count()), 0
     FROM execution_states FINAL WHERE ${readable} ${UNFINISHED_SNAPSHOT}
     GROUP BY scope_id, in_range`;
}

/**
 * Finished runs per scope over a range (none: all time), as rows (scope_id, n): whole periods
 * from `run_counts`, the range's partial periods from each run's current row.
 */
function finishedPerScope(
  p: QueryParams,
  range: { fromMs?: number; toMs?: number },
  scopes: readonly string[] | null,
): string {
  const periods = wholePeriods(range.fromMs, range.toMs, RUN_COUNTS_PERIOD_SECONDS * 1000);
  const rowsOf = (keyExtra: string[]) =>
    `SELECT scope_id, toInt64(1) AS n FROM ${currentFinishedRows(
      p,
      { filter: range, scopes, keyExtra },
      "scope_id",
    )}`;
  if (!periods) return rowsOf([]);
  const { where, outside } = periodConditions(p, scopes, periods, range);
  return `SELECT scope_id, runs AS n FROM run_counts WHERE ${where.join(" AND ")}
    ${outside ? `UNION ALL ${rowsOf([outside])}` : ""}`;
}

/** Runs in the request's scopes, all time: finished ones and every unfinished one. */
function totalOf(rows: PartRow[], scopes: readonly string[] | null): number {
  const counted = scopes === null ? null : new Set(scopes);
  let total = Number(rows.find((r) => r.part === "total")?.n ?? 0);
  for (const r of rows) {
    if (r.part === "unfinished" && (counted === null || counted.has(r.tool_path))) {
      total += Number(r.n);
    }
  }
  return total;
}

/** Every readable scope with runs in the range, most first, at most MAX_SCOPE_COUNTS. */
function scopesOf(rows: PartRow[]): ExecutionListMeta["scopeCounts"] {
  const perScope = new Map<string, number>();
  for (const r of rows) {
    if (r.part === "scopes" || (r.part === "unfinished" && Number(r.bucket) === 1)) {
      perScope.set(r.tool_path, (perScope.get(r.tool_path) ?? 0) + Number(r.n));
    }
  }
  return [...perScope]
    .filter(([, count]) => count > 0)
    .map(([scope, count]) => ({ scope, count }))
    .sort((a, b) => b.count - a.count || a.scope.localeCompare(b.scope))
    .slice(0, MAX_SCOPE_COUNTS);
}

/** The top 20 paths by calls, then by path; paths whose calls were all taken back dropped. */
function topTools(
  perPath: Iterable<[string, { calls: number; runs: number }]>,
): ExecutionListMeta["toolFacets"] {
  return [...perPath]
    .filter(([, t]) => t.calls > 0)
    .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 20)
    .map(([toolPath, t]) => ({ toolPath, count: t.calls, runs: t.runs, calls: t.calls }));
}

/**
 * The counts in one statement: embedded ClickHouse runs a statement's UNION ALL branches side
 * by side on its threads, and each branch reads rollups where it can.
 */
async function counts(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: MetaOptions,
  step: number,
  signal: AbortSignal,
): Promise<Counts> {
  const p = new QueryParams();
  const rows = await ch.select<PartRow>(
    `SELECT 'groups' AS part, status, trigger_kind, has_elicitation, bucket, '' AS tool_path,
       sum(n) AS n, toInt64(0) AS runs
     FROM (${runCountsSource(p, filter, options.scopes, step)})
     GROUP BY status, trigger_kind, has_elicitation, bucket
     UNION ALL
     SELECT 'tools', '', '', false, 0, tool_path, calls, runs FROM (${toolFacetsSource(p, filter, options.scopes)})
     UNION ALL
     ${totalAndScopes(p, filter, options)}`,
    p.values,
    { signal },
  );
  return {
    groups: rows.filter((r) => r.part === "groups"),
    total: totalOf(rows, options.scopes),
    toolFacets: topTools(
      rows
        .filter((r) => r.part === "tools")
        .map((r) => [r.tool_path, { calls: Number(r.n), runs: Number(r.runs) }]),
    ),
    scopeCounts: scopesOf(rows),
  };
}

/**
 * The counts of a code filter from one read of the range's code (reading every stored code is
 * what costs): per group (status, trigger, elicitation, bucket), the runs the tool filter keeps
 * and the calls and runs per tool path of all of them, whatever the tool filter; the facets
 * are then added up here from the groups each one counts. The total and the scopes come from
 * the rollups, side by side.
 */
async function countsFromOneScan(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: MetaOptions,
  step: number,
  signal: AbortSignal,
): Promise<Counts> {
  const p = new QueryParams();
  const stepParam = p.add("Int64", step);
  const omit = ["status", "trigger", "elicitation", "tool"] as const;
  const kept = filter.tools ? toolCondition(p, filter.tools) : "1";
  const source = runsUnion(
    p,
    { filter, scopes: options.scopes, omit },
    `status, trigger_kind, has_elicitation,
     toInt64(intDiv(toUnixTimestamp64Milli(created_at), ${stepParam}) * ${stepParam}) AS bucket,
     toUInt8(${kept}) AS kept,
     CAST(mapFromArrays(tool_paths, arrayMap(c -> toInt64(c), tool_path_calls)), 'Map(String, Int64)') AS calls,
     CAST(mapFromArrays(tool_paths, arrayMap(c -> toInt64(1), tool_paths)), 'Map(String, Int64)') AS paths_run`,
  );
  const q = new QueryParams();
  const [scanned, rollups] = await Promise.all([
    ch.select<Group & { calls: Record<string, number>; runs: Record<string, number> }>(
      `SELECT status, trigger_kind, has_elicitation, bucket, sum(kept) AS n,
         sumMap(calls) AS calls, sumMap(paths_run) AS runs
       FROM (${source}) GROUP BY status, trigger_kind, has_elicitation, bucket`,
      p.values,
      { signal },
    ),
    ch.select<PartRow>(totalAndScopes(q, filter, options), q.values, { signal }),
  ]);
  const ok = groupTests(filter);
  const perPath = new Map<string, { calls: number; runs: number }>();
  for (const g of scanned) {
    if (!ok.status(g) || !ok.trigger(g) || !ok.elicitation(g)) continue;
    for (const [path, calls] of Object.entries(g.calls)) {
      const t = perPath.get(path) ?? { calls: 0, runs: 0 };
      t.calls += Number(calls);
      t.runs += Number(g.runs[path] ?? 0);
      perPath.set(path, t);
    }
  }
  return {
    groups: scanned,
    total: totalOf(rollups, options.scopes),
    toolFacets: topTools(perPath),
    scopeCounts: scopesOf(rollups),
  };
}

/**
 * A rollup's conditions for the whole periods [start, end) and the run tables' condition for
 * what lies outside them.
 */
export function periodConditions(
  p: QueryParams,
  scopes: readonly string[] | null,
  periods: { start: number; end: number },
  bounds: { fromMs?: number; toMs?: number },
): { where: string[]; outside: string | null } {
  const start = `toDateTime(${p.add("Int64", periods.start / 1000)}, 'UTC')`;
  // DateTime ends in 2106; "no end" stops there.
  const end = `toDateTime(${p.add("Int64", Math.min(periods.end / 1000, 4_000_000_000))}, 'UTC')`;
  const where = [`period_start >= ${start}`, `period_start < ${end}`];
  if (scopes !== null) where.unshift(`scope_id IN ${p.add("Array(String)", scopes)}`);
  // The partial periods at either bound (none without a bound): two plain ranges, which the
  // primary key reads directly.
  const edges: string[] = [];
  if (bounds.fromMs !== undefined) edges.push(`created_at < ${start}`);
  if (bounds.toMs !== undefined) edges.push(`created_at >= ${end}`);
  return { where, outside: edges.length > 0 ? `(${edges.join(" OR ")})` : null };
}

/** Whole periods of `periodMs` within [fromMs, toMs] (ms, inclusive): [start, end). */
export function wholePeriods(
  fromMs: number | undefined,
  toMs: number | undefined,
  periodMs: number,
): { start: number; end: number } | null {
  const start = fromMs === undefined ? 0 : Math.ceil(fromMs / periodMs) * periodMs;
  const end =
    toMs === undefined ? Number.MAX_SAFE_INTEGER : Math.floor((toMs + 1) / periodMs) * periodMs;
  return end > start ? { start, end } : null;
}

/**
 * Rows (scope_id, status, trigger_kind, has_elicitation, bucket, n) whose `n` sum to the runs matching
 * every filter but status, trigger and elicitation, per timeline bucket (`step`; null: one
 * bucket, 0). Whole 5-minute periods are read from a rollup when the filter allows it and the
 * step is a multiple of the period: `run_counts` without a tool filter, `tool_match_counts`
 * with a tool filter of one value; never with a code filter or an id search. Finished runs in
 * the range's partial periods, and unfinished runs, are counted from the run tables.
 */
export function runCountsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  step: number | null,
): string {
  // `tool_match_counts` has the same periods as `run_counts`.
  const periodMs = RUN_COUNTS_PERIOD_SECONDS * 1000;
  const omit = ["status", "trigger", "elicitation"] as const;
  const stepParam = step === null ? null : p.add("Int64", step);
  const bucketOf = (ms: string) =>
    stepParam === null ? "toInt64(0)" : `toInt64(intDiv(${ms}, ${stepParam}) * ${stepParam})`;
  const columns = (n: string) =>
    `scope_id, status, trigger_kind, has_elicitation, ${bucketOf("toUnixTimestamp64Milli(created_at)")} AS bucket, ${n} AS n`;
  const matcher = singleToolMatcher(filter.tools);
  const rollup =
    !readsRunRows(filter) &&
    (!filter.tools || matcher !== null) &&
    !filter.ids &&
    (step === null || step % periodMs === 0)
      ? wholePeriods(filter.fromMs, filter.toMs, periodMs)
      : null;
  if (!rollup) {
    return runsUnion(p, { filter, scopes, omit }, columns("toInt64(1)"));
  }
  const { where: periodWhere, outside } = periodConditions(p, scopes, rollup, filter);
  // Status, trigger and elicitation are left to the caller: the range's partial periods need
  // only the key, the run's current version and, with a tool filter, its paths.
  const tools = filter.tools && matcher !== null ? filter.tools : undefined;
  const edges = outside
    ? `UNION ALL
    SELECT ${columns("toInt64(1)")} FROM ${currentFinishedRows(
      p,
      { filter, scopes, keyExtra: [outside] },
      `scope_id, status, trigger_kind, has_elicitation, created_at${tools ? ", tool_paths" : ""}`,
    )}${tools ? ` WHERE ${toolCondition(p, tools)}` : ""}`
    : "";
  const unfinished = runConditions(p, { filter, scopes, omit }).join(" AND ") || "1";
  const counts = tools
    ? `tool_match_counts WHERE matcher = ${p.add("String", matcher)} AND`
    : "run_counts WHERE";
  return `SELECT scope_id, status, trigger_kind, has_elicitation,
      ${bucketOf("toUnixTimestamp(period_start) * 1000")} AS bucket, runs AS n
    FROM ${counts} ${periodWhere.join(" AND ")}
    ${edges}
    UNION ALL
    SELECT ${columns("toInt64(1)")} FROM execution_states FINAL
      WHERE ${unfinished} AND ${UNFINISHED_SNAPSHOT}`;
}

/**
 * Top 20 tool paths by calls over the runs matching every filter except `tool` (the calls
 * recorded on each run's row), as rows (tool_path, calls, runs). Without a code filter, whole
 * hours are read from `tool_counts` and only the range's partial hours and unfinished runs
 * from the run tables.
 */
function toolFacetsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
): string {
  const perRun = "path AS tool_path, toInt64(n) AS calls, toInt64(1) AS runs";
  const arrayJoin = "ARRAY JOIN tool_paths AS path, tool_path_calls AS n";
  const omit = ["tool"] as const;
  const rollup =
    !readsRunRows(filter) && !filter.ids
      ? wholePeriods(filter.fromMs, filter.toMs, TOOL_COUNTS_PERIOD_SECONDS * 1000)
      : null;
  const parts: string[] = [];
  if (rollup) {
    const { where, outside } = periodConditions(p, scopes, rollup, filter);
    const dimensions = dimensionConditions(p, filter);
    parts.push(
      `SELECT tool_path, calls, runs FROM tool_counts WHERE ${[...where, ...dimensions].join(" AND ")}`,
    );
    if (outside) {
      // The partial hours: each run's current version, then the filters on it.
      const rows = currentFinishedRows(
        p,
        { filter, scopes, keyExtra: [outside] },
        "status, trigger_kind, has_elicitation, tool_paths, tool_path_calls",
      );
      parts.push(
        `SELECT ${perRun} FROM ${rows} ${arrayJoin} WHERE ${dimensions.join(" AND ") || "1"}`,
      );
    }
  } else {
    parts.push(
      `SELECT ${perRun} FROM executions ${arrayJoin}
       WHERE ${finishedConditions(p, { filter, scopes, omit }).join(" AND ")}`,
    );
  }
  parts.push(
    `SELECT ${perRun} FROM execution_states FINAL ${arrayJoin}
     WHERE ${runConditions(p, { filter, scopes, omit, extra: [UNFINISHED_SNAPSHOT] }).join(" AND ")}`,
  );
  // A path whose calls were all taken back out (a superseded row's) sums to zero.
  return `SELECT tool_path, sum(calls) AS calls, sum(runs) AS runs
    FROM (${parts.join("\n UNION ALL\n")})
    GROUP BY tool_path HAVING calls > 0 ORDER BY calls DESC, tool_path ASC LIMIT 20`;
}

import { type ClickHouse, readArrivalBoundary, UNFINISHED_SNAPSHOT } from "@runtrace/clickhouse";
import type { ExecutionSummary } from "../contract/index.ts";
import { type SummaryRow, summaryColumns, toSummary } from "./list.ts";
import type { ListRequest } from "./list-params.ts";
import { encodeLivePosition, type LivePosition, laterPosition, positionAt } from "./live-cursor.ts";
import { QueryParams } from "./query-params.ts";
import { keyConditions, runConditions, runsUnion, type SourceOptions } from "./runs-source.ts";

/**
 * Live mode, in arrival order (ClickHouse's clock, `@runtrace/clickhouse` `read/arrival.ts`):
 *
 * - `after`: every run whose first row arrived after the position, however long ago it
 *   started, in order of that first arrival. A run's first arrival never moves, whichever of
 *   its spans came first or which collector stored them, so it is returned once.
 * - `updatedSince`: every run whose current version arrived after the position (it finished,
 *   gained a tool call or an interaction, a late span filled it in), or that went stale (its
 *   last update plus the stale threshold, after the position and before now), in order of
 *   that change.
 *
 * Both stop at the arrival boundary: a run placed before it is visible to this read, one placed
 * at or after it may still be committing and waits for a later poll. The runs returned match
 * the list's filters as they are read; `hasMore` tells that more wait before the boundary.
 */

export interface LivePage {
  executions: ExecutionSummary[];
  /** The position to poll from next, with the same parameter. */
  nextCursor: string;
  hasMore: boolean;
}

interface PositionedRow extends SummaryRow {
  position_us: number;
}

const KEY = "scope_id, created_at, execution_id";

/**
 * Runs looked at per answer at most (ledger rows, and snapshots turning stale): a poll far
 * behind (or `after=0`) reads its way forward in steps, with `hasMore`.
 */
const CANDIDATES = 5_000;

/** The runs an answer looks at, found cheaply first: most polls find none. */
interface Candidates {
  ids: string[];
  fromMs: number;
  toMs: number;
  /**
   * When the look was cut at {@link CANDIDATES}: the arrival (µs) just past what it reached.
   * Runs placed at or after it wait for the next answer.
   */
  capUs?: number;
}

/**
 * The list's columns plus what tells two rows of one run apart (the newer one is kept), with
 * `stale` as of the boundary: a run turns stale in live mode once its turning is settled.
 */
function liveColumns(
  p: QueryParams,
  staleAfterMs: number,
  boundary: number,
): (final: 0 | 1) => string {
  const base = summaryColumns(p, staleAfterMs, boundary);
  return (final) =>
    `${base(final)}, version AS rank_version, span_id AS rank_span, row_id AS rank_row`;
}

/** When a snapshot turns stale (epoch µs): its last update plus the stale threshold. */
function staleAtUs(p: QueryParams, staleAfterMs: number): string {
  return `toUnixTimestamp64Micro(updated_at) + ${p.add("Int64", staleAfterMs * 1000)}`;
}

/** `(position, id)` after `from` and before `upTo` (at `from`'s microsecond, by id). */
function inWindow(
  p: QueryParams,
  position: string,
  id: string,
  from: LivePosition,
  upTo: number,
): string {
  const at = p.add("Int64", from.atUs);
  return `${position} < ${p.add("Int64", upTo)} AND (${position} > ${at}
    OR (${position} = ${at} AND ${id} > ${p.add("String", from.id)}))`;
}

/**
 * The runs with a ledger row that arrived in [`from`, `boundary`) and, with `staleAfterMs`,
 * unfinished runs whose last update turns them stale in it: each side read in arrival order,
 * at most {@link CANDIDATES} rows.
 */
async function findCandidates(
  ch: ClickHouse,
  o: SourceOptions,
  from: LivePosition,
  boundary: number,
  signal: AbortSignal,
  cap: number,
  staleAfterMs?: number,
): Promise<Candidates | undefined> {
  const p = new QueryParams();
  const key = keyConditions(p, o);
  const after = (at: string) => inWindow(p, at, "execution_id", from, boundary);
  const limit = p.add("UInt32", cap);
  const arrived = "toUnixTimestamp64Micro(arrived_at)";
  const branches = [
    `SELECT execution_id, toUnixTimestamp64Milli(created_at) AS created_ms, ${arrived} AS at_us
     FROM run_arrivals WHERE ${[...key, after(arrived)].join(" AND ")}
     ORDER BY at_us LIMIT ${limit} WITH TIES`,
  ];
  if (staleAfterMs !== undefined) {
    const staleAt = staleAtUs(p, staleAfterMs);
    branches.push(
      `SELECT execution_id, toUnixTimestamp64Milli(created_at) AS created_ms, ${staleAt} AS at_us
       FROM execution_states
       WHERE ${[...key, UNFINISHED_SNAPSHOT, after(staleAt)].join(" AND ")}
       ORDER BY at_us LIMIT ${limit} WITH TIES`,
    );
  }
  const rows = await ch.select<{
    execution_id: string;
    created_ms: number;
    at_us: number;
    branch: number;
  }>(
    branches.map((b, i) => `SELECT *, ${i} AS branch FROM (${b})`).join("\nUNION ALL\n"),
    p.values,
    { signal },
  );
  if (rows.length === 0) return undefined;
  const ids = new Set<string>();
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  const reached = branches.map(() => ({ n: 0, last: 0 }));
  for (const r of rows) {
    ids.add(r.execution_id);
    fromMs = Math.min(fromMs, Number(r.created_ms));
    toMs = Math.max(toMs, Number(r.created_ms));
    const b = reached[Number(r.branch)]!;
    b.n += 1;
    b.last = Math.max(b.last, Number(r.at_us));
  }
  // Read WITH TIES: every row stamped at the last microsecond read is in (one insert stamps all
  // its rows alike), so everything up to it is complete.
  const caps = reached.filter((b) => b.n >= cap).map((b) => b.last + 1);
  return {
    ids: [...ids],
    fromMs,
    toMs,
    ...(caps.length > 0 ? { capUs: Math.min(...caps) } : {}),
  };
}

/** The key conditions of the candidates: their start range and ids. */
function candidateKeys(p: QueryParams, c: Candidates): string[] {
  return [
    `created_at >= fromUnixTimestamp64Milli(${p.add("Int64", c.fromMs)})`,
    `created_at <= fromUnixTimestamp64Milli(${p.add("Int64", c.toMs)})`,
    `execution_id IN ${p.add("Array(String)", c.ids)}`,
  ];
}

/** Every ledger row of the candidates (a run's positions are over all of them). */
function ledgerOf(p: QueryParams, o: SourceOptions, c: Candidates): string {
  const where = [...keyConditions(p, o), ...candidateKeys(p, c)].join(" AND ");
  return `SELECT ${KEY}, version, toUnixTimestamp64Micro(arrived_at) AS arrived_us
    FROM run_arrivals WHERE ${where}`;
}

/** The candidates' first arrivals in the window: their positions for `after`. */
function firstArrivals(
  p: QueryParams,
  o: SourceOptions,
  c: Candidates,
  from: LivePosition,
  upTo: number,
) {
  return `SELECT ${KEY}, min(arrived_us) AS position_us
    FROM (${ledgerOf(p, o, c)})
    GROUP BY ${KEY}
    HAVING ${inWindow(p, "position_us", "execution_id", from, upTo)}`;
}

/**
 * When each candidate's current version first arrived: the earliest ledger row of its highest
 * version (a final row's copy among the snapshots, or the same row written by two collectors,
 * is no change of its own).
 */
function versionArrivals(p: QueryParams, o: SourceOptions, c: Candidates) {
  return `SELECT ${KEY}, max(version) AS changed_version,
      -tupleElement(max((version, -arrived_us)), 2) AS changed_us
    FROM (${ledgerOf(p, o, c)})
    GROUP BY ${KEY}`;
}

/**
 * The current row of each run meeting `restrict`, then the list's filters on it: a run briefly
 * has two rows (its final row, and a snapshot its writer has not covered with the final row's
 * copy yet), and the newer one alone decides whether the run matches and what it shows. Every
 * finished version is read and the newest kept (`everyVersion`): no look-up of superseded
 * versions, whose rows a statement may see newer than the table's.
 */
function currentRuns(
  p: QueryParams,
  o: SourceOptions,
  restrict: Pick<SourceOptions, "keyExtra" | "extra">,
  columns: (final: 0 | 1) => string,
): string {
  const { fromMs, toMs } = o.filter;
  const all = runsUnion(
    p,
    { filter: { fromMs, toMs }, scopes: o.scopes, ...restrict, everyVersion: true },
    (final) => `${columns(final)}, created_at, code, tool_paths`,
  );
  const filters = runConditions(p, { filter: o.filter, scopes: o.scopes });
  return `SELECT * EXCEPT (created_at, code, tool_paths) FROM (
      SELECT * FROM (${all})
      ORDER BY execution_id, rank_version DESC, rank_span DESC, rank_row DESC
      LIMIT 1 BY execution_id)
    WHERE ${filters.join(" AND ") || "1"}`;
}

/**
 * A page of live rows (`sql` has one row per run and its `position_us`, below `upTo`). The
 * next cursor is the last row's position while more wait, else `upTo` (what was looked at and
 * did not match is not looked at again; past `from`, since a candidate lies between them).
 */
async function livePage(
  ch: ClickHouse,
  { p, c, upTo }: LiveRead,
  sql: string,
  limit: number,
  signal: AbortSignal,
): Promise<LivePage> {
  const rows = await ch.select<PositionedRow>(
    `SELECT * FROM (${sql}) ORDER BY position_us, execution_id LIMIT ${p.add("UInt32", limit + 1)}`,
    p.values,
    { signal },
  );
  const full = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next =
    full && last ? { atUs: Number(last.position_us), id: last.execution_id } : positionAt(upTo - 1);
  return {
    executions: page.map(toSummary),
    nextCursor: encodeLivePosition(next),
    hasMore: full || c.capUs !== undefined,
  };
}

/** Nothing waits: the cursor moves up to the boundary (if that is later). */
function emptyPage(from: LivePosition, boundary: number): LivePage {
  return {
    executions: [],
    nextCursor: encodeLivePosition(laterPosition(from, positionAt(boundary - 1))),
    hasMore: false,
  };
}

/** Which live order: first arrivals (`after`) or changes (`updatedSince`). */
export type LiveOrder = "after" | "updatedSince";

/** What both orders' statements are built from. */
interface LiveRead {
  p: QueryParams;
  o: SourceOptions;
  c: Candidates;
  from: LivePosition;
  boundary: number;
  upTo: number;
  staleAfterMs: number;
}

/** `after`: the candidates' current rows, placed by their first arrival. */
function arrivalsSql({ p, o, c, from, boundary, upTo, staleAfterMs }: LiveRead): string {
  const arrivals = firstArrivals(p, o, c, from, upTo);
  const runs = currentRuns(
    p,
    o,
    { keyExtra: candidateKeys(p, c) },
    liveColumns(p, staleAfterMs, boundary),
  );
  return `SELECT r.*, a.position_us AS position_us FROM (${runs}) AS r
    INNER JOIN (${arrivals}) AS a
      ON r.execution_id = a.execution_id AND r.scope_id = a.scope_id`;
}

/** `updatedSince`: the candidates' current rows, placed by their latest change. */
function changesSql({ p, o, c, from, boundary, upTo, staleAfterMs }: LiveRead): string {
  const changes = versionArrivals(p, o, c);
  // Runs that went stale in the window: silent since before it, by the stale threshold.
  const staleAt = staleAtUs(p, staleAfterMs);
  const wentStale = `(${staleAt} >= ${p.add("Int64", from.atUs)} AND ${staleAt} < ${p.add("Int64", boundary)})`;
  const live = liveColumns(p, staleAfterMs, boundary);
  const runs = currentRuns(
    p,
    o,
    { keyExtra: candidateKeys(p, c) },
    (final) =>
      `${live(final)}, ${final === 0 ? `if(${wentStale}, ${staleAt}, 0)` : "0"} AS stale_us`,
  );
  const position = "greatest(ifNull(c.changed_us, 0), r.stale_us)";
  return `SELECT r.* EXCEPT (stale_us), ${position} AS position_us FROM (${runs}) AS r
    LEFT JOIN (${changes}) AS c ON r.execution_id = c.execution_id AND r.scope_id = c.scope_id
    WHERE ${inWindow(p, position, "r.execution_id", from, upTo)}
      -- A row whose ledger row is not in yet (same insert, a moment later) waits for it.
      AND (c.changed_version = 0 OR r.rank_version <= c.changed_version)`;
}

/**
 * One live answer: the runs after `from` in `order`, up to the arrival boundary, at most
 * `req.limit`, with the cursor to poll from next. `cap` bounds the candidates looked at.
 */
export async function followLive(
  order: LiveOrder,
  ch: ClickHouse,
  req: ListRequest,
  from: LivePosition,
  scopes: readonly string[] | null,
  staleAfterMs: number,
  signal: AbortSignal,
  cap = CANDIDATES,
): Promise<LivePage> {
  const boundary = await readArrivalBoundary(ch, { signal });
  const o: SourceOptions = { filter: req.filter, scopes };
  const stale = order === "updatedSince" ? staleAfterMs : undefined;
  const c = await findCandidates(ch, o, from, boundary, signal, cap, stale);
  if (!c) return emptyPage(from, boundary);
  const upTo = Math.min(boundary, c.capUs ?? boundary);
  const read: LiveRead = { p: new QueryParams(), o, c, from, boundary, upTo, staleAfterMs };
  const sql = order === "after" ? arrivalsSql(read) : changesSql(read);
  return livePage(ch, read, sql, req.limit, signal);
}

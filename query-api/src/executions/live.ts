import { type ClickHouse, readArrivalBoundary } from "@runtrace/clickhouse";
import { type ExecutionSummary, type SummaryRow, summaryColumns, toSummary } from "./list.ts";
import type { ListRequest } from "./list-params.ts";
import { encodeLivePosition, type LivePosition, positionAt } from "./live-cursor.ts";
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

/** `(position, id)` after `from` and before the boundary. */
function inWindow(
  p: QueryParams,
  position: string,
  id: string,
  from: LivePosition,
  boundary: number,
): string {
  const at = p.add("Int64", from.atUs);
  return `${position} < ${p.add("Int64", boundary)} AND (${position} > ${at}
    OR (${position} = ${at} AND ${id} > ${p.add("String", from.id)}))`;
}

/**
 * The ledger rows (`run_arrivals`) of every run with one that arrived at or after `from`:
 * all of them, since a run's first arrival and its current version's are over all of them.
 */
function ledgerOfRecentRuns(p: QueryParams, o: SourceOptions, from: LivePosition): string {
  const key = keyConditions(p, o);
  const recent = [...key, `arrived_at >= fromUnixTimestamp64Micro(${p.add("Int64", from.atUs)})`];
  const runs = `SELECT ${KEY} FROM run_arrivals WHERE ${recent.join(" AND ")}`;
  const where = [...key, `(${KEY}) IN (${runs})`].join(" AND ");
  return `SELECT ${KEY}, version, toUnixTimestamp64Micro(arrived_at) AS arrived_us
    FROM run_arrivals WHERE ${where}`;
}

/** Runs whose first row arrived in the window, with that arrival as their position. */
function firstArrivals(p: QueryParams, o: SourceOptions, from: LivePosition, boundary: number) {
  return `SELECT ${KEY}, min(arrived_us) AS position_us
    FROM (${ledgerOfRecentRuns(p, o, from)})
    GROUP BY ${KEY}
    HAVING ${inWindow(p, "position_us", "execution_id", from, boundary)}`;
}

/**
 * When each recently written run's current version first arrived: the earliest ledger row of
 * its highest version (a final row's copy among the snapshots, or the same row written by two
 * collectors, is no change of its own).
 */
function versionArrivals(p: QueryParams, o: SourceOptions, from: LivePosition) {
  return `SELECT ${KEY}, max(version) AS changed_version,
      -tupleElement(max((version, -arrived_us)), 2) AS changed_us
    FROM (${ledgerOfRecentRuns(p, o, from)})
    GROUP BY ${KEY}`;
}

/**
 * The current row of each run meeting `restrict`, then the list's filters on it: a run briefly
 * has two rows (its final row, and a snapshot its writer has not covered with the final row's
 * copy yet), and the newer one alone decides whether the run matches and what it shows.
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
    { filter: { fromMs, toMs }, scopes: o.scopes, ...restrict },
    (final) => `${columns(final)}, created_at, code, tool_paths`,
  );
  const filters = runConditions(p, { filter: o.filter, scopes: o.scopes });
  return `SELECT * EXCEPT (created_at, code, tool_paths) FROM (
      SELECT * FROM (${all})
      ORDER BY execution_id, rank_version DESC, rank_span DESC, rank_row DESC
      LIMIT 1 BY execution_id)
    WHERE ${filters.join(" AND ") || "1"}`;
}

/** A page of live rows (`sql` has one row per run and its `position_us`). */
async function livePage(
  ch: ClickHouse,
  p: QueryParams,
  sql: string,
  limit: number,
  boundary: number,
  signal: AbortSignal,
): Promise<LivePage> {
  const rows = await ch.select<PositionedRow>(
    `SELECT * FROM (${sql}) ORDER BY position_us, execution_id LIMIT ${p.add("UInt32", limit + 1)}`,
    p.values,
    { signal },
  );
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  // A page that holds every waiting run moves the cursor up to the boundary: what arrived
  // before it and did not match is not looked at again.
  const next =
    hasMore && last
      ? { atUs: Number(last.position_us), id: last.execution_id }
      : positionAt(boundary - 1);
  return { executions: page.map(toSummary), nextCursor: encodeLivePosition(next), hasMore };
}

/** `after`: runs in order of first arrival. */
export async function runsArrivedAfter(
  ch: ClickHouse,
  req: ListRequest,
  from: LivePosition,
  scopes: readonly string[] | null,
  staleAfterMs: number,
  signal: AbortSignal,
): Promise<LivePage> {
  const boundary = await readArrivalBoundary(ch, { signal });
  const p = new QueryParams();
  const o: SourceOptions = { filter: req.filter, scopes };
  const arrivals = firstArrivals(p, o, from, boundary);
  const runs = currentRuns(
    p,
    o,
    { keyExtra: [`(${KEY}) IN (SELECT ${KEY} FROM (${arrivals}))`] },
    liveColumns(p, staleAfterMs, boundary),
  );
  const sql = `SELECT r.*, a.position_us AS position_us FROM (${runs}) AS r
    INNER JOIN (${arrivals}) AS a
      ON r.execution_id = a.execution_id AND r.scope_id = a.scope_id`;
  return livePage(ch, p, sql, req.limit, boundary, signal);
}

/** `updatedSince`: runs in order of their latest change (a new version, or going stale). */
export async function runsChangedAfter(
  ch: ClickHouse,
  req: ListRequest,
  from: LivePosition,
  scopes: readonly string[] | null,
  staleAfterMs: number,
  signal: AbortSignal,
): Promise<LivePage> {
  const boundary = await readArrivalBoundary(ch, { signal });
  const p = new QueryParams();
  const o: SourceOptions = { filter: req.filter, scopes };
  const changes = versionArrivals(p, o, from);
  const staleUs = p.add("Int64", staleAfterMs * 1000);
  // Runs that went stale in the window: silent since before it, by the stale threshold.
  const staleAt = `toUnixTimestamp64Micro(updated_at) + ${staleUs}`;
  const wentStale = `(${staleAt} >= ${p.add("Int64", from.atUs)} AND ${staleAt} < ${p.add("Int64", boundary)})`;
  const live = liveColumns(p, staleAfterMs, boundary);
  const runs = currentRuns(
    p,
    o,
    { extra: [`((${KEY}) IN (SELECT ${KEY} FROM (${changes})) OR ${wentStale})`] },
    (final) =>
      `${live(final)}, ${final === 0 ? `if(${wentStale}, ${staleAt}, 0)` : "0"} AS stale_us`,
  );
  const position = "greatest(ifNull(c.changed_us, 0), r.stale_us)";
  const sql = `SELECT r.* EXCEPT (stale_us), ${position} AS position_us FROM (${runs}) AS r
    LEFT JOIN (${changes}) AS c ON r.execution_id = c.execution_id AND r.scope_id = c.scope_id
    WHERE ${inWindow(p, position, "r.execution_id", from, boundary)}
      -- A row whose ledger row is not in yet (same insert, a moment later) waits for it.
      AND (c.changed_version = 0 OR r.rank_version <= c.changed_version)`;
  return livePage(ch, p, sql, req.limit, boundary, signal);
}

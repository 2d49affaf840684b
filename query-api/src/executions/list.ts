import type { ClickHouse } from "@runtrace/clickhouse";
import type { ExecutionStatus } from "@runtrace/semconv";
import type { ExecutionSummary } from "../contract/index.ts";
import { type Cursor, encodeCursor, type Sort } from "./cursor.ts";
import type { ListRequest } from "./list-params.ts";
import { QueryParams } from "./query-params.ts";
import { finishedRowsShort, pickedInKeyOrder, runsUnion } from "./runs-source.ts";

export interface SummaryRow {
  scope_id: string;
  execution_id: string;
  status: ExecutionStatus;
  stale: number;
  trigger_kind: string;
  trigger_meta: string;
  runtime: string;
  code_preview: string;
  created_ms: number;
  started_ms: number | null;
  completed_ms: number | null;
  duration_ms: number | null;
  updated_ms: number;
  tool_call_count: number;
  interaction_count: number;
  has_elicitation: boolean;
  pending_interaction_id: string;
  pending_interaction_kind: string;
  pending_interaction_purpose: string;
  trace_id: string;
  final: number;
}

/**
 * The list columns, the same in both tables, for the branch whose rows are final (1) or
 * snapshots (0): only a snapshot can be stale (silent for longer than `staleAfterMs` now, or
 * at `asOfUs`: live mode tells a run stale once that is settled). Times leave as ms under names
 * of their own.
 */
export function summaryColumns(
  p: QueryParams,
  staleAfterMs: number,
  asOfUs?: number,
): (final: 0 | 1) => string {
  const staleMs = p.add("Int64", staleAfterMs);
  const now =
    asOfUs === undefined ? "now64(3)" : `fromUnixTimestamp64Micro(${p.add("Int64", asOfUs)})`;
  return (final) => `scope_id, execution_id, status,
    toUInt8(${final} = 0 AND updated_at < ${now} - toIntervalMillisecond(${staleMs})) AS stale,
    trigger_kind, trigger_meta, runtime, code_preview,
    toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(started_at) AS started_ms,
    toUnixTimestamp64Milli(completed_at) AS completed_ms, duration_ms,
    toUnixTimestamp64Milli(updated_at) AS updated_ms, tool_call_count, interaction_count,
    has_elicitation, pending_interaction_id, pending_interaction_kind, pending_interaction_purpose,
    trace_id`;
}

/** A stored JSON text as its value (null when empty; the text itself when it is not JSON). */
export function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toSummary(r: SummaryRow): ExecutionSummary {
  return {
    id: r.execution_id,
    scope: r.scope_id,
    status: r.status,
    stale: r.stale === 1,
    trigger: {
      kind: r.trigger_kind === "" ? null : r.trigger_kind,
      meta: parseJson(r.trigger_meta),
    },
    runtime: r.runtime === "" ? null : r.runtime,
    codePreview: r.code_preview,
    createdAt: r.created_ms,
    startedAt: r.started_ms,
    completedAt: r.completed_ms,
    durationMs: r.duration_ms,
    updatedAt: r.updated_ms,
    toolCallCount: r.tool_call_count,
    interactionCount: r.interaction_count,
    hadElicitation: Boolean(r.has_elicitation),
    pendingInteraction:
      r.pending_interaction_id === ""
        ? null
        : {
            id: r.pending_interaction_id,
            kind: r.pending_interaction_kind,
            purpose: r.pending_interaction_purpose === "" ? null : r.pending_interaction_purpose,
          },
    traceId: r.trace_id === "" ? null : r.trace_id,
  };
}

/**
 * ORDER BY and the keyset condition for a sort. Durations: runs without one come last in both
 * directions; ties are broken by id in the sort's direction.
 */
function ordering(
  p: QueryParams,
  sort: Sort,
  cursor: Cursor | undefined,
): { orderBy: string; keyset?: string } {
  const dir = sort.direction === "desc" ? "DESC" : "ASC";
  const before = sort.direction === "desc" ? "<" : ">";
  if (sort.field === "createdAt") {
    const orderBy = `created_at ${dir}, execution_id ${dir}`;
    if (!cursor) return { orderBy };
    const t = `fromUnixTimestamp64Milli(${p.add("Int64", cursor.createdAt)})`;
    const id = p.add("String", cursor.id);
    // The first condition is redundant but lets the primary key skip what is already shown.
    const bound = sort.direction === "desc" ? `created_at <= ${t}` : `created_at >= ${t}`;
    return { orderBy, keyset: `${bound} AND (created_at, execution_id) ${before} (${t}, ${id})` };
  }
  const orderBy = `isNull(duration_ms) ASC, duration_ms ${dir}, execution_id ${dir}`;
  if (!cursor) return { orderBy };
  const id = p.add("String", cursor.id);
  if (cursor.durationMs === null) {
    return { orderBy, keyset: `isNull(duration_ms) AND execution_id ${before} ${id}` };
  }
  const d = p.add("Int64", cursor.durationMs);
  return {
    orderBy,
    keyset: `(isNull(duration_ms) OR duration_ms ${before} ${d} OR (duration_ms = ${d} AND execution_id ${before} ${id}))`,
  };
}

/** Widths of the windows a page by start time is first looked for in, narrowest first. */
const PROBE_WINDOWS_MS = [3_600_000, 86_400_000];

/**
 * Conditions that narrow a page by start time to the runs next to where it begins (the cursor,
 * `to`/`from`, or now): a page found within such a window is the page, since every run outside
 * it sorts after every run inside. Reading in key order over a month of daily parts touches
 * every part; a window of an hour or a day touches one or two. A window that holds less than
 * a page is dropped for the next, and finally for the whole range.
 */
function probeWindows(
  p: QueryParams,
  req: ListRequest,
  sort: Sort,
  newestMs: number | null | undefined,
): string[] {
  // An id search is bounded by its runs' own start times already.
  if (sort.field !== "createdAt" || req.filter.ids) return [];
  const { fromMs, toMs } = req.filter;
  const end = toMs ?? Date.now();
  const windows: string[] = [];
  for (const width of PROBE_WINDOWS_MS) {
    if (sort.direction === "desc") {
      const start =
        (req.cursor?.createdAt ?? (newestMs != null ? Math.min(newestMs, end) : end)) - width;
      if (fromMs !== undefined && start <= fromMs) break;
      windows.push(`created_at >= fromUnixTimestamp64Milli(${p.add("Int64", start)})`);
    } else {
      const begin = req.cursor?.createdAt ?? fromMs;
      if (begin === undefined) break;
      const end = begin + width;
      if (toMs !== undefined && end >= toMs) break;
      windows.push(`created_at <= fromUnixTimestamp64Milli(${p.add("Int64", end)})`);
    }
  }
  return windows;
}

/**
 * Rows read first, in page order, beyond a page sorted other than by start time: the page is
 * exact while fewer replaced versions than this sit among them, and is read again without the
 * bound otherwise. Each candidate's columns are read one by one (lazy materialization), so few:
 * on 10M runs with 170 000 replaced rows, a 30-day duration sort took 275–288 ms with 16 more
 * and 416–419 ms checking every row; with none replaced, 264–267 against 265–266.
 */
const EXTRA_CANDIDATES = 16;

/** How far back from a first page's end its newest run is looked for. */
const NEWEST_LOOK_BACK_MS = 86_400_000;

/**
 * The start of the newest stored run of the range (and scopes) that started by the range's end
 * (or now), for a first page by newest first: its windows end there rather than at now. After a
 * quiet hour the hour before now holds nothing, and probing it cost a statement for nothing
 * (at 1M runs, 17–25 ms of a 70 ms page). A window bounds start times from below only, so runs
 * this misses (unfinished ones, a clock ahead, an insert since) are inside it all the same.
 * Undefined when the page does not probe windows from its end; null when no run started in the
 * day before its end (the windows end at its end then).
 */
export async function newestStart(
  ch: ClickHouse,
  req: ListRequest,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<number | null | undefined> {
  const { filter, sort, cursor } = req;
  if (sort.field !== "createdAt" || sort.direction !== "desc" || cursor || filter.ids) {
    return undefined;
  }
  const p = new QueryParams();
  const end = filter.toMs ?? Date.now();
  // The last day before the end at most: the widest window (PROBE_WINDOWS_MS) goes no further,
  // and a month of parts read for a maximum would cost what it saves.
  const start = Math.max(filter.fromMs ?? 0, end - NEWEST_LOOK_BACK_MS);
  const where = [
    `created_at <= fromUnixTimestamp64Milli(${p.add("Int64", end)})`,
    `created_at >= fromUnixTimestamp64Milli(${p.add("Int64", start)})`,
  ];
  if (scopes !== null) where.push(`scope_id IN ${p.add("Array(String)", scopes)}`);
  const [row] = await ch.select<{ newest: number; runs: number }>(
    `SELECT toInt64(toUnixTimestamp64Milli(max(created_at))) AS newest, toUInt8(count() > 0) AS runs
     FROM executions WHERE ${where.join(" AND ")}`,
    p.values,
    { signal },
  );
  return row && row.runs > 0 ? row.newest : null;
}

export interface ListPage {
  executions: ExecutionSummary[];
  nextCursor: string | null;
}

/** One page of the list, in the request's sort (live mode is `live.ts`). */
export async function listExecutions(
  ch: ClickHouse,
  req: ListRequest,
  scopes: readonly string[] | null,
  staleAfterMs: number,
  signal: AbortSignal,
  /** A first page by newest first: {@link newestStart}'s answer, where its windows end. */
  newestMs?: number | null,
): Promise<ListPage> {
  const p = new QueryParams();
  const extra: string[] = [];
  const keyExtra: string[] = [];
  const sort = req.sort;
  const { orderBy, keyset } = ordering(p, sort, req.cursor);
  // A keyset by start time is on the run key alone, so it also bounds the superseded lookup.
  if (keyset) (sort.field === "createdAt" ? keyExtra : extra).push(keyset);
  const columns = summaryColumns(p, staleAfterMs);
  const limit = p.add("UInt32", req.limit + 1);
  // The outer ORDER BY sees the ms columns only.
  const outer = orderBy.replaceAll("created_at", "created_ms");
  const candidates = pickedInKeyOrder(orderBy, req.filter)
    ? undefined
    : p.add("UInt32", req.limit + 1 + EXTRA_CANDIDATES);
  const select = (window: string[], exact: boolean) =>
    ch.select<SummaryRow>(
      `SELECT * FROM (${runsUnion(p, { filter: req.filter, scopes, extra, keyExtra: [...keyExtra, ...window] }, columns, { orderBy, limit, ...(exact ? {} : { candidates }) })})
       ORDER BY ${outer} LIMIT ${limit}`,
      p.values,
      { signal },
    );
  // Read among candidates first; exactly when they may not have held the page's finished rows
  // (the end of the list, or more replaced versions among them than allowed for).
  const read = async (window: string[]) => {
    if (!candidates) return select(window, true);
    const rows = await select(window, false);
    return finishedRowsShort(rows, req.limit + 1) ? select(window, true) : rows;
  };
  let rows: SummaryRow[] | undefined;
  for (const window of probeWindows(p, req, sort, newestMs)) {
    const probed = await read([window]);
    if (probed.length > req.limit) {
      rows = probed;
      break;
    }
  }
  rows ??= await read([]);
  const more = rows.length > req.limit;
  const page = rows.slice(0, req.limit);
  const last = page.at(-1);
  const nextCursor =
    more && last
      ? encodeCursor({
          sort,
          createdAt: last.created_ms,
          durationMs: last.duration_ms,
          id: last.execution_id,
        })
      : null;
  return { executions: page.map(toSummary), nextCursor };
}

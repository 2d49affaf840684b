import type { WriteLane } from "../connection/client.ts";
import type { ToolCallStat } from "../rows/rows.ts";

/**
 * What ClickHouse holds of a set of runs, read by the writer before and after it writes: the
 * rows of each run (every version in `executions`, every snapshot in `execution_states`), the
 * child spans stored for it (tool calls, interactions), and which of its rows are recorded as
 * superseded. Every read is by primary key: scope, a time range, then execution ids.
 */

/** Where a run's rows live. */
export interface RunKey {
  scopeId: string;
  createdAt: number;
}

/** One stored row of a run, without its content. */
export interface StoredRow {
  rowId: bigint;
  version: bigint;
  /** The root span the row was derived from. */
  spanId: string;
  status: string;
  triggerKind: string;
  hasElicitation: boolean;
  toolPaths: string[];
  toolPathCalls: number[];
  durationMs: number | null;
  toolCallStats: ToolCallStat[];
}

/** A child span stored for a run: a tool call or an interaction. */
export interface StoredChild {
  /** The span's own scope, "" when it named none. */
  scopeId: string;
  /** When it started (interactions: created), epoch ms. */
  atMs: number;
  /** Tool calls: the path; interactions: "". */
  toolPath: string;
  /** Tool calls: the start in µs, which orders the run's paths. */
  startedUs: number;
  /** Tool calls: it failed. */
  failed: boolean;
  /** Tool calls: how long it took, µs. */
  durationUs: number;
}

export interface RunState {
  /** The run's key as stored (`execution_ids`), when any row of it is. */
  storedKey?: RunKey;
  finals: StoredRow[];
  snapshots: StoredRow[];
  calls: Map<string, StoredChild>;
  interactions: Map<string, StoredChild>;
  /** Row ids of `finals` recorded in `superseded_executions`. */
  superseded: Set<bigint>;
}

export interface RunStateQuery {
  ids: readonly string[];
  /** Keys already known (from the batch's own root spans); the others are looked up. */
  keys: ReadonlyMap<string, RunKey>;
  /** Scopes the batch's child spans named themselves. */
  childScopes: ReadonlySet<string>;
  /** The earliest start among the batch's child spans (ms), if any. */
  earliestChildMs?: number;
}

/**
 * How long before its run's creation a child span may start and still belong to the run:
 * room for the clocks of two processes of one run (a resumed segment) to disagree.
 */
export const CHILD_START_SLACK_MS = 60_000;

/** Whether a stored or batch child span belongs to the run at `key`. */
export function belongsTo(key: RunKey, childScope: string, atMs: number): boolean {
  return (
    (childScope === "" || childScope === key.scopeId) &&
    atMs >= key.createdAt - CHILD_START_SLACK_MS
  );
}

function emptyState(): RunState {
  return {
    finals: [],
    snapshots: [],
    calls: new Map(),
    interactions: new Map(),
    superseded: new Set(),
  };
}

interface StateRow {
  kind: "key" | "final" | "snapshot" | "call" | "interaction" | "superseded";
  execution_id: string;
  scope_id: string;
  row_id: string;
  version: string;
  span_id: string;
  status: string;
  trigger_kind: string;
  has_elicitation: boolean | number;
  tool_paths: string[];
  tool_path_calls: number[];
  tool_call_stats: [string, number, number, number][];
  /** Run rows: the duration in ms (-1: none); tool calls: in µs. */
  duration: number;
  at_ms: number;
  started_us: number;
  tool_path: string;
}

// tool_call_stats as plain tuples with the Bool as 0/1: JSON output would give named tuples as
// objects and Bools as true/false, and the UNION's placeholder branches have no names.
const RUN_COLUMNS = `execution_id, scope_id, toString(row_id) AS row_id, toString(version) AS version,
  span_id, status, trigger_kind, has_elicitation, tool_paths, tool_path_calls,
  arrayMap(t -> (t.1, toUInt8(t.2), t.3, t.4), tool_call_stats) AS tool_call_stats,
  ifNull(duration_ms, -1) AS duration, toUnixTimestamp64Milli(created_at) AS at_ms,
  toInt64(0) AS started_us, '' AS tool_path`;

/** The query parameters and branch texts shared by the full read and the count read. */
interface Bounds {
  keyed: Map<string, RunKey>;
  params: Record<string, unknown>;
  /** Rows of the keyed runs (by primary key). */
  runRange: string;
  /** Child spans of every id. */
  childRange: string;
  hasKeyed: boolean;
  hasChildren: boolean;
}

function boundsOf(query: RunStateQuery): Bounds {
  const keyed = new Map<string, RunKey>();
  for (const id of query.ids) {
    const key = query.keys.get(id);
    if (key) keyed.set(id, key);
  }
  const scopes = new Set<string>();
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  for (const k of keyed.values()) {
    scopes.add(k.scopeId);
    fromMs = Math.min(fromMs, k.createdAt);
    toMs = Math.max(toMs, k.createdAt);
  }
  const childFrom = Math.min(
    fromMs - CHILD_START_SLACK_MS,
    query.earliestChildMs ?? Number.POSITIVE_INFINITY,
  );
  return {
    keyed,
    hasKeyed: keyed.size > 0,
    hasChildren: Number.isFinite(childFrom),
    runRange:
      "scope_id IN {scopes:Array(String)} AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64}) " +
      "AND created_at <= fromUnixTimestamp64Milli({toMs:Int64}) AND execution_id IN {keyed:Array(String)}",
    childRange:
      "scope_id IN {childScopes:Array(String)} AND execution_id IN {ids:Array(String)} " +
      "AND {time} >= fromUnixTimestamp64Milli({childFrom:Int64})",
    params: {
      ids: query.ids,
      lookup: query.ids.filter((id) => !query.keys.has(id)),
      keyed: [...keyed.keys()],
      scopes: [...scopes],
      fromMs: Number.isFinite(fromMs) ? Math.floor(fromMs) : 0,
      toMs: Number.isFinite(toMs) ? Math.ceil(toMs) : 0,
      childScopes: [...new Set([...scopes, ...query.childScopes, ""])],
      childFrom: Number.isFinite(childFrom) ? Math.floor(childFrom) : 0,
    },
  };
}

/** Ids the batch holds only child spans of: their keys are looked up in the same statement. */
const KEY_BRANCH = `SELECT 'key' AS kind, execution_id, scope_id, ${placeholders("toUnixTimestamp64Milli(created_at)", "toInt64(0)", "''")}
  FROM execution_ids WHERE execution_id IN {lookup:Array(String)}`;

/**
 * The columns of {@link StateRow} after kind, execution_id and scope_id, for a branch without
 * run rows: every branch names its columns, whichever comes first in the UNION.
 */
function placeholders(
  atMs: string,
  startedUs: string,
  toolPath: string,
  spanId = "''",
  call: { status: string; durationUs: string } = { status: "''", durationUs: "toInt64(0)" },
): string {
  return `'0' AS row_id, '' AS version, ${spanId} AS span_id, ${call.status} AS status, '' AS trigger_kind,
    false AS has_elicitation, [] AS tool_paths, [] AS tool_path_calls, [] AS tool_call_stats,
    ${call.durationUs} AS duration, ${atMs} AS at_ms, ${startedUs} AS started_us, ${toolPath} AS tool_path`;
}

/**
 * Reads what is stored of these runs: one statement (keys of the runs the batch holds only
 * children of, the keyed runs' rows, every id's child spans, superseded rows), and a second
 * one only for runs found by that lookup (a child span of a run stored earlier).
 */
export async function readRunStates(
  lane: WriteLane,
  query: RunStateQuery,
): Promise<Map<string, RunState>> {
  const states = new Map<string, RunState>();
  for (const id of query.ids) states.set(id, emptyState());
  const found = await readOnce(lane, query, states);
  const late = [...found.keys()].filter((id) => !query.keys.has(id));
  if (late.length > 0) {
    // Their rows, and their children from their own creation on, under the keys just found.
    const again = await readRunStates(lane, {
      ids: late,
      keys: found,
      childScopes: query.childScopes,
      earliestChildMs: query.earliestChildMs,
    });
    for (const id of late) states.set(id, { ...again.get(id)!, storedKey: found.get(id) });
  }
  return states;
}

async function readOnce(
  lane: WriteLane,
  query: RunStateQuery,
  states: Map<string, RunState>,
): Promise<Map<string, RunKey>> {
  const b = boundsOf(query);
  const parts: string[] = [];
  if ((b.params.lookup as string[]).length > 0) parts.push(KEY_BRANCH);
  if (b.hasKeyed) {
    parts.push(
      `SELECT 'final' AS kind, ${RUN_COLUMNS} FROM executions WHERE ${b.runRange}`,
      `SELECT 'snapshot' AS kind, ${RUN_COLUMNS} FROM execution_states WHERE ${b.runRange}`,
      `SELECT 'superseded' AS kind, execution_id, scope_id, toString(row_id) AS row_id, '' AS version,
         '' AS span_id, '' AS status, '' AS trigger_kind, false AS has_elicitation, [] AS tool_paths,
         [] AS tool_path_calls, [] AS tool_call_stats, toInt64(0) AS duration, toInt64(0) AS at_ms,
         toInt64(0) AS started_us, '' AS tool_path
       FROM superseded_executions WHERE ${b.runRange}`,
    );
  }
  if (b.hasChildren) {
    parts.push(
      `SELECT 'call' AS kind, execution_id, scope_id,
         ${placeholders("toUnixTimestamp64Milli(started_at)", "toUnixTimestamp64Micro(started_at)", "tool_path", "span_id", { status: "status", durationUs: "toInt64(duration_us)" })}
       FROM tool_calls WHERE ${b.childRange.replace("{time}", "started_at")}`,
      `SELECT 'interaction' AS kind, execution_id, scope_id,
         ${placeholders("toUnixTimestamp64Milli(created_at)", "toInt64(0)", "''", "span_id")}
       FROM interactions WHERE ${b.childRange.replace("{time}", "created_at")}`,
    );
  }
  const found = new Map<string, RunKey>();
  if (parts.length === 0) return found;
  const rows = await lane.selectForWrite<StateRow>(parts.join("\nUNION ALL\n"), b.params);
  for (const r of rows) {
    const state = states.get(r.execution_id);
    if (!state) continue;
    switch (r.kind) {
      case "key":
        found.set(r.execution_id, { scopeId: r.scope_id, createdAt: Number(r.at_ms) });
        break;
      case "final":
      case "snapshot": {
        // A row under another key (same id, another scope or time) is another run.
        const key = b.keyed.get(r.execution_id);
        if (!key || key.scopeId !== r.scope_id || key.createdAt !== Number(r.at_ms)) break;
        (r.kind === "final" ? state.finals : state.snapshots).push({
          rowId: BigInt(r.row_id),
          version: BigInt(r.version),
          spanId: r.span_id,
          status: r.status,
          triggerKind: r.trigger_kind,
          hasElicitation: Boolean(r.has_elicitation),
          toolPaths: r.tool_paths,
          toolPathCalls: r.tool_path_calls.map(Number),
          durationMs: Number(r.duration) < 0 ? null : Number(r.duration),
          toolCallStats: r.tool_call_stats.map(([path, failed, bucket, calls]) => ({
            path,
            failed: Boolean(failed),
            bucket: Number(bucket),
            calls: Number(calls),
          })),
        });
        break;
      }
      case "superseded":
        state.superseded.add(BigInt(r.row_id));
        break;
      case "call":
      case "interaction":
        (r.kind === "call" ? state.calls : state.interactions).set(r.span_id, {
          scopeId: r.scope_id,
          atMs: Number(r.at_ms),
          toolPath: r.tool_path,
          startedUs: Number(r.started_us),
          failed: r.status === "failed",
          durationUs: Number(r.duration),
        });
        break;
    }
  }
  return found;
}

/** How much is stored of a run: what the writer compares with what it expects after writing. */
export interface RunCounts {
  storedKey?: RunKey;
  finals: number;
  snapshots: number;
  calls: number;
  interactions: number;
  superseded: number;
}

export function countsOf(state: RunState): RunCounts {
  return {
    storedKey: state.storedKey,
    finals: state.finals.length,
    snapshots: state.snapshots.length,
    calls: state.calls.size,
    interactions: state.interactions.size,
    superseded: state.superseded.size,
  };
}

/**
 * Counts, per run, what the full read would return (one statement, a few numbers a run): after
 * writing, the writer compares them with what it read plus what it wrote, and reads in full
 * only the runs another writer touched meanwhile.
 */
export async function readRunCounts(
  lane: WriteLane,
  query: RunStateQuery,
): Promise<Map<string, RunCounts>> {
  const counts = new Map<string, RunCounts>();
  for (const id of query.ids) {
    counts.set(id, { finals: 0, snapshots: 0, calls: 0, interactions: 0, superseded: 0 });
  }
  const b = boundsOf(query);
  const parts: string[] = [];
  if ((b.params.lookup as string[]).length > 0) {
    parts.push(`SELECT 'key' AS kind, execution_id, scope_id, toUnixTimestamp64Milli(created_at) AS at_ms,
      toUInt64(0) AS n FROM execution_ids WHERE execution_id IN {lookup:Array(String)}`);
  }
  const grouped = (kind: string, table: string, n: string, where: string) =>
    `SELECT '${kind}' AS kind, execution_id, scope_id, toUnixTimestamp64Milli(created_at) AS at_ms,
       ${n} AS n FROM ${table} WHERE ${where} GROUP BY execution_id, scope_id, created_at`;
  if (b.hasKeyed) {
    parts.push(
      grouped("final", "executions", "count()", b.runRange),
      grouped("snapshot", "execution_states", "count()", b.runRange),
      grouped("superseded", "superseded_executions", "uniqExact(row_id)", b.runRange),
    );
  }
  if (b.hasChildren) {
    parts.push(
      `SELECT 'call' AS kind, execution_id, '' AS scope_id, toInt64(0) AS at_ms,
         uniqExact(span_id) AS n FROM tool_calls
       WHERE ${b.childRange.replace("{time}", "started_at")} GROUP BY execution_id`,
      `SELECT 'interaction' AS kind, execution_id, '' AS scope_id, toInt64(0) AS at_ms,
         uniqExact(span_id) AS n FROM interactions
       WHERE ${b.childRange.replace("{time}", "created_at")} GROUP BY execution_id`,
    );
  }
  if (parts.length === 0) return counts;
  const rows = await lane.selectForWrite<{
    kind: string;
    execution_id: string;
    scope_id: string;
    at_ms: number;
    n: number;
  }>(parts.join("\nUNION ALL\n"), b.params);
  for (const r of rows) {
    const c = counts.get(r.execution_id);
    if (!c) continue;
    const n = Number(r.n);
    if (r.kind === "key") c.storedKey = { scopeId: r.scope_id, createdAt: Number(r.at_ms) };
    else if (r.kind === "call") c.calls = n;
    else if (r.kind === "interaction") c.interactions = n;
    else {
      const key = b.keyed.get(r.execution_id);
      if (!key || key.scopeId !== r.scope_id || key.createdAt !== Number(r.at_ms)) continue;
      if (r.kind === "final") c.finals = n;
      else if (r.kind === "snapshot") c.snapshots = n;
      else if (r.kind === "superseded") c.superseded = n;
    }
  }
  return counts;
}

/** Whether two counts tell of the same stored state. */
export function sameCounts(a: RunCounts, b: RunCounts): boolean {
  return (
    a.finals === b.finals &&
    a.snapshots === b.snapshots &&
    a.calls === b.calls &&
    a.interactions === b.interactions &&
    a.superseded === b.superseded &&
    (a.storedKey === undefined) === (b.storedKey === undefined)
  );
}

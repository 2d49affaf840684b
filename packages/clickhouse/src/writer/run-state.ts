import type { WriteLane } from "../connection/client.ts";

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

function emptyState(storedKey?: RunKey): RunState {
  return {
    storedKey,
    finals: [],
    snapshots: [],
    calls: new Map(),
    interactions: new Map(),
    superseded: new Set(),
  };
}

interface KeyRow {
  execution_id: string;
  scope_id: string;
  created_ms: number;
}

interface StateRow {
  kind: "final" | "snapshot" | "call" | "interaction" | "superseded";
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
  at_ms: number;
  started_us: number;
  tool_path: string;
}

const RUN_COLUMNS = `execution_id, scope_id, toString(row_id) AS row_id, toString(version) AS version,
  span_id, status, trigger_kind, has_elicitation, tool_paths, tool_path_calls,
  toUnixTimestamp64Milli(created_at) AS at_ms, toInt64(0) AS started_us, '' AS tool_path`;

const RUN_RANGE =
  "scope_id IN {scopes:Array(String)} AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64}) " +
  "AND created_at <= fromUnixTimestamp64Milli({toMs:Int64}) AND execution_id IN {keyed:Array(String)}";

/** The runs' keys as stored, looked up by id (`execution_ids` is keyed by execution id). */
async function storedKeys(lane: WriteLane, ids: readonly string[]): Promise<Map<string, RunKey>> {
  const keys = new Map<string, RunKey>();
  if (ids.length === 0) return keys;
  const rows = await lane.selectForWrite<KeyRow>(
    `SELECT execution_id, scope_id, toUnixTimestamp64Milli(created_at) AS created_ms
     FROM execution_ids WHERE execution_id IN {ids:Array(String)}`,
    { ids },
  );
  for (const r of rows) {
    keys.set(r.execution_id, { scopeId: r.scope_id, createdAt: Number(r.created_ms) });
  }
  return keys;
}

/** Reads what is stored of these runs (two statements: keys, then everything else). */
export async function readRunStates(
  lane: WriteLane,
  query: RunStateQuery,
): Promise<Map<string, RunState>> {
  const stored = await storedKeys(lane, query.ids);
  const states = new Map<string, RunState>();
  for (const id of query.ids) states.set(id, emptyState(stored.get(id)));

  // Runs with a key are read by it; children are read for every id.
  const keyed = new Map<string, RunKey>();
  for (const id of query.ids) {
    const key = query.keys.get(id) ?? stored.get(id);
    if (key) keyed.set(id, key);
  }
  const keyedKeys = [...new Map([...stored, ...keyed]).values()];
  const scopes = new Set(keyedKeys.map((k) => k.scopeId));
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  for (const k of keyedKeys) {
    fromMs = Math.min(fromMs, k.createdAt);
    toMs = Math.max(toMs, k.createdAt);
  }
  const childScopes = new Set([...scopes, ...query.childScopes, ""]);
  const childFrom = Math.min(
    fromMs - CHILD_START_SLACK_MS,
    query.earliestChildMs ?? Number.POSITIVE_INFINITY,
  );
  const parts: string[] = [];
  if (keyed.size > 0) {
    parts.push(
      `SELECT 'final' AS kind, ${RUN_COLUMNS} FROM executions WHERE ${RUN_RANGE}`,
      `SELECT 'snapshot', ${RUN_COLUMNS} FROM execution_states WHERE ${RUN_RANGE}`,
      `SELECT 'superseded', execution_id, scope_id, toString(row_id), '', '', '', '', false, [], [],
         toInt64(0), toInt64(0), '' FROM superseded_executions WHERE ${RUN_RANGE}`,
    );
  }
  if (Number.isFinite(childFrom)) {
    const children = `scope_id IN {childScopes:Array(String)} AND execution_id IN {ids:Array(String)}`;
    parts.push(
      `SELECT 'call', execution_id, scope_id, '0', '', span_id, '', '', false, [], [],
         toUnixTimestamp64Milli(started_at), toUnixTimestamp64Micro(started_at), tool_path
       FROM tool_calls WHERE ${children}
         AND started_at >= fromUnixTimestamp64Milli({childFrom:Int64})`,
      `SELECT 'interaction', execution_id, scope_id, '0', '', span_id, '', '', false, [], [],
         toUnixTimestamp64Milli(created_at), toInt64(0), ''
       FROM interactions WHERE ${children}
         AND created_at >= fromUnixTimestamp64Milli({childFrom:Int64})`,
    );
  }
  if (parts.length === 0) return states;
  const rows = await lane.selectForWrite<StateRow>(parts.join("\nUNION ALL\n"), {
    ids: query.ids,
    keyed: [...keyed.keys()],
    scopes: [...scopes],
    fromMs: Number.isFinite(fromMs) ? Math.floor(fromMs) : 0,
    toMs: Number.isFinite(toMs) ? Math.ceil(toMs) : 0,
    childScopes: [...childScopes],
    childFrom: Number.isFinite(childFrom) ? Math.floor(childFrom) : 0,
  });
  for (const r of rows) {
    const state = states.get(r.execution_id);
    if (!state) continue;
    switch (r.kind) {
      case "final":
      case "snapshot": {
        // A row under another key (same id, another scope or time) is another run.
        const key = keyed.get(r.execution_id);
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
        });
        break;
    }
  }
  return states;
}

import type { WriteLane } from "../connection/client.ts";
import { UNFINISHED_SNAPSHOT } from "../read/runs.ts";
import type { ExecutionRow, InteractionRow, ToolCallRow } from "../rows/rows.ts";

/**
 * Makes the run tables idempotent by primary key: before a batch is inserted, the keys it
 * would write are looked up (a primary-key read: scope, a time range, then ids), and rows
 * already stored are dropped. This keeps `executions` at exactly one row per finished run,
 * so lists and counts never need FINAL.
 */

export interface ResolvedExecutions {
  /** New final rows for `executions`. */
  finals: ExecutionRow[];
  /** Snapshots for `execution_states` of runs not known to be finished. */
  states: ExecutionRow[];
  /**
   * Final rows of runs that have snapshots stored. Each is also written to `execution_states`
   * (after its `executions` insert), so the run's latest snapshot is final and readers of
   * unfinished runs skip it; the run's snapshots are deleted afterwards.
   */
  settled: ExecutionRow[];
}

const keyOf = (scopeId: string, executionId: string) => `${scopeId}\u0000${executionId}`;

type KeyRange = {
  scopes: string[];
  ids: string[];
  fromMs: number;
  toMs: number;
};

/** The runs of a {@link KeyRange}, located by primary key: scope, a time range, then ids. */
const RUN_KEY_RANGE =
  "scope_id IN {scopes:Array(String)} AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64}) " +
  "AND created_at <= fromUnixTimestamp64Milli({toMs:Int64}) AND execution_id IN {ids:Array(String)}";

function rangeOf<T>(
  rows: readonly T[],
  scope: (r: T) => string,
  id: (r: T) => string,
  ms: (r: T) => number,
): KeyRange {
  const scopes = new Set<string>();
  const ids: string[] = [];
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    scopes.add(scope(r));
    ids.push(id(r));
    const t = ms(r);
    if (t < fromMs) fromMs = t;
    if (t > toMs) toMs = t;
  }
  return { scopes: [...scopes], ids, fromMs: Math.floor(fromMs), toMs: Math.ceil(toMs) };
}

/** Keeps one row per run (the final one, else the latest snapshot) and drops what is stored. */
export async function resolveExecutions(
  ch: WriteLane,
  rows: readonly ExecutionRow[],
): Promise<ResolvedExecutions> {
  const latest = new Map<string, ExecutionRow>();
  for (const row of rows) {
    const key = keyOf(row.scopeId, row.executionId);
    const seen = latest.get(key);
    if (
      !seen ||
      (row.final && !seen.final) ||
      (row.final === seen.final && row.version > seen.version)
    ) {
      latest.set(key, row);
    }
  }
  if (latest.size === 0) return { finals: [], states: [], settled: [] };
  const candidates = [...latest.values()];
  const range = rangeOf(
    candidates,
    (r) => r.scopeId,
    (r) => r.executionId,
    (r) => r.createdAt,
  );
  const stored = await ch.selectForWrite<{ scope_id: string; execution_id: string; final: number }>(
    `SELECT DISTINCT scope_id, execution_id, 1 AS final FROM executions WHERE ${RUN_KEY_RANGE}
     UNION ALL
     SELECT DISTINCT scope_id, execution_id, 0 AS final FROM execution_states WHERE ${RUN_KEY_RANGE}`,
    range,
  );
  const storedFinal = new Set<string>();
  const storedState = new Set<string>();
  for (const s of stored) {
    (Number(s.final) === 1 ? storedFinal : storedState).add(keyOf(s.scope_id, s.execution_id));
  }
  const result: ResolvedExecutions = { finals: [], states: [], settled: [] };
  for (const row of candidates) {
    const key = keyOf(row.scopeId, row.executionId);
    if (storedFinal.has(key)) {
      // Stored before, but its snapshots were not superseded yet (a write that stopped
      // half-way, resent): finish the job.
      if (row.final && storedState.has(key)) result.settled.push(row);
      continue;
    }
    if (row.final) {
      result.finals.push(row);
      if (storedState.has(key)) result.settled.push(row);
    } else {
      result.states.push(row);
    }
  }
  return result;
}

/**
 * Deletes the snapshots of runs that now have their final row, in two steps: the unfinished
 * snapshots first, waiting until every part is done, then the copies of final rows. A lightweight
 * delete applies part by part, so deleting both at once could briefly leave an older
 * snapshot as a run's latest and show the finished run as unfinished again.
 */
export async function deleteSettledStates(
  ch: WriteLane,
  settled: readonly ExecutionRow[],
  wait: boolean,
): Promise<void> {
  if (settled.length === 0) return;
  const range = rangeOf(
    settled,
    (r) => r.scopeId,
    (r) => r.executionId,
    (r) => r.createdAt,
  );
  await ch.command(
    `DELETE FROM execution_states WHERE ${RUN_KEY_RANGE} AND ${UNFINISHED_SNAPSHOT} SETTINGS lightweight_deletes_sync = 2`,
    range,
  );
  await ch.command(
    `DELETE FROM execution_states WHERE ${RUN_KEY_RANGE} ` +
      // Readers already skip these rows: a periodic delete need not hold up the next batch;
      // a flush waits for it.
      `SETTINGS lightweight_deletes_sync = ${wait ? 2 : 0}`,
    range,
  );
}

/** A row identified by its span id, stored under a scope and a time in ClickHouse. */
interface SpanKeyed {
  scopeId: string;
  spanId: string;
}

/**
 * Drops rows already stored (by span id, read through the primary key: scope, then the
 * batch's time range) and repeats within the batch.
 */
async function newBySpanId<T extends SpanKeyed>(
  ch: WriteLane,
  table: "tool_calls" | "interactions",
  timeColumn: "started_at" | "created_at",
  rows: readonly T[],
  timeMs: (row: T) => number,
): Promise<T[]> {
  const unique = uniqueBy(rows, (r) => r.spanId);
  if (unique.length === 0) return unique;
  const range = rangeOf(
    unique,
    (r) => r.scopeId,
    (r) => r.spanId,
    timeMs,
  );
  const stored = await ch.selectForWrite<{ span_id: string }>(
    `SELECT span_id FROM ${table} WHERE scope_id IN {scopes:Array(String)} ` +
      `AND ${timeColumn} >= fromUnixTimestamp64Milli({fromMs:Int64}) ` +
      `AND ${timeColumn} <= fromUnixTimestamp64Milli({toMs:Int64}) AND span_id IN {ids:Array(String)}`,
    range,
  );
  const seen = new Set(stored.map((s) => s.span_id));
  return unique.filter((r) => !seen.has(r.spanId));
}

export function newToolCalls(ch: WriteLane, rows: readonly ToolCallRow[]): Promise<ToolCallRow[]> {
  return newBySpanId(ch, "tool_calls", "started_at", rows, (r) => r.startedAtUs / 1000);
}

export function newInteractions(
  ch: WriteLane,
  rows: readonly InteractionRow[],
): Promise<InteractionRow[]> {
  return newBySpanId(ch, "interactions", "created_at", rows, (r) => r.createdAt);
}

function uniqueBy<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const r of rows) {
    const k = key(r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}

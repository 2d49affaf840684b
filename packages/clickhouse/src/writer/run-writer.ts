import type { WriteLane } from "../connection/client.ts";
import { quoteString } from "../connection/sql-literal.ts";
import type { ExecutionRow, InteractionRow, SpanRows, ToolCallRow } from "../rows/rows.ts";
import {
  EXECUTION_COLUMNS,
  executionLine,
  INTERACTION_COLUMNS,
  interactionLine,
  RUN_COUNTS_COLUMNS,
  runCountsLine,
  SUPERSEDED_COLUMNS,
  type SupersededRow,
  supersededLine,
  TOOL_CALL_COLUMNS,
  TOOL_COUNTS_COLUMNS,
  TOOL_MATCH_COUNTS_COLUMNS,
  toolCallLine,
  toolCountsLines,
  toolMatchCountsLines,
} from "../rows/tables.ts";
import { DURATION_ROLLUPS } from "../schema/v11-duration-counts.ts";
import { MATCH_DURATION_ROLLUPS } from "../schema/v13-match-durations.ts";
import {
  bestRoot,
  childrenOf,
  deriveRow,
  planRun,
  type RunPlan,
  storedCall,
  storedInteraction,
  winningFinal,
} from "./derive-runs.ts";
import { type InsertJob, join, pipeline } from "./insert-pipeline.ts";
import {
  countsOf,
  type RunKey,
  type RunState,
  readRunCounts,
  readRunStates,
  type StoredRow,
  sameCounts,
} from "./run-state.ts";
import { compareRank, newRowId, rootOfVersion } from "./run-version.ts";
import { readStoredRoots, type StoredRowRef } from "./stored-rows.ts";

/**
 * Writes the run tables for a batch of spans so that what is stored is a function of the set
 * of spans received, not of their order, grouping, repetition or of which collector wrote them:
 *
 * 1. Read what is stored of the batch's runs (rows, child spans, superseded rows).
 * 2. Store the child spans not stored yet, and every run's row derived from its best root and
 *    all of its child spans, when that is newer than the stored one.
 * 3. Read again. A span of the run stored meanwhile by another writer (or collector) shows up
 *    now: derive again. Whichever of two writers stored the later span sees the other's, so the
 *    row derived from all of a run's spans is always written by someone.
 * 4. Every row of `executions` but the winner is recorded in `superseded_executions` (readers
 *    skip it; views take its counts out of the rollups). A row recorded twice by two writers
 *    at once is a repeat: its counts go back into the rollups, once (deduplication tokens).
 *
 * Nothing is kept in memory between batches: several collectors may write the same runs. Only
 * the only writer of an embedded data directory (`alone`), which no other writer can race,
 * skips the reads of 3 and the read-back of 4.
 */

export interface RunWriteResult {
  /** Runs whose final row was copied over their snapshots (their snapshots can go). */
  settled: ExecutionRow[];
  /** Child spans of the batch that were stored already (or repeated in the batch). */
  duplicatesDropped: number;
}

/** The batch's rows grouped by execution id. */
interface BatchRuns {
  ids: string[];
  roots: Map<string, ExecutionRow>;
  calls: Map<string, ToolCallRow[]>;
  interactions: Map<string, InteractionRow[]>;
  keys: Map<string, RunKey>;
  childScopes: Set<string>;
  earliestChildMs?: number;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function groupBatch(spans: SpanRows): BatchRuns {
  const rootRows = new Map<string, ExecutionRow[]>();
  for (const r of spans.executions) push(rootRows, r.executionId, r);
  const roots = new Map<string, ExecutionRow>();
  const keys = new Map<string, RunKey>();
  for (const [id, rows] of rootRows) {
    const best = bestRoot(rows)!;
    roots.set(id, best);
    keys.set(id, { scopeId: best.scopeId, createdAt: best.createdAt });
  }
  const calls = new Map<string, ToolCallRow[]>();
  const interactions = new Map<string, InteractionRow[]>();
  const childScopes = new Set<string>();
  let earliest = Number.POSITIVE_INFINITY;
  for (const c of spans.toolCalls) {
    push(calls, c.executionId, c);
    if (c.scopeId) childScopes.add(c.scopeId);
    earliest = Math.min(earliest, Math.floor(c.startedAtUs / 1000));
  }
  for (const i of spans.interactions) {
    push(interactions, i.executionId, i);
    if (i.scopeId) childScopes.add(i.scopeId);
    earliest = Math.min(earliest, i.createdAt);
  }
  const ids = [...new Set([...roots.keys(), ...calls.keys(), ...interactions.keys()])];
  return {
    ids,
    roots,
    calls,
    interactions,
    keys,
    childScopes,
    earliestChildMs: Number.isFinite(earliest) ? earliest : undefined,
  };
}

/** Child rows not stored yet, each span once. */
function newChildren<T extends { spanId: string; executionId: string }>(
  rows: readonly T[] | undefined,
  stored: ReadonlyMap<string, unknown> | undefined,
): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (const r of rows ?? []) {
    if (seen.has(r.spanId) || stored?.has(r.spanId)) continue;
    seen.add(r.spanId);
    out.push(r);
  }
  return out;
}

/** The rows to insert for the runs of one round. */
interface RoundRows {
  finals: ExecutionRow[];
  snapshots: ExecutionRow[];
  /** Final rows written over a run's unfinished snapshots, so those no longer count. */
  copies: ExecutionRow[];
}

/**
 * Derives the runs' rows (reading stored roots where a run's root is stored) and the copies of
 * final rows their snapshots need.
 */
async function deriveRound(
  lane: WriteLane,
  ids: readonly string[],
  states: ReadonlyMap<string, RunState>,
  keyOf: (id: string) => RunKey | undefined,
  batch?: BatchRuns,
  fresh?: { calls: Map<string, ToolCallRow[]>; interactions: Map<string, InteractionRow[]> },
): Promise<RoundRows> {
  const plans = new Map<string, RunPlan>();
  const reads: StoredRowRef[] = [];
  const copyWinner = new Set<string>();
  for (const id of ids) {
    const key = keyOf(id);
    const state = states.get(id);
    if (!key || !state) continue;
    const children = childrenOf(state, fresh?.calls.get(id), fresh?.interactions.get(id));
    const plan = planRun(key, state, batch?.roots.get(id), children);
    plans.set(id, plan);
    if (plan.kind === "derive-stored") reads.push({ executionId: id, key, row: plan.root });
    else if (plan.kind === "unchanged" && needsCopy(state)) {
      // Finished earlier, yet a snapshot stored since (by another writer) is newer than any
      // copy: the winning final row goes over it again.
      const winner = winningFinal(state);
      if (winner && winner.rowId !== 0n) {
        reads.push({ executionId: id, key, row: winner });
        copyWinner.add(id);
      }
    }
  }
  const contents = reads.length > 0 ? await readStoredRoots(lane, reads) : new Map();
  const out: RoundRows = { finals: [], snapshots: [], copies: [] };
  for (const [id, plan] of plans) {
    let row: ExecutionRow | undefined;
    if (plan.kind === "derive") row = deriveRow(plan.root, plan.facts);
    else if (plan.kind === "derive-stored") {
      const root = contents.get(id);
      if (root) row = deriveRow(root, plan.facts);
    }
    if (row) (row.final ? out.finals : out.snapshots).push(row);
    const state = states.get(id)!;
    if (row?.final && needsCopy(state)) out.copies.push(row);
    else if (copyWinner.has(id)) {
      const winner = contents.get(id);
      if (winner?.final) out.copies.push(winner);
    }
  }
  return out;
}

/** Whether the run's newest snapshot is unfinished (a final row written now must go over it). */
function needsCopy(state: RunState): boolean {
  let newest: StoredRow | undefined;
  for (const row of state.snapshots) if (!newest || compareRank(row, newest) > 0) newest = row;
  return newest !== undefined && !rootOfVersion(newest.version).final;
}

function rowCount(r: RoundRows): number {
  return r.finals.length + r.snapshots.length + r.copies.length;
}

function runJobs(rows: RoundRows): InsertJob[] {
  return [
    ["executions", EXECUTION_COLUMNS, () => join(rows.finals, executionLine)],
    [
      "execution_states",
      EXECUTION_COLUMNS,
      () => join([...rows.snapshots, ...rows.copies], executionLine),
    ],
  ];
}

export interface RunWriteOptions {
  /**
   * Stores the batch's new child spans on another lane (the span lane, once its own inserts
   * are done), while this one derives and writes the run rows. Default: this lane, first.
   */
  insertChildren?: (jobs: InsertJob[]) => Promise<void>;
  /**
   * No other writer can write these tables now (the only writer of an embedded data
   * directory): the reads that only catch another writer's concurrent spans are skipped.
   */
  alone?: boolean;
}

export async function writeRunTables(
  lane: WriteLane,
  spans: SpanRows,
  options: RunWriteOptions = {},
): Promise<RunWriteResult> {
  const batch = groupBatch(spans);
  if (batch.ids.length === 0) return { settled: [], duplicatesDropped: 0 };
  const query = (ids: readonly string[]) => ({
    ids,
    keys: batch.keys,
    childScopes: batch.childScopes,
    earliestChildMs: batch.earliestChildMs,
  });
  const keyIn = (states: ReadonlyMap<string, RunState>) => (id: string) =>
    batch.keys.get(id) ?? states.get(id)?.storedKey;

  // 1–2: the batch's new child spans and the rows they and its roots give.
  const states = await readRunStates(lane, query(batch.ids));
  const fresh = {
    calls: new Map<string, ToolCallRow[]>(),
    interactions: new Map<string, InteractionRow[]>(),
  };
  const calls: ToolCallRow[] = [];
  const interactions: InteractionRow[] = [];
  for (const id of batch.ids) {
    const c = newChildren(batch.calls.get(id), states.get(id)?.calls);
    const i = newChildren(batch.interactions.get(id), states.get(id)?.interactions);
    if (c.length > 0) fresh.calls.set(id, c);
    if (i.length > 0) fresh.interactions.set(id, i);
    calls.push(...c);
    interactions.push(...i);
  }
  const duplicatesDropped =
    spans.toolCalls.length - calls.length + (spans.interactions.length - interactions.length);
  const childJobs: InsertJob[] = [
    ["tool_calls", TOOL_CALL_COLUMNS, () => join(calls, toolCallLine)],
    ["interactions", INTERACTION_COLUMNS, () => join(interactions, interactionLine)],
  ];
  const children = options.insertChildren?.(childJobs);
  // Handled now (a failure must not go unobserved while the run rows are written); awaited below.
  children?.catch(() => undefined);
  let first: RoundRows;
  try {
    first = await deriveRound(lane, batch.ids, states, keyIn(states), batch, fresh);
    await pipeline(lane, [...(children ? [] : childJobs), ...runJobs(first)]);
  } catch (error) {
    // Not left running into the next attempt.
    await children?.catch(() => undefined);
    throw error;
  }
  // Every child span is stored before anything is read back (or the write acknowledged).
  await children;
  const settled = [...first.copies];
  applyWrites(states, first, fresh);

  // 3: what other writers stored meanwhile. Counting is enough to tell: only the runs whose
  // counts differ from what was read plus what was just written are read again in full.
  const counts = options.alone ? undefined : await readRunCounts(lane, query(batch.ids));
  const changed = counts
    ? batch.ids.filter((id) => !sameCounts(counts.get(id)!, countsOf(states.get(id)!)))
    : [];
  if (changed.length > 0) {
    const again = await readRunStates(lane, query(changed));
    for (const id of changed) states.set(id, again.get(id)!);
    const second = await deriveRound(lane, changed, states, keyIn(states));
    if (rowCount(second) > 0) {
      await pipeline(lane, runJobs(second));
      settled.push(...second.copies);
      const last = await readRunStates(lane, query(changed));
      for (const id of changed) states.set(id, last.get(id)!);
    }
  }

  // 4: superseded versions.
  await recordSuperseded(lane, states, keyIn(states), !options.alone);
  return { settled, duplicatesDropped: Math.max(0, duplicatesDropped) };
}

/** What a written row looks like when read back. */
function storedRowOf(row: ExecutionRow): StoredRow {
  return {
    rowId: row.rowId,
    version: row.version,
    spanId: row.spanId,
    status: row.status,
    triggerKind: row.triggerKind,
    hasElicitation: row.hasElicitation,
    toolPaths: row.toolPaths,
    toolPathCalls: row.toolPathCalls,
    durationMs: row.durationMs,
    toolCallStats: row.toolCallStats,
  };
}

/** Adds what this writer just stored to the runs' states, as a read would now return it. */
function applyWrites(
  states: Map<string, RunState>,
  rows: RoundRows,
  fresh: { calls: Map<string, ToolCallRow[]>; interactions: Map<string, InteractionRow[]> },
): void {
  for (const row of rows.finals) states.get(row.executionId)?.finals.push(storedRowOf(row));
  for (const row of [...rows.snapshots, ...rows.copies]) {
    states.get(row.executionId)?.snapshots.push(storedRowOf(row));
  }
  for (const [id, list] of fresh.calls) {
    const state = states.get(id);
    for (const c of list) state?.calls.set(c.spanId, storedCall(c));
  }
  for (const [id, list] of fresh.interactions) {
    const state = states.get(id);
    for (const i of list) state?.interactions.set(i.spanId, storedInteraction(i));
  }
}

/** Records every row of `executions` that is not its run's winner and not recorded yet. */
async function recordSuperseded(
  lane: WriteLane,
  states: ReadonlyMap<string, RunState>,
  keyOf: (id: string) => RunKey | undefined,
  checkRepeats: boolean,
): Promise<void> {
  const records: SupersededRow[] = [];
  for (const [id, state] of states) {
    if (state.finals.length < 2) continue;
    const key = keyOf(id);
    const winner = winningFinal(state);
    if (!key || !winner) continue;
    for (const row of state.finals) {
      if (row === winner || row.rowId === 0n || state.superseded.has(row.rowId)) continue;
      records.push({
        scopeId: key.scopeId,
        createdAt: key.createdAt,
        executionId: id,
        rowId: row.rowId,
        recordId: newRowId(),
        status: row.status,
        triggerKind: row.triggerKind,
        hasElicitation: row.hasElicitation,
        toolPaths: row.toolPaths,
        toolPathCalls: row.toolPathCalls,
        durationMs: row.durationMs,
        toolCallStats: row.toolCallStats,
      });
    }
  }
  if (records.length === 0) return;
  await lane.insertTsv("superseded_executions", SUPERSEDED_COLUMNS, join(records, supersededLine));
  if (checkRepeats) await recordRepeats(lane, records);
}

/**
 * A row two writers recorded at the same instant was taken out of the rollups twice: all its
 * records but the first (lowest record id) are repeats, each counted back into the rollups
 * once (and listed in `superseded_repeats`).
 */
async function recordRepeats(lane: WriteLane, records: readonly SupersededRow[]): Promise<void> {
  const created = records.map((r) => r.createdAt);
  const stored = await lane.selectForWrite<{ row_id: string; record_id: string }>(
    `SELECT toString(row_id) AS row_id, toString(record_id) AS record_id FROM superseded_executions
     WHERE scope_id IN {scopes:Array(String)}
       AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64})
       AND created_at <= fromUnixTimestamp64Milli({toMs:Int64})
       AND execution_id IN {ids:Array(String)}`,
    {
      scopes: [...new Set(records.map((r) => r.scopeId))],
      fromMs: Math.min(...created),
      toMs: Math.max(...created),
      ids: [...new Set(records.map((r) => r.executionId))],
    },
  );
  const byRow = new Map<bigint, bigint[]>();
  for (const s of stored) {
    const rowId = BigInt(s.row_id);
    const list = byRow.get(rowId) ?? [];
    list.push(BigInt(s.record_id));
    byRow.set(rowId, list);
  }
  const ours = new Map(records.map((r) => [r.rowId, r]));
  const repeats: SupersededRow[] = [];
  for (const [rowId, recordIds] of byRow) {
    const mine = ours.get(rowId);
    if (!mine || recordIds.length < 2) continue;
    const firstId = recordIds.reduce((a, b) => (a < b ? a : b));
    for (const recordId of recordIds) {
      if (recordId !== firstId) repeats.push({ ...mine, recordId });
    }
  }
  // Each repeat is put back into the rollups by inserts of its own whose deduplication token
  // names it: whichever writers find it, ClickHouse stores it once. Repeats need two writers
  // on one run at the same instant, so one small insert each costs little, and readers never
  // have to look for them.
  for (const repeat of repeats) {
    const token = `repeat-${repeat.rowId}-${repeat.recordId}`;
    await lane.insertTsv(
      "superseded_repeats",
      SUPERSEDED_COLUMNS,
      supersededLine(repeat),
      `${token}-record`,
    );
    await lane.insertTsv("run_counts", RUN_COUNTS_COLUMNS, runCountsLine(repeat), `${token}-runs`);
    const tools = toolCountsLines(repeat);
    if (tools) await lane.insertTsv("tool_counts", TOOL_COUNTS_COLUMNS, tools, `${token}-tools`);
    // The duration rollups count it back from its record in superseded_repeats, with their own
    // views' SQL (tokens as above).
    const repeatRow = `superseded_repeats FINAL`;
    // Its run's key first, so the primary key finds the record without scanning the table.
    const which = `scope_id = ${quoteString(repeat.scopeId)}
      AND created_at = fromUnixTimestamp64Milli(${Math.trunc(repeat.createdAt)})
      AND row_id = ${repeat.rowId} AND record_id = ${repeat.recordId}`;
    for (const rollup of [...DURATION_ROLLUPS, ...MATCH_DURATION_ROLLUPS]) {
      await lane.command(
        `INSERT INTO ${rollup.table} ${rollup.select(repeatRow, "", which)}
         SETTINGS insert_deduplication_token = ${quoteString(`${token}-${rollup.table}`)}`,
      );
    }
    const matches = toolMatchCountsLines(repeat);
    if (matches) {
      await lane.insertTsv(
        "tool_match_counts",
        TOOL_MATCH_COUNTS_COLUMNS,
        matches,
        `${token}-matches`,
      );
    }
  }
}

import { MAX_RECORDED_TOOL_PATHS } from "@runtrace/semconv";
import { durationBucket } from "../rows/duration-buckets.ts";
import type { ExecutionRow, InteractionRow, ToolCallRow, ToolCallStat } from "../rows/rows.ts";
import {
  belongsTo,
  type RunKey,
  type RunState,
  type StoredChild,
  type StoredRow,
} from "./run-state.ts";
import { compareRank, newRowId, rootOfVersion, rootPartOf, runVersion } from "./run-version.ts";

/**
 * A run's row as a function of the spans stored for it: the best root span (final beats
 * unfinished, then the higher `rootVersion`, then the higher span id) gives status, times,
 * code and the rest; the run's distinct child spans give its tool calls, tool paths,
 * interactions and elicitation flag. The same set of spans gives the same row, whatever
 * order they were stored in.
 */

/** A root span's rank among the run's roots: final-ness and `rootVersion`, then span id. */
function rootRankOfRow(row: ExecutionRow): { part: bigint; spanId: string } {
  return { part: rootPartOf(runVersion(row.final, row.rootVersion, 0)), spanId: row.spanId };
}

function rootRankOfStored(row: StoredRow): { part: bigint; spanId: string } {
  return { part: rootPartOf(row.version), spanId: row.spanId };
}

function compareRoot(
  a: { part: bigint; spanId: string },
  b: { part: bigint; spanId: string },
): number {
  if (a.part !== b.part) return a.part > b.part ? 1 : -1;
  if (a.spanId !== b.spanId) return a.spanId > b.spanId ? 1 : -1;
  return 0;
}

/** The best of the batch's root rows of one run. */
export function bestRoot(rows: readonly ExecutionRow[]): ExecutionRow | undefined {
  let best: ExecutionRow | undefined;
  for (const row of rows) {
    if (!best || compareRoot(rootRankOfRow(row), rootRankOfRow(best)) > 0) best = row;
  }
  return best;
}

/** The newest stored row of a run (versions in `executions` and snapshots alike). */
export function newestStored(state: RunState): StoredRow | undefined {
  let best: StoredRow | undefined;
  for (const row of [...state.finals, ...state.snapshots]) {
    if (!best || compareRank(row, best) > 0) best = row;
  }
  return best;
}

/** The row of `executions` that counts: the newest of the run's versions. */
export function winningFinal(state: RunState): StoredRow | undefined {
  let best: StoredRow | undefined;
  for (const row of state.finals) if (!best || compareRank(row, best) > 0) best = row;
  return best;
}

/** The run's child spans: what is stored plus what the batch brings, counted once each. */
export interface Children {
  calls: Map<string, StoredChild>;
  interactions: Map<string, StoredChild>;
}

/** A tool-call row as the run's state holds it once stored. */
export function storedCall(c: ToolCallRow): StoredChild {
  return {
    scopeId: c.scopeId,
    atMs: Math.floor(c.startedAtUs / 1000),
    toolPath: c.toolPath,
    startedUs: c.startedAtUs,
    failed: c.status === "failed",
    durationUs: c.durationUs,
  };
}

/** An interaction row as the run's state holds it once stored. */
export function storedInteraction(i: InteractionRow): StoredChild {
  return {
    scopeId: i.scopeId,
    atMs: i.createdAt,
    toolPath: "",
    startedUs: 0,
    failed: false,
    durationUs: 0,
  };
}

export function childrenOf(
  state: RunState,
  batchCalls: readonly ToolCallRow[] = [],
  batchInteractions: readonly InteractionRow[] = [],
): Children {
  const calls = new Map(state.calls);
  for (const c of batchCalls) if (!calls.has(c.spanId)) calls.set(c.spanId, storedCall(c));
  const interactions = new Map(state.interactions);
  for (const i of batchInteractions) {
    if (!interactions.has(i.spanId)) interactions.set(i.spanId, storedInteraction(i));
  }
  return { calls, interactions };
}

/** The child-derived values of a run's row. */
export interface ChildFacts {
  toolCallCount: number;
  toolPaths: string[];
  toolPathCalls: number[];
  toolCallStats: ToolCallStat[];
  interactionCount: number;
}

export function childFacts(key: RunKey, children: Children): ChildFacts {
  const calls: { spanId: string; child: StoredChild }[] = [];
  for (const [spanId, child] of children.calls) {
    if (belongsTo(key, child.scopeId, child.atMs)) calls.push({ spanId, child });
  }
  // Paths in order of their first call; a tie in time goes by span id, so the order is the
  // same whichever call was stored first.
  calls.sort(
    (a, b) =>
      a.child.startedUs - b.child.startedUs ||
      (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0),
  );
  const perPath = new Map<string, number>();
  for (const { child } of calls) {
    if (perPath.has(child.toolPath) || perPath.size < MAX_RECORDED_TOOL_PATHS) {
      perPath.set(child.toolPath, (perPath.get(child.toolPath) ?? 0) + 1);
    }
  }
  // Counted per (path, outcome, bucket), in that order: the same calls give the same array.
  const perStat = new Map<string, ToolCallStat>();
  for (const { child } of calls) {
    if (!perPath.has(child.toolPath)) continue;
    const stat: ToolCallStat = {
      path: child.toolPath,
      failed: child.failed,
      bucket: durationBucket(child.durationUs),
      calls: 0,
    };
    const id = `${stat.failed ? 1 : 0}\u0000${stat.bucket}\u0000${stat.path}`;
    const counted = perStat.get(id) ?? stat;
    counted.calls++;
    perStat.set(id, counted);
  }
  const toolCallStats = [...perStat.values()].sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      Number(a.failed) - Number(b.failed) ||
      a.bucket - b.bucket,
  );
  let interactionCount = 0;
  for (const child of children.interactions.values()) {
    if (belongsTo(key, child.scopeId, child.atMs)) interactionCount++;
  }
  return {
    toolCallCount: calls.length,
    toolPaths: [...perPath.keys()],
    toolPathCalls: [...perPath.values()],
    toolCallStats,
    interactionCount,
  };
}

/** What a root row says of elicitation by itself: a claimed or a pending interaction. */
function reportedElicitation(root: ExecutionRow): boolean {
  return root.reportedInteractionCount > 0 || root.pendingInteractionId !== "";
}

/** The run's row from its root's values and its children's. */
export function deriveRow(root: ExecutionRow, facts: ChildFacts): ExecutionRow {
  return {
    ...root,
    ...facts,
    hasElicitation: reportedElicitation(root) || facts.interactionCount > 0,
    version: runVersion(root.final, root.rootVersion, facts.toolCallCount + facts.interactionCount),
    rowId: newRowId(),
  };
}

/** What to do for one run. */
export type RunPlan =
  /** Nothing new: the stored row already is what the run's spans give. */
  | { kind: "unchanged" }
  /** A new version, whose root values are in `root`. */
  | { kind: "derive"; root: ExecutionRow; facts: ChildFacts }
  /** A new version whose root is a stored row: its content must be read first. */
  | { kind: "derive-stored"; root: StoredRow; facts: ChildFacts };

/**
 * Decides whether the run needs a new row. `batchRoot` is the best root span the batch holds
 * for it (if any), `children` its stored and batch child spans.
 */
export function planRun(
  key: RunKey,
  state: RunState,
  batchRoot: ExecutionRow | undefined,
  children: Children,
): RunPlan {
  // Rows written before schema version 4 (row id 0) are left as they were.
  if (state.finals.some((r) => r.rowId === 0n)) return { kind: "unchanged" };
  const stored = newestStored(state);
  const facts = childFacts(key, children);
  const useBatch =
    batchRoot !== undefined &&
    (stored === undefined || compareRoot(rootRankOfRow(batchRoot), rootRankOfStored(stored)) >= 0);
  const root = useBatch ? batchRoot : stored;
  if (!root) return { kind: "unchanged" };
  const { final, rootVersion } = useBatch ? batchRoot : rootOfVersion(stored!.version);
  const version = runVersion(final, rootVersion, facts.toolCallCount + facts.interactionCount);
  if (stored) {
    const candidate = { version, spanId: root.spanId, rowId: 0n };
    const current = { version: stored.version, spanId: stored.spanId, rowId: 0n };
    if (compareRank(candidate, current) <= 0) return { kind: "unchanged" };
  }
  return useBatch
    ? { kind: "derive", root: batchRoot, facts }
    : { kind: "derive-stored", root: stored!, facts };
}

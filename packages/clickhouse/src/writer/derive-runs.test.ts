import { describe, expect, it } from "vitest";
import { durationBucket } from "../rows/duration-buckets.ts";
import type { ExecutionRow } from "../rows/rows.ts";
import { childFacts, planRun } from "./derive-runs.ts";
import type { RunState, StoredChild } from "./run-state.ts";
import { compareRank, rootOfVersion, runVersion } from "./run-version.ts";

const KEY = { scopeId: "s", createdAt: 1_000_000 };

function root(over: Partial<ExecutionRow>): ExecutionRow {
  return {
    final: true,
    scopeId: "s",
    executionId: "e",
    rowId: 0n,
    createdAt: KEY.createdAt,
    startedAt: KEY.createdAt,
    completedAt: KEY.createdAt + 10,
    durationMs: 10,
    updatedAt: KEY.createdAt + 10,
    status: "completed",
    triggerKind: "",
    triggerMeta: "",
    runtime: "",
    code: "",
    codeTruncated: false,
    result: "",
    resultTruncated: false,
    error: "",
    errorType: "",
    logs: "",
    toolCallCount: 0,
    reportedToolCallCount: 0,
    toolPaths: [],
    toolPathCalls: [],
    toolCallStats: [],
    interactionCount: 0,
    reportedInteractionCount: 0,
    hasElicitation: false,
    pendingInteractionId: "",
    pendingInteractionKind: "",
    pendingInteractionPurpose: "",
    pendingInteractionPayload: "",
    pendingInteractionCreatedAt: null,
    activeToolCalls: "",
    traceId: "t",
    spanId: "a000000000000001",
    serviceName: "",
    segment: 1,
    rootVersion: 3,
    version: 0n,
    ...over,
  };
}

const call = (
  path: string,
  atMs: number,
  scopeId = "",
  outcome: { failed?: boolean; durationUs?: number } = {},
): StoredChild => ({
  scopeId,
  atMs,
  toolPath: path,
  startedUs: atMs * 1000,
  failed: outcome.failed ?? false,
  durationUs: outcome.durationUs ?? 1000,
});

function state(over: Partial<RunState> = {}): RunState {
  return {
    finals: [],
    snapshots: [],
    calls: new Map(),
    interactions: new Map(),
    superseded: new Set(),
    ...over,
  };
}

describe("run versions", () => {
  it("order final over unfinished, then the root, then the children", () => {
    const order = [
      runVersion(false, 1, 0),
      runVersion(false, 1, 5),
      runVersion(false, 2, 0),
      runVersion(true, 1, 0),
      runVersion(true, 1, 1),
      runVersion(true, 2, 0),
      runVersion(true, 1_800_000_000_000, 3),
    ];
    for (let i = 1; i < order.length; i++) expect(order[i]! > order[i - 1]!).toBe(true);
    expect(rootOfVersion(runVersion(true, 1_800_000_000_000, 3))).toEqual({
      final: true,
      rootVersion: 1_800_000_000_000,
    });
    expect(rootOfVersion(runVersion(false, 7, 2_000_000))).toEqual({
      final: false,
      rootVersion: 7,
    });
  });

  it("break ties by root span id, then row id", () => {
    const v = runVersion(true, 3, 2);
    expect(
      compareRank({ version: v, spanId: "b", rowId: 1n }, { version: v, spanId: "a", rowId: 9n }),
    ).toBe(1);
    expect(
      compareRank({ version: v, spanId: "a", rowId: 1n }, { version: v, spanId: "a", rowId: 9n }),
    ).toBe(-1);
  });
});

describe("a run's children", () => {
  it("count each span once, in the run's scope or none, from a minute before it was created", () => {
    const calls = new Map([
      ["1", call("b.x", KEY.createdAt + 20)],
      ["2", call("a.y", KEY.createdAt + 10, "s")],
      ["3", call("b.x", KEY.createdAt + 30)],
      ["4", call("c.z", KEY.createdAt + 40, "other-scope")],
      ["5", call("d.w", KEY.createdAt - 61_000)],
      ["6", call("a.y", KEY.createdAt - 59_000, "", { failed: true, durationUs: 2_000_000 })],
    ]);
    expect(childFacts(KEY, { calls, interactions: new Map() })).toEqual({
      toolCallCount: 4,
      toolPaths: ["a.y", "b.x"],
      toolPathCalls: [2, 2],
      toolCallStats: [
        { path: "a.y", failed: false, bucket: durationBucket(1000), calls: 1 },
        { path: "a.y", failed: true, bucket: durationBucket(2_000_000), calls: 1 },
        { path: "b.x", failed: false, bucket: durationBucket(1000), calls: 2 },
      ],
      interactionCount: 0,
    });
  });

  it("count calls by outcome and duration the same whatever order they are stored in", () => {
    const entries: [string, StoredChild][] = [
      ["1", call("p.q", KEY.createdAt + 1, "", { durationUs: 15 })],
      ["2", call("p.q", KEY.createdAt + 2, "", { durationUs: 16 })],
      ["3", call("p.q", KEY.createdAt + 3, "", { durationUs: 17, failed: true })],
      ["4", call("a.b", KEY.createdAt + 4, "", { durationUs: 90_000 })],
      ["5", call("p.q", KEY.createdAt + 5, "", { durationUs: 16 })],
    ];
    const facts = (list: [string, StoredChild][]) =>
      childFacts(KEY, { calls: new Map(list), interactions: new Map() }).toolCallStats;
    const forward = facts(entries);
    expect(facts([...entries].reverse())).toEqual(forward);
    expect(forward).toEqual([
      { path: "a.b", failed: false, bucket: durationBucket(90_000), calls: 1 },
      { path: "p.q", failed: false, bucket: 15, calls: 1 },
      { path: "p.q", failed: false, bucket: 16, calls: 2 },
      { path: "p.q", failed: true, bucket: 17, calls: 1 },
    ]);
  });
});

describe("planRun", () => {
  const children = (n: number) => ({
    calls: new Map(Array.from({ length: n }, (_, i) => [`c${i}`, call("t.p", KEY.createdAt + i)])),
    interactions: new Map(),
  });

  it("derives a first row from the batch's root", () => {
    const plan = planRun(KEY, state(), root({}), children(2));
    expect(plan.kind).toBe("derive");
  });

  it("derives a new version from the stored root when more children arrive", () => {
    const stored = { rowId: 5n, version: runVersion(true, 3, 1), spanId: "a000000000000001" };
    const s = state({
      finals: [
        {
          ...stored,
          status: "completed",
          triggerKind: "",
          hasElicitation: false,
          toolPaths: ["t.p"],
          toolPathCalls: [1],
          durationMs: 10,
          toolCallStats: [],
        },
      ],
    });
    expect(planRun(KEY, s, undefined, children(1)).kind).toBe("unchanged");
    const plan = planRun(KEY, s, undefined, children(2));
    expect(plan.kind).toBe("derive-stored");
  });

  it("keeps a stored final row over a late unfinished snapshot", () => {
    const s = state({
      finals: [
        {
          rowId: 5n,
          version: runVersion(true, 3, 0),
          spanId: "a000000000000001",
          status: "completed",
          triggerKind: "",
          hasElicitation: false,
          toolPaths: [],
          toolPathCalls: [],
          durationMs: 10,
          toolCallStats: [],
        },
      ],
    });
    const late = root({
      final: false,
      status: "running",
      rootVersion: 9,
      spanId: "b000000000000001",
    });
    expect(planRun(KEY, s, late, children(0)).kind).toBe("unchanged");
  });

  it("leaves rows written before schema version 4 as they were", () => {
    const s = state({
      finals: [
        {
          rowId: 0n,
          version: 3n,
          spanId: "a000000000000001",
          status: "completed",
          triggerKind: "",
          hasElicitation: false,
          toolPaths: [],
          toolPathCalls: [],
          durationMs: 10,
          toolCallStats: [],
        },
      ],
    });
    expect(planRun(KEY, s, root({}), children(3)).kind).toBe("unchanged");
  });
});

import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_EXECUTION_TOOL_PATH_CALLS,
  ATTR_EXECUTION_TOOL_PATHS,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  EVENT_EXCEPTION,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  MAX_RECORDED_TOOL_PATHS,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
  toolSpanName,
} from "@runtrace/semconv";
import { beforeAll, describe, expect, it } from "vitest";
import { epochMs, installContextManager, manualClock, tracing } from "../test/kit.ts";
import { createExecutionRecorder, type ExecutionState } from "./index.ts";

const T0 = Date.UTC(2026, 0, 1);

beforeAll(installContextManager);

describe("toolCall", () => {
  it("records a successful call as a child span and passes the result through", async () => {
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, now: clock.now });
    const exec = recorder.create({ id: "exec-t", scopeId: "ws_1", code: "tools.github..." });
    const result = await exec.toolCall(
      { path: "github.issues.create", args: { title: "bug" } },
      async () => {
        clock.advance(12);
        return { number: 7 };
      },
    );
    expect(result).toEqual({ number: 7 });
    exec.complete();

    const tool = t.one(toolSpanName("github.issues.create"));
    const root = t.one(SPAN_EXECUTION);
    expect(tool.name).toBe("execute_tool github.issues.create");
    expect(tool.kind).toBe(SpanKind.INTERNAL);
    expect(tool.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(tool.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(epochMs(tool.startTime)).toBe(T0);
    expect(epochMs(tool.endTime)).toBe(T0 + 12);
    const callId = tool.attributes[ATTR_GEN_AI_TOOL_CALL_ID];
    expect(callId).toMatch(/^[0-9a-f-]{36}$/);
    // Args and result stay out unless opted in.
    expect(tool.attributes).toEqual({
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
      [ATTR_GEN_AI_TOOL_NAME]: "github.issues.create",
      [ATTR_GEN_AI_TOOL_CALL_ID]: callId,
      [ATTR_TOOL_PATH]: "github.issues.create",
      [ATTR_TOOL_NAMESPACE]: "github",
      [ATTR_EXECUTION_ID]: "exec-t",
      [ATTR_SCOPE_ID]: "ws_1",
      [ATTR_TOOL_STATUS]: "completed",
    });
    expect(root.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(1);
  });

  it("records args and results as JSON when opted in, and honours an explicit namespace", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({
      tracer: t.tracer,
      recordToolArgs: true,
      recordToolResults: true,
    });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    await exec.toolCall({ path: "search", namespace: "web", args: ["q", 2] }, () => ({ hits: 3 }));
    const tool = t.one(toolSpanName("search"));
    expect(tool.attributes[ATTR_TOOL_ARGS]).toBe('["q",2]');
    expect(tool.attributes[ATTR_TOOL_RESULT]).toBe('{"hits":3}');
    expect(tool.attributes[ATTR_TOOL_NAMESPACE]).toBe("web");
    expect(tool.attributes[ATTR_TOOL_PATH]).toBe("search");
  });

  it("records a failing call (ERROR status, error.type, exception) and rethrows the same error", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer, recordToolResults: true });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    class GitHubError extends Error {
      override name = "GitHubError";
    }
    const thrown = new GitHubError("rate limited");
    await expect(
      exec.toolCall({ path: "github.issues.list" }, async () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    // A synchronous throw is recorded the same way.
    await expect(
      exec.toolCall({ path: "fs.read" }, () => {
        throw new Error("ENOENT");
      }),
    ).rejects.toThrow("ENOENT");
    exec.complete();

    const tool = t.one(toolSpanName("github.issues.list"));
    expect(tool.status).toEqual({ code: SpanStatusCode.ERROR, message: "rate limited" });
    expect(tool.attributes[ATTR_TOOL_STATUS]).toBe("failed");
    expect(tool.attributes[ATTR_TOOL_ERROR]).toBe("rate limited");
    expect(tool.attributes[ATTR_ERROR_TYPE]).toBe("GitHubError");
    expect(tool.attributes[ATTR_TOOL_RESULT]).toBeUndefined();
    const exception = tool.events.find((event) => event.name === EVENT_EXCEPTION);
    expect(exception?.attributes?.[ATTR_EXCEPTION_TYPE]).toBe("GitHubError");
    expect(exception?.attributes?.[ATTR_EXCEPTION_MESSAGE]).toBe("rate limited");
    const sync = t.one(toolSpanName("fs.read"));
    expect(sync.attributes[ATTR_TOOL_STATUS]).toBe("failed");
    expect(sync.attributes[ATTR_ERROR_TYPE]).toBe("Error");
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(2);
  });

  it("runs the tool in the tool span's context, so nested spans parent to it", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    let active: string | undefined;
    await exec.toolCall({ path: "http.get" }, async () => {
      await Promise.resolve();
      active = trace.getActiveSpan()?.spanContext().spanId;
      t.tracer.startSpan("GET https://example.com").end();
    });
    const tool = t.one(toolSpanName("http.get"));
    expect(active).toBe(tool.spanContext().spanId);
    expect(t.one("GET https://example.com").parentSpanContext?.spanId).toBe(
      tool.spanContext().spanId,
    );
  });
});

describe("tool paths on snapshots", () => {
  it("records the distinct paths in order of first call with the calls started for each", async () => {
    const t = tracing();
    const exec = createExecutionRecorder({ tracer: t.tracer }).create({ scopeId: "s", code: "c" });
    await exec.toolCall({ path: "a.x" }, () => 1);
    await exec.toolCall({ path: "b.y" }, () => 2);
    // A failed call was still started: it counts.
    await expect(
      exec.toolCall({ path: "a.x" }, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    exec.complete();

    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(["a.x", "b.y"]);
    expect(root.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual([2, 1]);
    expect(root.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(3);
    // The same strings, in the same order, as the tool-call spans' paths.
    const spanPaths = t
      .spans()
      .map((span) => span.attributes[ATTR_TOOL_PATH])
      .filter((path) => path !== undefined);
    expect([...new Set(spanPaths)]).toEqual(root.attributes[ATTR_EXECUTION_TOOL_PATHS]);
  });

  it("puts on each state span the paths and counts as of its time", async () => {
    const t = tracing();
    const exec = createExecutionRecorder({ tracer: t.tracer }).create({ scopeId: "s", code: "c" });
    await exec.toolCall({ path: "a.x" }, () => 1);
    exec.interaction({ kind: "form" }).resolve();
    await exec.toolCall({ path: "b.y" }, () => 2);
    await exec.toolCall({ path: "a.x" }, () => 3);
    exec.interaction({ kind: "url" }).cancel();
    exec.complete();

    expect(
      t
        .states()
        .map((state) => [
          state.attributes[ATTR_EXECUTION_STATUS],
          state.attributes[ATTR_EXECUTION_TOOL_PATHS],
          state.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS],
        ]),
    ).toEqual([
      ["running", undefined, undefined],
      ["waiting_for_interaction", ["a.x"], [1]],
      ["running", ["a.x"], [1]],
      ["waiting_for_interaction", ["a.x", "b.y"], [2, 1]],
      ["running", ["a.x", "b.y"], [2, 1]],
    ]);
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(["a.x", "b.y"]);
    expect(root.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual([2, 1]);
  });

  it(`records at most ${MAX_RECORDED_TOOL_PATHS} paths, while tool_call_count counts every call`, async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const exec = recorder.create({ scopeId: "s", code: "c" });
    const paths = Array.from({ length: MAX_RECORDED_TOOL_PATHS + 2 }, (_, i) => `ns.tool${i}`);
    for (const path of paths) await exec.toolCall({ path }, () => undefined);
    // Again: the first path counts twice; an unrecorded path stays out.
    await exec.toolCall({ path: paths[0]! }, () => undefined);
    await exec.toolCall({ path: paths.at(-1)! }, () => undefined);
    const state = JSON.parse(JSON.stringify(exec.pause())) as ExecutionState;
    expect(state.toolPathCalls).toHaveLength(MAX_RECORDED_TOOL_PATHS);

    const recorded = paths.slice(0, MAX_RECORDED_TOOL_PATHS);
    const calls = recorded.map((_, i) => (i === 0 ? 2 : 1));
    const paused = t.one(SPAN_EXECUTION);
    expect(paused.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(recorded);
    expect(paused.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual(calls);
    expect(paused.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(MAX_RECORDED_TOOL_PATHS + 4);

    // The cap holds across a resume: a new path is not added, a recorded one still counts.
    const resumed = recorder.resume(state);
    // The paused handle no longer records.
    await exec.toolCall({ path: "late.tool" }, () => undefined);
    await resumed.toolCall({ path: "late.tool" }, () => undefined);
    await resumed.toolCall({ path: paths[1]! }, () => undefined);
    resumed.complete();
    const end = t.one(SPAN_EXECUTION_RESUME);
    expect(end.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(recorded);
    expect(end.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual(
      calls.map((count, i) => (i === 1 ? count + 1 : count)),
    );
    expect(end.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(MAX_RECORDED_TOOL_PATHS + 6);
  });

  it("omits both attributes from every snapshot of a run without tool calls", () => {
    const t = tracing();
    const exec = createExecutionRecorder({ tracer: t.tracer }).create(
      { scopeId: "s", code: "c" },
      { start: false },
    );
    exec.start();
    exec.interaction({ kind: "form" }).resolve();
    exec.complete();
    const snapshots = [...t.states(), t.one(SPAN_EXECUTION)];
    expect(snapshots).toHaveLength(5);
    for (const span of snapshots) {
      expect(span.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(0);
      expect(span.attributes).not.toHaveProperty(ATTR_EXECUTION_TOOL_PATHS);
      expect(span.attributes).not.toHaveProperty(ATTR_EXECUTION_TOOL_PATH_CALLS);
    }
  });
});

describe("a tool call still running", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("is reported in a state span once it has run long enough; short calls add nothing", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({
      tracer: t.tracer,
      reportRunningToolCallsAfterMs: 30,
    });
    const exec = recorder.create({ scopeId: "s", code: "c" });
    await exec.toolCall({ path: "fast.one" }, () => 1);
    const statesAfterFast = t.states().length;
    let inFlight: (() => void) | undefined;
    const slow = exec.toolCall(
      { path: "ci.pipeline.wait" },
      () =>
        new Promise<void>((r) => {
          inFlight = r;
        }),
    );
    await sleep(120);
    const states = t.states();
    expect(states).toHaveLength(statesAfterFast + 1);
    const report = states.at(-1)!;
    expect(report.attributes[ATTR_EXECUTION_STATUS]).toBe("running");
    expect(report.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS]).toEqual(["ci.pipeline.wait"]);
    const ids = report.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS] as string[];
    const started = report.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT] as number[];
    expect(ids).toHaveLength(1);
    expect(started).toHaveLength(1);
    inFlight?.();
    await slow;
    // The call's own span carries the same id and start.
    const tool = t.one(toolSpanName("ci.pipeline.wait"));
    expect(tool.attributes[ATTR_GEN_AI_TOOL_CALL_ID]).toBe(ids[0]);
    expect(epochMs(tool.startTime)).toBe(started[0]);
    // Ended: the next snapshot lists nothing in flight, and no late report follows.
    exec.complete();
    await sleep(60);
    expect(t.states()).toHaveLength(statesAfterFast + 1);
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS]).toBeUndefined();
    // Only the report listed a call in flight.
    expect(
      t
        .named(SPAN_EXECUTION_STATE)
        .filter((s) => s.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS]),
    ).toHaveLength(1);
  });

  it("reports a burst of slow calls in one state span", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({
      tracer: t.tracer,
      reportRunningToolCallsAfterMs: 20,
    });
    const exec = recorder.create({ scopeId: "s", code: "c" });
    const before = t.states().length;
    const paths = Array.from({ length: 12 }, (_, i) => `burst.call${i}`);
    await Promise.all(paths.map((path) => exec.toolCall({ path }, () => sleep(80))));
    const reports = t.states().slice(before);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS]).toEqual(paths);
    // A new slow call after the burst is reported on its own.
    await exec.toolCall({ path: "later.call" }, () => sleep(80));
    expect(
      t
        .states()
        .slice(before)
        .map((s) => s.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS]),
    ).toEqual([paths, ["later.call"]]);
    exec.complete();
  });

  it("lists every call in flight, oldest first, and reports nothing when turned off", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({
      tracer: t.tracer,
      reportRunningToolCallsAfterMs: 20,
    });
    const exec = recorder.create({ scopeId: "s", code: "c" });
    const releases: (() => void)[] = [];
    const call = (path: string) =>
      exec.toolCall({ path }, () => new Promise<void>((r) => releases.push(r)));
    const a = call("a.first");
    await sleep(5);
    const b = call("b.second");
    await sleep(100);
    // One report for the run, listing both.
    const reports = t
      .states()
      .filter((state) => state.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS] !== undefined);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS]).toEqual([
      "a.first",
      "b.second",
    ]);
    for (const release of releases) release();
    await Promise.all([a, b]);
    exec.complete();

    const quiet = tracing();
    const off = createExecutionRecorder({
      tracer: quiet.tracer,
      reportRunningToolCallsAfterMs: false,
    });
    const run = off.create({ scopeId: "s", code: "c" });
    const before = quiet.states().length;
    await run.toolCall({ path: "slow.call" }, () => sleep(60));
    expect(quiet.states()).toHaveLength(before);
    run.complete();
  });
});

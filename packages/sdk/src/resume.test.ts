import { DiagLogLevel, diag, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_PRIOR_LOGS,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEGMENT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_EXECUTION_TOOL_PATH_CALLS,
  ATTR_EXECUTION_TOOL_PATHS,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_RESUME_ACTION,
  ATTR_SCOPE_ID,
  ATTR_TRIGGER_KIND,
  MAX_RECORDED_TOOL_PATHS,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
  SPAN_INTERACTION,
  toolSpanName,
} from "@runtrace/semconv";
import { afterEach, describe, expect, it } from "vitest";
import { epochMs, manualClock, tracing } from "../test/kit.ts";
import { createExecutionRecorder, EXECUTION_STATE_VERSION, type ExecutionState } from "./index.ts";

const T0 = Date.UTC(2026, 0, 1);
const LATER = T0 + 60_000;

/** A state as it comes back from storage: through JSON text. */
function roundTrip(state: ExecutionState): ExecutionState {
  return JSON.parse(JSON.stringify(state)) as ExecutionState;
}

/** Spans that carry a snapshot (state spans and segment ends), in export order. */
function snapshots(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) =>
    [SPAN_EXECUTION, SPAN_EXECUTION_RESUME, SPAN_EXECUTION_STATE].includes(span.name),
  );
}

afterEach(() => diag.disable());

describe("pause and resume", () => {
  it("continues an execution in another tracer provider as one run", async () => {
    // Process A: runs, calls two tools, logs, raises an interaction, pauses.
    const a = tracing();
    const clockA = manualClock(T0);
    const recorderA = createExecutionRecorder({ tracer: a.tracer, now: clockA.now });
    const exec = recorderA.create(
      { id: "exec-r", scopeId: "ws_1", code: "await tools.ask()", trigger: { kind: "mcp" } },
      { start: false },
    );
    clockA.advance(10);
    exec.start();
    clockA.advance(10);
    exec.log("before pause", "warn");
    await exec.toolCall({ path: "github.issues.list" }, () => []);
    await exec.toolCall({ path: "github.issues.get" }, () => ({}));
    clockA.advance(20);
    const asked = exec.interaction({ kind: "form", purpose: "confirm", payload: { q: "go?" } });
    clockA.advance(10);
    const state = roundTrip(exec.pause());
    expect(exec.ended).toBe(true);
    expect(exec.status).toBe("waiting_for_interaction");

    expect(state.version).toBe(EXECUTION_STATE_VERSION);
    expect(state.id).toBe("exec-r");
    expect(state.status).toBe("waiting_for_interaction");
    expect(state.toolCallCount).toBe(2);
    expect(state.logs).toEqual([{ time: T0 + 20, severity: "warn", message: "before pause" }]);
    expect(state.pendingInteraction).toEqual({
      id: asked.id,
      kind: "form",
      purpose: "confirm",
      payload: { value: '{"q":"go?"}', truncated: false },
      createdAt: T0 + 40,
    });

    const first = a.one(SPAN_EXECUTION);
    expect(epochMs(first.endTime)).toBe(T0 + 50);
    expect(first.status.code).toBe(SpanStatusCode.UNSET);
    expect(first.attributes[ATTR_EXECUTION_STATUS]).toBe("waiting_for_interaction");
    expect(first.attributes[ATTR_EXECUTION_COMPLETED_AT]).toBeUndefined();
    expect(first.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(2);
    expect(first.attributes[ATTR_INTERACTION_ID]).toBe(asked.id);
    expect(first.attributes[ATTR_INTERACTION_KIND]).toBe("form");
    expect(first.attributes[ATTR_INTERACTION_PURPOSE]).toBe("confirm");
    expect(first.attributes[ATTR_INTERACTION_PAYLOAD]).toBe('{"q":"go?"}');
    expect(first.attributes[ATTR_INTERACTION_STATUS]).toBe("pending");
    expect(first.attributes[ATTR_INTERACTION_CREATED_AT]).toBe(T0 + 40);
    // The wait is not over in process A: its interaction span is exported by the resumer.
    expect(a.named(SPAN_INTERACTION)).toEqual([]);
    // The old handle's interaction cannot be answered here any more.
    asked.resolve("too early");
    expect(a.named(SPAN_INTERACTION)).toEqual([]);

    // Process B: another provider and clock, a minute later.
    const b = tracing();
    const clockB = manualClock(LATER);
    const recorderB = createExecutionRecorder({ tracer: b.tracer, now: clockB.now });
    const exec2 = recorderB.resume(state, { action: "accept" });
    expect(exec2.id).toBe("exec-r");
    expect(exec2.status).toBe("running");
    expect(exec2.traceId).toBe(first.spanContext().traceId);
    clockB.advance(100);
    exec2.pendingInteraction?.resolve({ approved: true });
    expect(exec2.pendingInteraction).toBeUndefined();
    await exec2.toolCall({ path: "deploy.run" }, () => "ok");
    exec2.log("after resume");
    clockB.advance(100);
    exec2.complete("done");

    const resume = b.one(SPAN_EXECUTION_RESUME);
    expect(resume.kind).toBe(SpanKind.INTERNAL);
    expect(resume.spanContext().traceId).toBe(first.spanContext().traceId);
    expect(resume.parentSpanContext?.spanId).toBe(first.spanContext().spanId);
    expect(resume.links).toHaveLength(1);
    expect(resume.links[0]?.context.spanId).toBe(first.spanContext().spanId);
    expect(resume.links[0]?.context.traceId).toBe(first.spanContext().traceId);
    expect(epochMs(resume.startTime)).toBe(LATER);
    expect(epochMs(resume.endTime)).toBe(LATER + 200);
    expect(resume.status.code).toBe(SpanStatusCode.OK);
    expect(resume.attributes[ATTR_EXECUTION_ID]).toBe("exec-r");
    expect(resume.attributes[ATTR_SCOPE_ID]).toBe("ws_1");
    expect(resume.attributes[ATTR_EXECUTION_STATUS]).toBe("completed");
    expect(resume.attributes[ATTR_EXECUTION_RESULT]).toBe('"done"');
    expect(resume.attributes[ATTR_EXECUTION_CREATED_AT]).toBe(T0);
    expect(resume.attributes[ATTR_EXECUTION_STARTED_AT]).toBe(T0 + 10);
    expect(resume.attributes[ATTR_EXECUTION_COMPLETED_AT]).toBe(LATER + 200);
    expect(resume.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(3);
    expect(resume.attributes[ATTR_EXECUTION_INTERACTION_COUNT]).toBe(1);
    expect(resume.attributes[ATTR_EXECUTION_SEGMENT]).toBe(2);
    expect(resume.attributes[ATTR_RESUME_ACTION]).toBe("accept");
    expect(resume.attributes[ATTR_TRIGGER_KIND]).toBe("mcp");
    expect(JSON.parse(String(resume.attributes[ATTR_EXECUTION_PRIOR_LOGS]))).toEqual([
      { time: T0 + 20, severity: "warn", message: "before pause" },
    ]);
    expect(resume.events.map((event) => event.attributes?.["log.message"])).toEqual([
      "after resume",
    ]);
    expect(resume.attributes[ATTR_INTERACTION_ID]).toBeUndefined();

    // The interaction pending across the pause: created here, from its original start time.
    const interaction = b.one(SPAN_INTERACTION);
    expect(interaction.parentSpanContext?.spanId).toBe(resume.spanContext().spanId);
    expect(epochMs(interaction.startTime)).toBe(T0 + 40);
    expect(epochMs(interaction.endTime)).toBe(LATER + 100);
    expect(interaction.attributes[ATTR_INTERACTION_ID]).toBe(asked.id);
    expect(interaction.attributes[ATTR_INTERACTION_STATUS]).toBe("resolved");
    expect(interaction.attributes[ATTR_INTERACTION_RESPONSE]).toBe('{"approved":true}');
    expect(interaction.attributes[ATTR_INTERACTION_CREATED_AT]).toBe(T0 + 40);
    expect(interaction.attributes[ATTR_INTERACTION_PURPOSE]).toBe("confirm");

    expect(b.one(toolSpanName("deploy.run")).parentSpanContext?.spanId).toBe(
      resume.spanContext().spanId,
    );

    // Resume emits a running state span; every state in B continues A's sequence.
    const statesB = b.states();
    expect(statesB.map((s) => s.attributes[ATTR_EXECUTION_STATUS])).toEqual(["running", "running"]);
    expect(epochMs(statesB[0]!.startTime)).toBe(LATER);
    expect(statesB[0]!.parentSpanContext?.spanId).toBe(resume.spanContext().spanId);
    expect(statesB[0]!.attributes[ATTR_EXECUTION_SEGMENT]).toBe(2);
    expect(statesB[0]!.attributes[ATTR_RESUME_ACTION]).toBe("accept");
    expect(statesB[0]!.attributes[ATTR_EXECUTION_CREATED_AT]).toBe(T0);

    // seq strictly increases over all snapshots of both processes; the final end is the highest.
    const seqs = [...snapshots(a.spans()), ...snapshots(b.spans())].map((span) => [
      span.name,
      span.attributes[ATTR_EXECUTION_STATUS],
      span.attributes[ATTR_EXECUTION_SEQ],
    ]);
    expect(seqs).toEqual([
      [SPAN_EXECUTION_STATE, "pending", 1],
      [SPAN_EXECUTION_STATE, "running", 2],
      [SPAN_EXECUTION_STATE, "waiting_for_interaction", 3],
      [SPAN_EXECUTION, "waiting_for_interaction", 4],
      [SPAN_EXECUTION_STATE, "running", 5],
      [SPAN_EXECUTION_STATE, "running", 6],
      [SPAN_EXECUTION_RESUME, "completed", 7],
    ]);
  });

  it("pauses a running execution without interaction and resumes without an action or logs", () => {
    const a = tracing();
    const exec = createExecutionRecorder({ tracer: a.tracer }).create({ scopeId: "s", code: "c" });
    const state = roundTrip(exec.pause());
    expect(state.status).toBe("running");
    expect(state.pendingInteraction).toBeUndefined();
    expect(a.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_STATUS]).toBe("running");
    expect(a.one(SPAN_EXECUTION).attributes[ATTR_INTERACTION_ID]).toBeUndefined();

    const b = tracing();
    const exec2 = createExecutionRecorder({ tracer: b.tracer }).resume(state);
    expect(exec2.pendingInteraction).toBeUndefined();
    const second = exec2.pause();
    expect(second.segment).toBe(2);
    const exec3 = createExecutionRecorder({ tracer: b.tracer }).resume(roundTrip(second));
    exec3.cancel();
    const resumes = b.named(SPAN_EXECUTION_RESUME);
    expect(resumes.map((span) => span.attributes[ATTR_EXECUTION_SEGMENT])).toEqual([2, 3]);
    expect(resumes[1]?.parentSpanContext?.spanId).toBe(resumes[0]?.spanContext().spanId);
    for (const span of resumes) {
      expect(span.attributes[ATTR_RESUME_ACTION]).toBeUndefined();
      expect(span.attributes[ATTR_EXECUTION_PRIOR_LOGS]).toBeUndefined();
    }
    expect(resumes[1]?.attributes[ATTR_EXECUTION_STATUS]).toBe("cancelled");
  });

  it("refuses an invalid or finished state with an inert handle that still runs tools", async () => {
    const errors: string[] = [];
    const warnings: string[] = [];
    diag.setLogger(
      {
        error: (message) => errors.push(message),
        warn: (message) => warnings.push(message),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const bogus = recorder.resume({ version: 99, id: "x" } as unknown as ExecutionState);
    expect(bogus.id).toBe("x");
    expect(bogus.ended).toBe(true);
    await expect(bogus.toolCall({ path: "a.b" }, () => 5)).resolves.toBe(5);
    bogus.complete();
    expect(errors).toEqual([
      "@runtrace/sdk: cannot resume execution: unsupported version 99 (expected 1); it is not recorded",
    ]);

    const done = recorder.create({ id: "fin", scopeId: "s", code: "" });
    done.complete();
    const count = t.spans().length;
    const finished = recorder.resume(roundTrip(done.pause()));
    expect(finished.status).toBe("completed");
    finished.log("ignored");
    expect(t.spans()).toHaveLength(count);
    expect(warnings).toContain(
      "@runtrace/sdk: execution fin already ended (completed); not resumed",
    );
  });

  it("carries the tool paths and their counts through the state to the resumed run's final span", async () => {
    const a = tracing();
    const exec = createExecutionRecorder({ tracer: a.tracer }).create({ scopeId: "s", code: "c" });
    await exec.toolCall({ path: "a.x" }, () => 1);
    await exec.toolCall({ path: "b.y" }, () => 2);
    await exec.toolCall({ path: "a.x" }, () => 3);
    const state = roundTrip(exec.pause());
    expect(state.toolPathCalls).toEqual([
      ["a.x", 2],
      ["b.y", 1],
    ]);
    const paused = a.one(SPAN_EXECUTION);
    expect(paused.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(["a.x", "b.y"]);
    expect(paused.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual([2, 1]);

    const b = tracing();
    const exec2 = createExecutionRecorder({ tracer: b.tracer }).resume(state);
    await exec2.toolCall({ path: "c.z" }, () => 4);
    await exec2.toolCall({ path: "b.y" }, () => 5);
    exec2.complete();

    // The resumed state span starts from the paused segment's counts.
    const [resumedState] = b.states();
    expect(resumedState?.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(["a.x", "b.y"]);
    expect(resumedState?.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual([2, 1]);
    const end = b.one(SPAN_EXECUTION_RESUME);
    expect(end.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(["a.x", "b.y", "c.z"]);
    expect(end.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual([2, 2, 1]);
    expect(end.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(5);
  });

  it("resumes a state written before per-path counts with no recorded paths", async () => {
    const a = tracing();
    const exec = createExecutionRecorder({ tracer: a.tracer }).create({ scopeId: "s", code: "c" });
    await exec.toolCall({ path: "old.tool" }, () => 1);
    const { toolPathCalls: _, ...old } = roundTrip(exec.pause());

    const b = tracing();
    const exec2 = createExecutionRecorder({ tracer: b.tracer }).resume(old);
    expect(exec2.ended).toBe(false);
    expect(b.states()[0]?.attributes).not.toHaveProperty(ATTR_EXECUTION_TOOL_PATHS);
    await exec2.toolCall({ path: "new.tool" }, () => 2);
    exec2.complete();
    const end = b.one(SPAN_EXECUTION_RESUME);
    expect(end.attributes[ATTR_EXECUTION_TOOL_PATHS]).toEqual(["new.tool"]);
    expect(end.attributes[ATTR_EXECUTION_TOOL_PATH_CALLS]).toEqual([1]);
    expect(end.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(2);
  });

  it("refuses a state whose toolPathCalls is malformed", () => {
    const errors: string[] = [];
    diag.setLogger(
      {
        error: (message) => errors.push(message),
        warn: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const base = roundTrip(recorder.create({ scopeId: "s", code: "c" }).pause());
    const tooMany = Array.from({ length: MAX_RECORDED_TOOL_PATHS + 1 }, (_, i) => [`p${i}`, 1]);
    const bad: unknown[] = [
      { "a.x": 1 },
      [["a.x"]],
      [["a.x", 1.5]],
      [["a.x", 0]],
      [[1, 1]],
      [
        ["a.x", 1],
        ["a.x", 2],
      ],
      tooMany,
    ];
    const count = t.spans().length;
    for (const toolPathCalls of bad) {
      const exec = recorder.resume({ ...base, toolPathCalls } as unknown as ExecutionState);
      expect(exec.ended).toBe(true);
    }
    expect(t.spans()).toHaveLength(count);
    expect(errors).toEqual(
      bad.map(
        () => "@runtrace/sdk: cannot resume execution: invalid toolPathCalls; it is not recorded",
      ),
    );
    // At the cap is valid.
    const atCap = recorder.resume({ ...base, toolPathCalls: tooMany.slice(1) } as ExecutionState);
    expect(atCap.ended).toBe(false);
  });
});

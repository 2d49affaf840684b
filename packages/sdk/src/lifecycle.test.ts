import { type DiagLogger, DiagLogLevel, diag, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEGMENT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  EVENT_EXCEPTION,
  EVENT_LOG,
  SPAN_EXECUTION,
  SPAN_EXECUTION_STATE,
} from "@runtrace/semconv";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { epochMs, installContextManager, manualClock, tracing } from "../test/kit.ts";
import { createExecutionRecorder } from "./index.ts";

const T0 = Date.UTC(2026, 0, 1);

beforeAll(installContextManager);

/** Captures `diag` warnings for the duration of a test. */
function captureDiag() {
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger: DiagLogger = {
    error: (message) => errors.push(message),
    warn: (message) => warnings.push(message),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { warnings, errors };
}

afterEach(() => diag.disable());

describe("execution lifecycle", () => {
  it("records pending → running → completed with the full snapshot and two state spans", () => {
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, now: clock.now });
    const exec = recorder.create(
      {
        id: "exec-1",
        scopeId: "ws_1",
        code: "return 1",
        trigger: { kind: "http", meta: { route: "/run" } },
        runtime: "quickjs",
      },
      { start: false },
    );
    expect(exec.status).toBe("pending");
    clock.advance(100);
    exec.start();
    expect(exec.status).toBe("running");
    clock.advance(50);
    exec.log("hello");
    clock.advance(250);
    exec.complete({ ok: true });
    expect(exec.status).toBe("completed");
    expect(exec.ended).toBe(true);

    const root = t.one(SPAN_EXECUTION);
    expect(root.kind).toBe(SpanKind.INTERNAL);
    expect(root.status).toEqual({ code: SpanStatusCode.OK });
    expect(epochMs(root.startTime)).toBe(T0);
    expect(epochMs(root.endTime)).toBe(T0 + 400);
    expect(root.parentSpanContext).toBeUndefined();
    expect(exec.traceId).toBe(root.spanContext().traceId);
    expect(root.attributes).toEqual({
      [ATTR_EXECUTION_ID]: "exec-1",
      [ATTR_SCOPE_ID]: "ws_1",
      [ATTR_EXECUTION_STATUS]: "completed",
      [ATTR_EXECUTION_CREATED_AT]: T0,
      [ATTR_EXECUTION_STARTED_AT]: T0 + 100,
      [ATTR_EXECUTION_COMPLETED_AT]: T0 + 400,
      [ATTR_TRIGGER_KIND]: "http",
      [ATTR_TRIGGER_META]: '{"route":"/run"}',
      [ATTR_RUNTIME]: "quickjs",
      [ATTR_EXECUTION_CODE]: "return 1",
      [ATTR_EXECUTION_RESULT]: '{"ok":true}',
      [ATTR_EXECUTION_TOOL_CALL_COUNT]: 0,
      [ATTR_EXECUTION_INTERACTION_COUNT]: 0,
      [ATTR_EXECUTION_SEQ]: 3,
      [ATTR_EXECUTION_SEGMENT]: 1,
    });
    expect(root.events.map((event) => [event.name, epochMs(event.time), event.attributes])).toEqual(
      [[EVENT_LOG, T0 + 150, { [ATTR_LOG_SEVERITY]: "info", [ATTR_LOG_MESSAGE]: "hello" }]],
    );

    const states = t.states();
    expect(states).toHaveLength(2);
    const [pending, running] = states as [(typeof states)[0], (typeof states)[0]];
    for (const state of states) {
      expect(state.kind).toBe(SpanKind.INTERNAL);
      expect(state.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(state.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(state.startTime).toEqual(state.endTime);
    }
    expect(epochMs(pending.startTime)).toBe(T0);
    expect(pending.attributes).toEqual({
      [ATTR_EXECUTION_ID]: "exec-1",
      [ATTR_SCOPE_ID]: "ws_1",
      [ATTR_EXECUTION_STATUS]: "pending",
      [ATTR_EXECUTION_CREATED_AT]: T0,
      [ATTR_TRIGGER_KIND]: "http",
      [ATTR_TRIGGER_META]: '{"route":"/run"}',
      [ATTR_RUNTIME]: "quickjs",
      [ATTR_EXECUTION_CODE]: "return 1",
      [ATTR_EXECUTION_TOOL_CALL_COUNT]: 0,
      [ATTR_EXECUTION_INTERACTION_COUNT]: 0,
      [ATTR_EXECUTION_SEQ]: 1,
      [ATTR_EXECUTION_SEGMENT]: 1,
    });
    expect(epochMs(running.startTime)).toBe(T0 + 100);
    expect(running.attributes[ATTR_EXECUTION_STATUS]).toBe("running");
    expect(running.attributes[ATTR_EXECUTION_STARTED_AT]).toBe(T0 + 100);
    expect(running.attributes[ATTR_EXECUTION_SEQ]).toBe(2);
    expect(running.attributes[ATTR_EXECUTION_RESULT]).toBeUndefined();
  });

  it("starts running at create by default, with a random UUID and the recorder's runtime", () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer, runtime: "deno" });
    const exec = recorder.create({ scopeId: "ws_1", code: "1" });
    exec.complete();
    expect(exec.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const [state] = t.states();
    expect(state?.attributes[ATTR_EXECUTION_STATUS]).toBe("running");
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_ID]).toBe(exec.id);
    expect(root.attributes[ATTR_RUNTIME]).toBe("deno");
    expect(root.attributes[ATTR_EXECUTION_STARTED_AT]).toBe(
      root.attributes[ATTR_EXECUTION_CREATED_AT],
    );
    // complete() without a result records no result.
    expect(root.attributes[ATTR_EXECUTION_RESULT]).toBeUndefined();
    expect(root.attributes[ATTR_TRIGGER_KIND]).toBeUndefined();
  });

  it("records a failure with ERROR status, error.type, the message and an exception event", () => {
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, now: clock.now });
    const exec = recorder.create({ id: "exec-f", scopeId: "ws_1", code: "throw 1" });
    clock.advance(30);
    exec.fail(new TypeError("boom"));

    const root = t.one(SPAN_EXECUTION);
    expect(root.status).toEqual({ code: SpanStatusCode.ERROR, message: "boom" });
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("failed");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("boom");
    expect(root.attributes[ATTR_ERROR_TYPE]).toBe("TypeError");
    expect(root.attributes[ATTR_EXECUTION_COMPLETED_AT]).toBe(T0 + 30);
    expect(root.attributes[ATTR_EXECUTION_RESULT]).toBeUndefined();
    expect(root.attributes[ATTR_EXECUTION_SEQ]).toBe(2);
    const exception = root.events.find((event) => event.name === EVENT_EXCEPTION);
    expect(exception?.attributes?.[ATTR_EXCEPTION_TYPE]).toBe("TypeError");
    expect(exception?.attributes?.[ATTR_EXCEPTION_MESSAGE]).toBe("boom");
    expect(epochMs(exception!.time)).toBe(T0 + 30);
  });

  it("records a thrown non-Error as type Error with its string form", () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    recorder.create({ scopeId: "ws_1", code: "throw 'x'" }).fail("plain string");
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_ERROR_TYPE]).toBe("Error");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("plain string");
    const exception = root.events.find((event) => event.name === EVENT_EXCEPTION);
    expect(exception?.attributes?.[ATTR_EXCEPTION_MESSAGE]).toBe("plain string");
  });

  it("records a cancellation with UNSET status and the reason; 'unknown' trigger is omitted", () => {
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, now: clock.now });
    const exec = recorder.create(
      { scopeId: "ws_2", code: "x", trigger: { kind: "unknown" } },
      { start: false },
    );
    clock.advance(5);
    exec.cancel("user aborted");
    const root = t.one(SPAN_EXECUTION);
    expect(root.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("cancelled");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("user aborted");
    expect(root.attributes[ATTR_EXECUTION_COMPLETED_AT]).toBe(T0 + 5);
    // Cancelled while pending: it never started.
    expect(root.attributes[ATTR_EXECUTION_STARTED_AT]).toBeUndefined();
    expect(root.attributes[ATTR_TRIGGER_KIND]).toBeUndefined();
    expect(root.events).toEqual([]);
  });

  it("ignores a second end and any use after the end: no span, no throw, a diag warning", async () => {
    const t = tracing();
    const captured = captureDiag();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const exec = recorder.create({ scopeId: "ws_1", code: "1" });
    exec.complete(1);
    const count = t.spans().length;
    expect(count).toBe(2);

    exec.complete(2);
    exec.fail(new Error("late"));
    exec.cancel("late");
    exec.start();
    exec.log("late");
    const it = exec.interaction({ kind: "form" });
    it.resolve({ late: true });
    await expect(exec.toolCall({ path: "math.add" }, () => 42)).resolves.toBe(42);
    await expect(
      exec.toolCall({ path: "math.fail" }, () => Promise.reject(new Error("tool broke"))),
    ).rejects.toThrow("tool broke");
    const state = exec.pause();

    expect(t.spans()).toHaveLength(count);
    expect(exec.status).toBe("completed");
    expect(state.status).toBe("completed");
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_RESULT]).toBe("1");
    expect(captured.errors).toEqual([]);
    expect(captured.warnings.length).toBeGreaterThanOrEqual(8);
    expect(captured.warnings[0]).toBe(
      `@runtrace/sdk: complete() on execution ${exec.id}, which has ended`,
    );
  });

  it("warns and ignores start() on a running execution", () => {
    const t = tracing();
    const captured = captureDiag();
    const exec = createExecutionRecorder({ tracer: t.tracer }).create({ scopeId: "s", code: "" });
    exec.start();
    expect(t.named(SPAN_EXECUTION_STATE)).toHaveLength(1);
    expect(captured.warnings).toEqual([
      `@runtrace/sdk: start() on execution ${exec.id}, which is running`,
    ]);
  });
});

import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_STATUS,
  SPAN_EXECUTION,
} from "@runtrace/semconv";
import { beforeAll, describe, expect, it } from "vitest";
import { installContextManager, tracing } from "../test/kit.ts";
import { createExecutionRecorder, type ExecutionState } from "./index.ts";

beforeAll(installContextManager);

describe("recorder.run (callback form)", () => {
  it("completes with the callback's value and runs it in the segment span's context", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    let activeSpanId: string | undefined;
    const value = await recorder.run({ scopeId: "ws_1", code: "1 + 1" }, async (exec) => {
      expect(exec.status).toBe("running");
      activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
      // The sandbox's own spans nest under the execution without passing a context around.
      t.tracer.startSpan("executor.code.exec.quickjs").end();
      return { sum: 2 };
    });
    expect(value).toEqual({ sum: 2 });
    const root = t.one(SPAN_EXECUTION);
    expect(activeSpanId).toBe(root.spanContext().spanId);
    expect(root.status.code).toBe(SpanStatusCode.OK);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("completed");
    expect(root.attributes[ATTR_EXECUTION_RESULT]).toBe('{"sum":2}');
    const sandbox = t.one("executor.code.exec.quickjs");
    expect(sandbox.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(sandbox.spanContext().traceId).toBe(root.spanContext().traceId);
  });

  it("fails with the thrown error and rethrows the very same error", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const thrown = new RangeError("out of range");
    await expect(
      recorder.run({ scopeId: "ws_1", code: "x" }, () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    const root = t.one(SPAN_EXECUTION);
    expect(root.status).toEqual({ code: SpanStatusCode.ERROR, message: "out of range" });
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("failed");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("out of range");
    expect(root.attributes[ATTR_ERROR_TYPE]).toBe("RangeError");
  });

  it("keeps the status the callback set (cancelled) instead of completing", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const value = await recorder.run({ scopeId: "ws_1", code: "x" }, (exec) => {
      exec.cancel("stopped by user");
      return "ignored";
    });
    expect(value).toBe("ignored");
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("cancelled");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("stopped by user");
    expect(root.attributes[ATTR_EXECUTION_RESULT]).toBeUndefined();
    expect(t.named(SPAN_EXECUTION)).toHaveLength(1);
  });

  it("does not end a run the callback paused", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    let paused: ExecutionState | undefined;
    await recorder.run({ scopeId: "ws_1", code: "x" }, (exec) => {
      exec.interaction({ kind: "url", purpose: "sign in" });
      paused = exec.pause();
    });
    expect(paused?.status).toBe("waiting_for_interaction");
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_STATUS]).toBe("waiting_for_interaction");
  });
});

import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
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
  SPAN_EXECUTION,
  toolSpanName,
} from "@runtrace/semconv";
import { beforeAll, describe, expect, it } from "vitest";
import { createExecutionRecorder } from "./index.ts";
import { epochMs, installContextManager, manualClock, tracing } from "./test-kit.ts";

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

import {
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_RESULT,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_RESPONSE,
  ATTR_LOG_MESSAGE,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_RESULT,
  SPAN_EXECUTION,
  SPAN_INTERACTION,
  toolSpanName,
  truncatedFlag,
} from "@runtrace/semconv";
import { describe, expect, it } from "vitest";
import { tracing } from "../test/kit.ts";
import { createExecutionRecorder } from "./index.ts";

describe("maxValueBytes", () => {
  it("cuts code and result at a character boundary and flags both", () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer, maxValueBytes: 10 });
    const exec = recorder.create({ scopeId: "ws_1", code: "abcdefghi€ and more" });
    exec.complete("ééééé");
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_CODE]).toBe("abcdefghi");
    expect(root.attributes["executor.execution.code.truncated"]).toBe(true);
    expect(root.attributes[ATTR_EXECUTION_RESULT]).toBe('"éééé');
    expect(root.attributes[truncatedFlag(ATTR_EXECUTION_RESULT)]).toBe(true);
    // State spans carry the same cut code and flag.
    const [state] = t.states();
    expect(state?.attributes[ATTR_EXECUTION_CODE]).toBe("abcdefghi");
    expect(state?.attributes[truncatedFlag(ATTR_EXECUTION_CODE)]).toBe(true);
  });

  it("sets no flag when a value fits", () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer, maxValueBytes: 10 });
    recorder.create({ scopeId: "ws_1", code: "short" }).complete(1);
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_CODE]).toBe("short");
    expect(root.attributes[truncatedFlag(ATTR_EXECUTION_CODE)]).toBeUndefined();
    expect(root.attributes[truncatedFlag(ATTR_EXECUTION_RESULT)]).toBeUndefined();
  });

  it("cuts errors, tool values, payloads, responses and log messages the same way", async () => {
    const t = tracing();
    const recorder = createExecutionRecorder({
      tracer: t.tracer,
      maxValueBytes: 8,
      recordToolArgs: true,
      recordToolResults: true,
    });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    await exec.toolCall({ path: "a.ok", args: "0123456789" }, () => "abcdefghij");
    await exec
      .toolCall({ path: "a.bad" }, () => Promise.reject(new Error("0123456789")))
      .catch(() => {});
    exec.log("0123456789", "warn");
    exec.interaction({ kind: "form", payload: "0123456789" }).resolve("0123456789");
    exec.fail(new Error("0123456789"));

    const ok = t.one(toolSpanName("a.ok"));
    expect(ok.attributes[ATTR_TOOL_ARGS]).toBe('"0123456');
    expect(ok.attributes[truncatedFlag(ATTR_TOOL_ARGS)]).toBe(true);
    expect(ok.attributes[ATTR_TOOL_RESULT]).toBe('"abcdefg');
    expect(ok.attributes[truncatedFlag(ATTR_TOOL_RESULT)]).toBe(true);
    const bad = t.one(toolSpanName("a.bad"));
    expect(bad.attributes[ATTR_TOOL_ERROR]).toBe("01234567");
    expect(bad.attributes[truncatedFlag(ATTR_TOOL_ERROR)]).toBe(true);
    const interaction = t.one(SPAN_INTERACTION);
    expect(interaction.attributes[ATTR_INTERACTION_PAYLOAD]).toBe('"0123456');
    expect(interaction.attributes[truncatedFlag(ATTR_INTERACTION_PAYLOAD)]).toBe(true);
    expect(interaction.attributes[ATTR_INTERACTION_RESPONSE]).toBe('"0123456');
    expect(interaction.attributes[truncatedFlag(ATTR_INTERACTION_RESPONSE)]).toBe(true);
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("01234567");
    expect(root.attributes[truncatedFlag(ATTR_EXECUTION_ERROR)]).toBe(true);
    const log = root.events.find((event) => event.name === "log");
    expect(log?.attributes?.[ATTR_LOG_MESSAGE]).toBe("01234567");
    expect(log?.attributes?.[truncatedFlag(ATTR_LOG_MESSAGE)]).toBe(true);
  });
});

import { SpanKind } from "@opentelemetry/api";
import {
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STATUS,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_SCOPE_ID,
  SPAN_EXECUTION,
  SPAN_INTERACTION,
} from "@runtrace/semconv";
import { describe, expect, it } from "vitest";
import { epochMs, manualClock, tracing } from "../test/kit.ts";
import { createExecutionRecorder } from "./index.ts";

const T0 = Date.UTC(2026, 0, 1);

describe("interactions", () => {
  it("records a resolved interaction: waiting and running state spans, a span over the wait", () => {
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, now: clock.now });
    const exec = recorder.create({ id: "exec-i", scopeId: "ws_1", code: "x" });
    clock.advance(10);
    const interaction = exec.interaction({
      kind: "form",
      purpose: "approve deploy",
      payload: { fields: ["ok"] },
    });
    expect(exec.status).toBe("waiting_for_interaction");
    expect(interaction.status).toBe("pending");
    expect(exec.pendingInteraction).toBe(interaction);
    clock.advance(1000);
    interaction.resolve({ ok: true });
    expect(interaction.status).toBe("resolved");
    expect(exec.status).toBe("running");
    expect(exec.pendingInteraction).toBeUndefined();
    clock.advance(5);
    exec.complete();

    const span = t.one(SPAN_INTERACTION);
    const root = t.one(SPAN_EXECUTION);
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(epochMs(span.startTime)).toBe(T0 + 10);
    expect(epochMs(span.endTime)).toBe(T0 + 1010);
    expect(span.attributes).toEqual({
      [ATTR_INTERACTION_ID]: interaction.id,
      [ATTR_INTERACTION_KIND]: "form",
      [ATTR_INTERACTION_PURPOSE]: "approve deploy",
      [ATTR_INTERACTION_PAYLOAD]: '{"fields":["ok"]}',
      [ATTR_INTERACTION_RESPONSE]: '{"ok":true}',
      [ATTR_INTERACTION_STATUS]: "resolved",
      [ATTR_INTERACTION_CREATED_AT]: T0 + 10,
      [ATTR_EXECUTION_ID]: "exec-i",
      [ATTR_SCOPE_ID]: "ws_1",
    });

    const states = t.states();
    expect(
      states.map((s) => [s.attributes[ATTR_EXECUTION_SEQ], s.attributes[ATTR_EXECUTION_STATUS]]),
    ).toEqual([
      [1, "running"],
      [2, "waiting_for_interaction"],
      [3, "running"],
    ]);
    const waiting = states[1]!;
    expect(epochMs(waiting.startTime)).toBe(T0 + 10);
    expect(waiting.attributes[ATTR_INTERACTION_ID]).toBe(interaction.id);
    expect(waiting.attributes[ATTR_INTERACTION_KIND]).toBe("form");
    expect(waiting.attributes[ATTR_INTERACTION_PURPOSE]).toBe("approve deploy");
    expect(waiting.attributes[ATTR_INTERACTION_PAYLOAD]).toBe('{"fields":["ok"]}');
    expect(waiting.attributes[ATTR_INTERACTION_STATUS]).toBe("pending");
    expect(waiting.attributes[ATTR_INTERACTION_CREATED_AT]).toBe(T0 + 10);
    expect(waiting.attributes[ATTR_EXECUTION_INTERACTION_COUNT]).toBe(1);
    const resumed = states[2]!;
    expect(epochMs(resumed.startTime)).toBe(T0 + 1010);
    expect(resumed.attributes[ATTR_INTERACTION_ID]).toBeUndefined();
    expect(resumed.attributes[ATTR_INTERACTION_STATUS]).toBeUndefined();

    expect(root.attributes[ATTR_EXECUTION_INTERACTION_COUNT]).toBe(1);
    expect(root.attributes[ATTR_EXECUTION_SEQ]).toBe(4);
    expect(root.attributes[ATTR_INTERACTION_ID]).toBeUndefined();
  });

  it("records a cancelled interaction with its response; answering again changes nothing", () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    const interaction = exec.interaction({ kind: "url", payload: "https://auth.example/x" });
    interaction.cancel({ action: "decline" });
    interaction.resolve("late");
    exec.complete();

    const span = t.one(SPAN_INTERACTION);
    expect(span.attributes[ATTR_INTERACTION_STATUS]).toBe("cancelled");
    expect(span.attributes[ATTR_INTERACTION_RESPONSE]).toBe('{"action":"decline"}');
    expect(span.attributes[ATTR_INTERACTION_PAYLOAD]).toBe('"https://auth.example/x"');
    expect(span.attributes[ATTR_INTERACTION_PURPOSE]).toBeUndefined();
    expect(interaction.status).toBe("cancelled");
    expect(t.states().map((s) => s.attributes[ATTR_EXECUTION_STATUS])).toEqual([
      "running",
      "waiting_for_interaction",
      "running",
    ]);
  });

  it("closes an unanswered interaction as cancelled when the execution ends", () => {
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, now: clock.now });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    const interaction = exec.interaction({ kind: "form" });
    clock.advance(20);
    exec.fail(new Error("timed out"));
    expect(interaction.status).toBe("cancelled");
    const span = t.one(SPAN_INTERACTION);
    expect(span.attributes[ATTR_INTERACTION_STATUS]).toBe("cancelled");
    expect(span.attributes[ATTR_INTERACTION_RESPONSE]).toBeUndefined();
    expect(epochMs(span.endTime)).toBe(T0 + 20);
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("failed");
    expect(root.attributes[ATTR_INTERACTION_ID]).toBeUndefined();
  });

  it("does not record a second interaction while one is pending", () => {
    const t = tracing();
    const recorder = createExecutionRecorder({ tracer: t.tracer });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    const first = exec.interaction({ kind: "form" });
    const second = exec.interaction({ kind: "url" });
    expect(second.id).not.toBe(first.id);
    second.resolve("ignored");
    expect(exec.pendingInteraction).toBe(first);
    first.resolve();
    exec.complete();
    expect(t.named(SPAN_INTERACTION)).toHaveLength(1);
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_INTERACTION_COUNT]).toBe(1);
  });
});

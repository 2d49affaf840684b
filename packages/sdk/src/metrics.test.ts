import type { Attributes } from "@opentelemetry/api";
import type { Histogram, MetricData } from "@opentelemetry/sdk-metrics";
import {
  EXECUTION_DURATION_BOUNDARIES_MS,
  METRIC_ATTR_SCOPE_ID,
  METRIC_ATTR_STATUS,
  METRIC_ATTR_TOOL_NAMESPACE,
  METRIC_ATTR_TOOL_PATH,
  METRIC_ATTR_TOOL_STATUS,
  METRIC_ATTR_TRIGGER_KIND,
  METRIC_EXECUTION_DURATION,
  METRIC_EXECUTION_OUTCOMES,
  METRIC_TOOL_CALL_DURATION,
  METRIC_TOOL_CALLS,
  TOOL_CALL_DURATION_BOUNDARIES_MS,
  UNIT_EXECUTIONS,
  UNIT_MILLISECONDS,
  UNIT_TOOL_CALLS,
} from "@runtrace/semconv";
import { describe, expect, it } from "vitest";
import { manualClock, metering, tracing } from "../test/kit.ts";
import { createExecutionRecorder } from "./index.ts";

const T0 = Date.UTC(2026, 0, 1);

/** `[attributes, value]` of every point, sorted for stable comparison. */
function points(metric: MetricData | undefined): Array<[Attributes, unknown]> {
  if (metric === undefined) throw new Error("metric missing");
  return metric.dataPoints
    .map((point): [Attributes, unknown] => [point.attributes, point.value])
    .sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
}

function histogram(metric: MetricData | undefined, attributes: Attributes): Histogram {
  const point = metric?.dataPoints.find(
    (p) => JSON.stringify(p.attributes) === JSON.stringify(attributes),
  );
  if (point === undefined) throw new Error(`no point for ${JSON.stringify(attributes)}`);
  return point.value as Histogram;
}

describe("metrics", () => {
  it("counts outcomes per status, trigger kind and scope, and records durations", async () => {
    const m = metering();
    const t = tracing();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({ tracer: t.tracer, meter: m.meter, now: clock.now });

    const one = recorder.create({ scopeId: "ws_1", code: "1", trigger: { kind: "http" } });
    clock.advance(100);
    one.complete(1);
    const two = recorder.create({ scopeId: "ws_1", code: "2", trigger: { kind: "http" } });
    clock.advance(300);
    two.complete(2);
    two.complete(3); // ignored: counted once
    const three = recorder.create({ scopeId: "ws_1", code: "3" }, { start: false });
    clock.advance(7);
    three.start();
    clock.advance(13);
    three.fail(new Error("x"));
    const four = recorder.create(
      { scopeId: "ws_2", code: "4", trigger: { kind: "unknown" } },
      { start: false },
    );
    clock.advance(50);
    four.cancel();

    const metrics = await m.collect();
    const outcomes = metrics.get(METRIC_EXECUTION_OUTCOMES);
    expect(outcomes?.descriptor.unit).toBe(UNIT_EXECUTIONS);
    const attrs = (status: string, trigger: string, scope: string) => ({
      [METRIC_ATTR_STATUS]: status,
      [METRIC_ATTR_TRIGGER_KIND]: trigger,
      [METRIC_ATTR_SCOPE_ID]: scope,
    });
    expect(points(outcomes)).toEqual(
      [
        [attrs("cancelled", "unknown", "ws_2"), 1],
        [attrs("completed", "http", "ws_1"), 2],
        [attrs("failed", "unknown", "ws_1"), 1],
      ].sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]))),
    );

    const duration = metrics.get(METRIC_EXECUTION_DURATION);
    expect(duration?.descriptor.unit).toBe(UNIT_MILLISECONDS);
    const completed = histogram(duration, {
      [METRIC_ATTR_STATUS]: "completed",
      [METRIC_ATTR_TRIGGER_KIND]: "http",
      [METRIC_ATTR_SCOPE_ID]: "ws_1",
    });
    expect(completed.buckets.boundaries).toEqual(EXECUTION_DURATION_BOUNDARIES_MS);
    expect(completed.count).toBe(2);
    expect(completed.sum).toBe(400);
    // Failed after starting at +7: measured from the start, not the creation.
    const failed = histogram(duration, {
      [METRIC_ATTR_STATUS]: "failed",
      [METRIC_ATTR_TRIGGER_KIND]: "unknown",
      [METRIC_ATTR_SCOPE_ID]: "ws_1",
    });
    expect(failed.sum).toBe(13);
    // Cancelled while pending: measured from creation.
    const cancelled = histogram(duration, {
      [METRIC_ATTR_STATUS]: "cancelled",
      [METRIC_ATTR_TRIGGER_KIND]: "unknown",
      [METRIC_ATTR_SCOPE_ID]: "ws_2",
    });
    expect(cancelled.sum).toBe(50);
    await m.shutdown();
  });

  it("measures a paused and resumed run from its start to its final end", async () => {
    const m = metering();
    const clockA = manualClock(T0);
    const a = createExecutionRecorder({
      tracer: tracing().tracer,
      meter: m.meter,
      now: clockA.now,
    });
    const exec = a.create({ scopeId: "ws_1", code: "x", trigger: { kind: "cli" } });
    clockA.advance(25);
    const state = JSON.parse(JSON.stringify(exec.pause()));
    const clockB = manualClock(T0 + 60_000);
    const b = createExecutionRecorder({
      tracer: tracing().tracer,
      meter: m.meter,
      now: clockB.now,
    });
    const exec2 = b.resume(state);
    clockB.advance(40);
    exec2.complete();

    const metrics = await m.collect();
    // The pause is not an outcome: one completed execution only.
    expect(points(metrics.get(METRIC_EXECUTION_OUTCOMES))).toEqual([
      [
        {
          [METRIC_ATTR_STATUS]: "completed",
          [METRIC_ATTR_TRIGGER_KIND]: "cli",
          [METRIC_ATTR_SCOPE_ID]: "ws_1",
        },
        1,
      ],
    ]);
    const duration = histogram(metrics.get(METRIC_EXECUTION_DURATION), {
      [METRIC_ATTR_STATUS]: "completed",
      [METRIC_ATTR_TRIGGER_KIND]: "cli",
      [METRIC_ATTR_SCOPE_ID]: "ws_1",
    });
    expect(duration.count).toBe(1);
    expect(duration.sum).toBe(60_040);
    await m.shutdown();
  });

  it("counts tool calls per path, namespace and status, with their durations", async () => {
    const m = metering();
    const clock = manualClock(T0);
    const recorder = createExecutionRecorder({
      tracer: tracing().tracer,
      meter: m.meter,
      now: clock.now,
    });
    const exec = recorder.create({ scopeId: "ws_1", code: "x" });
    for (const ms of [3, 5]) {
      await exec.toolCall({ path: "github.issues.create" }, () => clock.advance(ms));
    }
    await exec
      .toolCall({ path: "github.issues.create" }, () => {
        clock.advance(9);
        throw new Error("422");
      })
      .catch(() => {});
    await exec.toolCall({ path: "search", namespace: "web" }, () => clock.advance(1));
    exec.complete();

    const metrics = await m.collect();
    const calls = metrics.get(METRIC_TOOL_CALLS);
    expect(calls?.descriptor.unit).toBe(UNIT_TOOL_CALLS);
    const attrs = (path: string, namespace: string, status: string) => ({
      [METRIC_ATTR_TOOL_PATH]: path,
      [METRIC_ATTR_TOOL_NAMESPACE]: namespace,
      [METRIC_ATTR_TOOL_STATUS]: status,
      [METRIC_ATTR_SCOPE_ID]: "ws_1",
    });
    expect(points(calls)).toEqual(
      [
        [attrs("github.issues.create", "github", "completed"), 2],
        [attrs("github.issues.create", "github", "failed"), 1],
        [attrs("search", "web", "completed"), 1],
      ].sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]))),
    );
    const durations = metrics.get(METRIC_TOOL_CALL_DURATION);
    expect(durations?.descriptor.unit).toBe(UNIT_MILLISECONDS);
    const ok = histogram(durations, attrs("github.issues.create", "github", "completed"));
    expect(ok.buckets.boundaries).toEqual(TOOL_CALL_DURATION_BOUNDARIES_MS);
    expect(ok.count).toBe(2);
    expect(ok.sum).toBe(8);
    expect(histogram(durations, attrs("github.issues.create", "github", "failed")).sum).toBe(9);
    await m.shutdown();
  });
});

/**
 * Every panel of grafana/dashboards/executions.json, run as Grafana would run it (the ClickHouse
 * data source's macros expanded for the time range) against embedded ClickHouse filled by the
 * real demo load through a real collector.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runDemo } from "@runtrace/examples";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandMacros, type MacroRange } from "./grafana-macros.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Target {
  refId: string;
  rawSql: string;
  format: number;
}
interface Panel {
  title: string;
  type: string;
  targets: Target[];
}

const dashboard = JSON.parse(readFileSync(`${ROOT}grafana/dashboards/executions.json`, "utf8")) as {
  panels: Panel[];
};

function panel(title: string): Panel {
  const found = dashboard.panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel "${title}" in executions.json`);
  return found;
}

let collector: RunningCollector;
let demo: Record<string, number>;
let range: MacroRange;

beforeAll(async () => {
  collector = await startTestCollector();
  const fromMs = Date.now() - 1_000;
  demo = await runDemo(collector.url);
  // Every request the demo's exporters got a 200 for is stored: nothing left to flush.
  range = { fromMs, toMs: Date.now() + 1_000, intervalMs: 5_000 };
}, 120_000);

afterAll(async () => {
  await collector?.stop();
});

async function rows<T>(title: string): Promise<T[]> {
  const [target, ...more] = panel(title).targets;
  expect(more).toHaveLength(0);
  return collector.ch.select<T>(expandMacros(target!.rawSql, range));
}

const sum = <T>(list: T[], pick: (row: T) => number) =>
  list.reduce((total, row) => total + Number(pick(row)), 0);

describe("the Executions dashboard on the demo's data", () => {
  it("has six panels, each with one SQL query", () => {
    expect(dashboard.panels.map((p) => p.title)).toEqual([
      "Outcomes over time",
      "Runs in progress",
      "Execution duration",
      "Top tools",
      "Tool calls by outcome (metric executor.tool_calls)",
      "Recent failed runs",
    ]);
    const finished = demo.completed! + demo.failed! + demo.cancelled!;
    expect(finished).toBeGreaterThan(0);
  });

  it("Outcomes over time: counts per status add up to the finished runs the demo reported", async () => {
    const result = await rows<{ time: string; status: string; runs: number }>("Outcomes over time");
    expect(result.length).toBeGreaterThan(0);
    const byStatus: Record<string, number> = {};
    for (const row of result) byStatus[row.status] = (byStatus[row.status] ?? 0) + row.runs;
    expect(byStatus).toEqual(
      Object.fromEntries(
        (["completed", "failed", "cancelled"] as const)
          .filter((s) => demo[s]! > 0)
          .map((s) => [s, demo[s]]),
      ),
    );
    // Buckets are the interval wide, inside the range.
    for (const row of result) {
      const t = Date.parse(`${row.time.replace(" ", "T")}Z`);
      expect(t % range.intervalMs).toBe(0);
      expect(t).toBeGreaterThanOrEqual(range.fromMs - range.intervalMs);
      expect(t).toBeLessThanOrEqual(range.toMs);
    }
  });

  it("Runs in progress: pending, running and waiting runs are the ones the demo left", async () => {
    const result = await rows<Record<string, number>>("Runs in progress");
    expect(result).toEqual([
      {
        pending: demo.pending,
        running: demo.running,
        waiting_for_interaction: demo.waiting_for_interaction,
        stale: 0,
      },
    ]);
  });

  it("Execution duration: ordered percentiles for every bucket with finished runs", async () => {
    const result = await rows<{ time: string; p50: number; p95: number; p99: number }>(
      "Execution duration",
    );
    expect(result.length).toBeGreaterThan(0);
    const [max] = await collector.ch.select<{ ms: number }>(
      "SELECT max(duration_ms) AS ms FROM executions",
    );
    for (const row of result) {
      expect(row.p50).toBeGreaterThanOrEqual(0);
      expect(row.p95).toBeGreaterThanOrEqual(row.p50);
      expect(row.p99).toBeGreaterThanOrEqual(row.p95);
      expect(row.p99).toBeLessThanOrEqual(max!.ms);
    }
  });

  it("Top tools and the tool-call metric agree: spans and the executor.tool_calls counter count the same calls", async () => {
    const tools = await rows<{
      tool: string;
      calls: number;
      failed: number;
      failure_rate: number;
      p95_ms: number;
    }>("Top tools");
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.length).toBeLessThanOrEqual(20);
    for (const [i, row] of tools.entries()) {
      expect(row.failure_rate).toBeCloseTo(row.failed / row.calls, 10);
      if (i > 0) expect(row.calls).toBeLessThanOrEqual(tools[i - 1]!.calls);
    }
    expect(sum(tools, (r) => r.failed)).toBeGreaterThan(0);

    const metric = await rows<{ time: string; status: string; calls: number }>(
      "Tool calls by outcome (metric executor.tool_calls)",
    );
    expect(metric.length).toBeGreaterThan(0);
    const [distinctTools] = await collector.ch.select<{ n: number }>(
      "SELECT uniqExact(tool_path) AS n FROM tool_calls",
    );
    // The comparison needs every tool on the panel.
    expect(distinctTools!.n).toBe(tools.length);
    expect(sum(metric, (r) => (r.status === "failed" ? r.calls : 0))).toBe(
      sum(tools, (r) => r.failed),
    );
    expect(sum(metric, (r) => (r.status === "completed" ? r.calls : 0))).toBe(
      sum(tools, (r) => r.calls - r.failed),
    );
  });

  it("Tool calls by outcome: a series that began before the range is not counted whole", async () => {
    // From the middle of the load, the cumulative points of earlier series must only add
    // what they grew by inside the range.
    const full = await rows<{ calls: number }>(
      "Tool calls by outcome (metric executor.tool_calls)",
    );
    const [middle] = await collector.ch.select<{ ms: number }>(
      "SELECT toUnixTimestamp64Milli(quantileExact(0.5)(TimeUnix)) AS ms FROM otel_metrics_sum WHERE MetricName = 'executor.tool_calls'",
    );
    const late = await collector.ch.select<{ calls: number }>(
      expandMacros(panel("Tool calls by outcome (metric executor.tool_calls)").targets[0]!.rawSql, {
        ...range,
        fromMs: middle!.ms,
      }),
    );
    const [callsAfter] = await collector.ch.select<{ n: number }>(
      "SELECT toUInt32(count()) AS n FROM tool_calls WHERE completed_at >= fromUnixTimestamp64Milli({ms:Int64})",
      { ms: middle!.ms },
    );
    const counted = sum(late, (r) => r.calls);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(sum(full, (r) => r.calls));
    // Only growth after the cut is counted: never more than the calls that ended after it.
    expect(counted).toBeLessThanOrEqual(callsAfter!.n);
  });

  it("Recent failed runs: every failed run, newest first, with its trace id", async () => {
    const result = await rows<{ created_at: string; trace_id: string; error: string }>(
      "Recent failed runs",
    );
    expect(result).toHaveLength(Math.min(demo.failed!, 50));
    for (const row of result) {
      expect(row.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(row.error.length).toBeGreaterThan(0);
    }
    const times = result.map((r) => r.created_at);
    expect(times).toEqual([...times].sort().reverse());
  });
});

/**
 * `/v1/stats/…` end to end: the real SDK records executions and tool calls, the real OTel
 * metrics SDK exports them over OTLP/HTTP to a real collector on embedded ClickHouse, and the
 * query API reads them back. Expected values come from what this file recorded, never from SQL
 * over the same tables.
 *
 * Metric timestamps come from `Date.now()` inside the OTel SDK, so the clock is faked (Date
 * only) while recording: every collection lands at a chosen instant, one minute bucket each.
 */
import { type Meter, trace } from "@opentelemetry/api";
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as OTLPMetricExporterJson,
} from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as OTLPMetricExporterProto } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { createExecutionRecorder, type ExecutionRecorder } from "@runtrace/sdk";
import {
  EXECUTION_DURATION_BOUNDARIES_MS,
  TOOL_CALL_DURATION_BOUNDARIES_MS,
  toolNamespace,
} from "@runtrace/semconv";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { contractCheck } from "./contract-check.ts";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const TERMINAL = ["completed", "failed", "cancelled"] as const;
type Terminal = (typeof TERMINAL)[number];

interface RecordedExecution {
  bucket: number;
  scope: string;
  status: Terminal;
  durationMs: number;
}
interface RecordedToolCall {
  bucket: number;
  scope: string;
  path: string;
  namespace: string;
  failed: boolean;
  durationMs: number;
}

let running: RunningCollector;
let app: ReturnType<typeof createQueryApiApp>;
let scopedApp: ReturnType<typeof createQueryApiApp>;
/** An aligned hour a few hours ago: minute N of the scenario is BASE + N min. */
let BASE: number;
const executions: RecordedExecution[] = [];
const toolCalls: RecordedToolCall[] = [];
const providers: MeterProvider[] = [];

/** A recorder on its own MeterProvider (one "process"), exporting to the collector. */
function startProcess(options: { instance: string; delta?: boolean }) {
  const url = `${running.url}/v1/metrics`;
  const exporter = options.delta
    ? new OTLPMetricExporterJson({
        url,
        temporalityPreference: AggregationTemporalityPreference.DELTA,
      })
    : new OTLPMetricExporterProto({ url });
  const provider = new MeterProvider({
    // Same resource for the same instance: a restarted process continues the same series.
    resource: resourceFromAttributes({
      "service.name": "stats-test",
      "service.instance.id": options.instance,
    }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  providers.push(provider);
  const meter: Meter = provider.getMeter("@runtrace/sdk");
  let clock = 0;
  const recorder: ExecutionRecorder = createExecutionRecorder({
    tracer: trace.getTracer("noop"),
    meter,
    now: () => clock,
  });
  let bucket = 0;

  return {
    provider,
    /**
     * Records at minute `minute` (+1 s, or at `recordAt` if given) and collects at +30 s: the
     * points land in that minute's bucket.
     */
    async phase(
      minute: number,
      record: () => Promise<void> | void,
      recordAt = BASE + minute * MIN + SEC,
    ): Promise<void> {
      bucket = BASE + minute * MIN;
      vi.setSystemTime(recordAt);
      await record();
      vi.setSystemTime(bucket + 30 * SEC);
      await provider.forceFlush();
    },
    /** One execution that ends as `status` after `durationMs`, with the given tool calls. */
    async execute(
      scope: string,
      status: Terminal,
      durationMs: number,
      tools: Array<{ path: string; ms: number; fail?: boolean }> = [],
    ): Promise<void> {
      const exec = recorder.create({ scopeId: scope, code: "run()", trigger: { kind: "http" } });
      const started = clock;
      for (const tool of tools) {
        await exec
          .toolCall({ path: tool.path }, () => {
            clock += tool.ms;
            if (tool.fail) throw new Error("tool failed");
            return "ok";
          })
          .catch(() => {});
        toolCalls.push({
          bucket,
          scope,
          path: tool.path,
          namespace: toolNamespace(tool.path),
          failed: tool.fail ?? false,
          durationMs: tool.ms,
        });
      }
      clock = started + durationMs;
      if (status === "completed") exec.complete("done");
      else if (status === "failed") exec.fail(new Error("boom"));
      else exec.cancel();
      executions.push({ bucket, scope, status, durationMs });
    },
    /** Shuts the process down (its last export lands at minute `minute` + 40 s). */
    async stop(minute: number): Promise<void> {
      vi.setSystemTime(BASE + minute * MIN + 40 * SEC);
      await provider.shutdown();
    },
  };
}

beforeAll(async () => {
  running = await startTestCollector();
  BASE = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    // Scenario A (minutes 0–2), cumulative: two scopes, tool calls, durations.
    const a = startProcess({ instance: "a" });
    await a.phase(0, async () => {
      await a.execute("scope-a", "completed", 15, [
        { path: "github.issues.create", ms: 3 },
        { path: "github.issues.create", ms: 5 },
      ]);
      await a.execute("scope-a", "completed", 25, [{ path: "search", ms: 1 }]);
      await a.execute("scope-a", "completed", 150, [
        { path: "github.issues.create", ms: 9, fail: true },
      ]);
      await a.execute("scope-a", "failed", 30);
      await a.execute("scope-b", "completed", 5, [{ path: "slack.post", ms: 3000 }]);
      await a.execute("scope-b", "completed", 12, [
        { path: "github.issues.create", ms: 40, fail: true },
      ]);
    });
    // Collected again without new measurements: the same cumulative values, no increase.
    await a.phase(1, () => {});
    await a.phase(2, async () => {
      await a.execute("scope-a", "completed", 700, [{ path: "github.issues.create", ms: 100 }]);
      await a.execute("scope-a", "cancelled", 50);
      await a.execute("scope-a", "cancelled", 60);
      await a.execute("scope-b", "failed", 20, [{ path: "slack.post", ms: 5000 }]);
    });
    await a.stop(2);

    // Scenario R (minutes 4–7), cumulative with restarts, all in scope-r.
    const r1 = startProcess({ instance: "r" });
    await r1.phase(4, async () => {
      for (const ms of [11, 12, 13]) await r1.execute("scope-r", "completed", ms);
    });
    await r1.phase(5, async () => {
      for (const ms of [21, 22]) await r1.execute("scope-r", "completed", ms);
    });
    await r1.stop(5);
    // A restart that records its first measurement at the very instant the first process did:
    // the same series (same start time), its value falls from 5 to 1 — a reset.
    const r2 = startProcess({ instance: "r" });
    await r2.phase(6, () => r2.execute("scope-r", "completed", 31), BASE + 4 * MIN + SEC);
    await r2.stop(6);
    // A restart with a new start time inside the window: a new series, counted in full.
    const r3 = startProcess({ instance: "r" });
    await r3.phase(7, async () => {
      for (const ms of [41, 42]) await r3.execute("scope-r", "completed", ms);
    });
    await r3.stop(7);

    // Scenario D (minutes 9–11), delta temporality, scope-d.
    const d = startProcess({ instance: "d", delta: true });
    await d.phase(9, async () => {
      await d.execute("scope-d", "completed", 15);
      await d.execute("scope-d", "completed", 16);
      await d.execute("scope-d", "failed", 90);
    });
    await d.phase(10, async () => {
      for (const ms of [5, 6, 7]) await d.execute("scope-d", "completed", ms);
    });
    await d.phase(11, () => {});
    await d.stop(11);
  } finally {
    vi.useRealTimers();
  }
  app = createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: running.ch });
  scopedApp = createQueryApiApp({
    checkAnswer: contractCheck(),
    clickhouse: running.ch,
    apiTokens: new Map([["tok-a", ["scope-a"]]]),
  });
}, 120_000);

afterAll(async () => {
  vi.useRealTimers();
  for (const provider of providers) await provider.shutdown().catch(() => {});
  await running?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field.
async function get(path: string, headers: Record<string, string> = {}, on = app): Promise<any> {
  const res = await on.request(path, { headers });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

async function status(path: string, on = app, headers: Record<string, string> = {}) {
  const res = await on.request(path, { headers });
  return { status: res.status, body: (await res.json()) as { parameter?: string } };
}

const at = (minute: number) => BASE + minute * MIN;

/** What the test recorded, per minute bucket in [from, to), as the API shows it. */
function expectedOutcomes(fromMin: number, toMin: number, scopes?: readonly string[]) {
  const out: Array<{ start: number; outcomes: Record<Terminal, number>; total: number }> = [];
  for (let m = fromMin; m < toMin; m++) {
    const outcomes = { completed: 0, failed: 0, cancelled: 0 };
    for (const e of executions) {
      if (e.bucket === at(m) && (!scopes || scopes.includes(e.scope))) outcomes[e.status] += 1;
    }
    out.push({
      start: at(m),
      outcomes,
      total: outcomes.completed + outcomes.failed + outcomes.cancelled,
    });
  }
  return out;
}

function durationsIn(minute: number, scopes?: readonly string[]): number[] {
  return executions
    .filter((e) => e.bucket === at(minute) && (!scopes || scopes.includes(e.scope)))
    .map((e) => e.durationMs);
}

/**
 * The bounds of the histogram bucket holding the true `q` quantile (nearest rank) of
 * `values`: an interpolated percentile must lie inside them.
 */
function bucketBounds(values: number[], q: number, bounds: readonly number[]): [number, number] {
  const sorted = [...values].sort((x, y) => x - y);
  const v = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
  const i = bounds.findIndex((b) => v <= b);
  if (i === -1) return [bounds[bounds.length - 1]!, Math.max(...values)];
  return [i === 0 ? 0 : bounds[i - 1]!, bounds[i]!];
}

function expectPercentile(p: number, values: number[], q: number, bounds: readonly number[]) {
  const [lo, hi] = bucketBounds(values, q, bounds);
  expect(p, `p${q * 100} of ${values}`).toBeGreaterThanOrEqual(lo);
  expect(p, `p${q * 100} of ${values}`).toBeLessThanOrEqual(hi);
}

const pick = (b: { start: number; outcomes: Record<string, number>; total: number }) => ({
  start: b.start,
  outcomes: b.outcomes,
  total: b.total,
});

describe("GET /v1/stats/executions", () => {
  it("counts outcomes per interval from the cumulative counter, every bucket present", async () => {
    const body = await get(`/v1/stats/executions?from=${at(0)}&to=${at(3)}&interval=1m`);
    expect(body.from).toBe(at(0));
    expect(body.to).toBe(at(3));
    expect(body.intervalMs).toBe(MIN);
    expect(body.buckets.map(pick)).toEqual(expectedOutcomes(0, 3));
    // Minute 1 was collected again without new executions: no increase.
    expect(body.buckets[1].total).toBe(0);
    expect(body.buckets[1].durationMs).toBeNull();
  });

  it("aligns buckets to the interval and accepts RFC 3339 and unit intervals", async () => {
    const from = new Date(at(0) - 20 * SEC).toISOString();
    const to = new Date(at(4)).toISOString();
    const body = await get(`/v1/stats/executions?from=${from}&to=${to}&interval=2m`);
    expect(body.from).toBe(at(0) - 20 * SEC);
    expect(body.intervalMs).toBe(2 * MIN);
    expect(body.buckets.map((b: { start: number }) => b.start)).toEqual([at(-2), at(0), at(2)]);
    const all = expectedOutcomes(0, 4);
    expect(body.buckets.map((b: { total: number }) => b.total)).toEqual([
      0,
      all[0]!.total + all[1]!.total,
      all[2]!.total + all[3]!.total,
    ]);
  });

  it("gives percentiles from the duration histogram inside the right bucket bounds", async () => {
    const body = await get(`/v1/stats/executions?from=${at(0)}&to=${at(3)}&interval=60000`);
    for (const minute of [0, 2]) {
      const bucket = body.buckets[minute];
      const values = durationsIn(minute);
      expect(bucket.durationMs.count).toBe(values.length);
      for (const [q, key] of [
        [0.5, "p50"],
        [0.95, "p95"],
        [0.99, "p99"],
      ] as const) {
        expectPercentile(bucket.durationMs[key], values, q, EXECUTION_DURATION_BOUNDARIES_MS);
      }
    }
  });

  it("turns a cumulative counter reset into the value after the reset", async () => {
    const body = await get(
      `/v1/stats/executions?from=${at(4)}&to=${at(8)}&interval=1m&scope=scope-r`,
    );
    const expected = expectedOutcomes(4, 8, ["scope-r"]);
    expect(expected.map((b) => b.outcomes.completed)).toEqual([3, 2, 1, 2]);
    expect(body.buckets.map(pick)).toEqual(expected);
    // The duration histogram resets the same way.
    expect(body.buckets.map((b: { durationMs: { count: number } }) => b.durationMs.count)).toEqual([
      3, 2, 1, 2,
    ]);
    expectPercentile(
      body.buckets[2].durationMs.p50,
      durationsIn(6, ["scope-r"]),
      0.5,
      EXECUTION_DURATION_BOUNDARIES_MS,
    );
  });

  it("uses the last point before `from` as the baseline of a series that started earlier", async () => {
    // The series started at minute 4; from minute 5 on, its first point counts only its increase.
    const body = await get(
      `/v1/stats/executions?from=${at(5)}&to=${at(8)}&interval=1m&scope=scope-r`,
    );
    expect(body.buckets.map(pick)).toEqual(expectedOutcomes(5, 8, ["scope-r"]));
    expect(body.buckets[0].outcomes.completed).toBe(2);
    expect(body.buckets[0].durationMs.count).toBe(2);
    // Scenario A's executions ended at minute 0 + 1 s: a window from + 20 s holds none of them
    // (their series started before it and has no earlier point, so its first point is a baseline).
    const late = await get(`/v1/stats/executions?from=${at(0) + 20 * SEC}&to=${at(2)}&interval=1m`);
    expect(late.buckets.map((b: { total: number }) => b.total)).toEqual([0, 0]);
  });

  it("sums delta-temporality points as they are", async () => {
    const body = await get(
      `/v1/stats/executions?from=${at(9)}&to=${at(12)}&interval=1m&scope=scope-d`,
    );
    const expected = expectedOutcomes(9, 12, ["scope-d"]);
    expect(expected.map((b) => b.total)).toEqual([3, 3, 0]);
    expect(body.buckets.map(pick)).toEqual(expected);
    expect(body.buckets[0].durationMs.count).toBe(3);
    expect(body.buckets[1].durationMs.count).toBe(3);
    expectPercentile(
      body.buckets[1].durationMs.p95,
      durationsIn(10, ["scope-d"]),
      0.95,
      EXECUTION_DURATION_BOUNDARIES_MS,
    );
  });

  it("shows a token only the scopes it may read", async () => {
    const path = `/v1/stats/executions?from=${at(0)}&to=${at(12)}&interval=1m`;
    const auth = { authorization: "Bearer tok-a" };
    const scoped = await get(path, auth, scopedApp);
    expect(scoped.buckets.map(pick)).toEqual(expectedOutcomes(0, 12, ["scope-a"]));
    expect(scoped.buckets[0].durationMs.count).toBe(durationsIn(0, ["scope-a"]).length);
    // Asking for another scope gives nothing rather than its data.
    const other = await get(`${path}&scope=scope-b`, auth, scopedApp);
    expect(other.buckets.every((b: { total: number }) => b.total === 0)).toBe(true);
    // Without tokens, `scope` restricts; without it every scope counts.
    const open = await get(`${path}&scope=scope-a`);
    expect(open.buckets.map(pick)).toEqual(expectedOutcomes(0, 12, ["scope-a"]));
    const everything = await get(path);
    expect(everything.buckets.map(pick)).toEqual(expectedOutcomes(0, 12));
    expect((await scopedApp.request(path)).status).toBe(401);
  });

  it("defaults to the last 24 hours in at most 60 round buckets", async () => {
    const before = Date.now();
    const body = await get("/v1/stats/executions");
    expect(body.to).toBeGreaterThanOrEqual(before);
    expect(body.to - body.from).toBe(24 * HOUR);
    expect(body.intervalMs).toBe(30 * MIN);
    expect(body.buckets.length).toBeLessThanOrEqual(60);
    expect(body.buckets[0].start).toBe(Math.floor(body.from / (30 * MIN)) * 30 * MIN);
    const counted = body.buckets.reduce((n: number, b: { total: number }) => n + b.total, 0);
    expect(counted).toBe(executions.length);
  });

  it("answers 400 naming the parameter for bad input", async () => {
    const base = `/v1/stats/executions?from=${at(0)}&to=${at(3)}`;
    const cases: Array<[string, string]> = [
      ["/v1/stats/executions?from=yesterday", "from"],
      [`${base}&interval=7x`, "interval"],
      [`${base}&interval=0`, "interval"],
      // 3 minutes in 100 ms steps: 1800 buckets.
      [`${base}&interval=100`, "interval"],
      [`/v1/stats/executions?from=${at(3)}&to=${at(3)}`, "from"],
      [`/v1/stats/executions?from=${at(4)}&to=${at(3)}`, "from"],
      [`${base}&bogus=1`, "bogus"],
      [`/v1/stats/tools?from=${at(0)}&to=${at(3)}&limit=501`, "limit"],
      [`/v1/stats/tools?from=${at(0)}&to=${at(3)}&interval=1m`, "interval"],
    ];
    for (const [path, parameter] of cases) {
      const res = await status(path);
      expect(res.status, path).toBe(400);
      expect(res.body.parameter, path).toBe(parameter);
    }
  });
});

describe("GET /v1/stats/tools", () => {
  function expectedTools(scopes?: readonly string[]) {
    const byPath = new Map<
      string,
      { toolPath: string; namespace: string; calls: number; failures: number }
    >();
    for (const call of toolCalls) {
      if (scopes && !scopes.includes(call.scope)) continue;
      const t = byPath.get(call.path) ?? {
        toolPath: call.path,
        namespace: call.namespace,
        calls: 0,
        failures: 0,
      };
      t.calls += 1;
      if (call.failed) t.failures += 1;
      byPath.set(call.path, t);
    }
    return [...byPath.values()]
      .sort((x, y) => y.calls - x.calls || (x.toolPath < y.toolPath ? -1 : 1))
      .map((t) => ({ ...t, failureRate: t.failures / t.calls }));
  }

  const totals = (tools: Array<Record<string, unknown>>) =>
    tools.map(({ toolPath, namespace, calls, failures, failureRate }) => ({
      toolPath,
      namespace,
      calls,
      failures,
      failureRate,
    }));

  it("counts calls and failures per tool path, most called first, with p50/p95", async () => {
    const body = await get(`/v1/stats/tools?from=${at(0)}&to=${at(12)}`);
    const expected = expectedTools();
    expect(expected[0]).toMatchObject({ toolPath: "github.issues.create", calls: 5, failures: 2 });
    expect(totals(body.tools)).toEqual(expected);
    for (const tool of body.tools) {
      const values = toolCalls.filter((c) => c.path === tool.toolPath).map((c) => c.durationMs);
      expectPercentile(tool.durationMs.p50, values, 0.5, TOOL_CALL_DURATION_BOUNDARIES_MS);
      expectPercentile(tool.durationMs.p95, values, 0.95, TOOL_CALL_DURATION_BOUNDARIES_MS);
    }
    // slack.post's calls are all past the last bound: interpolated up to the recorded Max.
    const slack = body.tools.find((t: { toolPath: string }) => t.toolPath === "slack.post");
    expect(slack.durationMs.p95).toBeGreaterThan(2048);
    expect(slack.durationMs.p95).toBeLessThanOrEqual(5000);
  });

  it("applies limit and the token's scopes", async () => {
    const limited = await get(`/v1/stats/tools?from=${at(0)}&to=${at(12)}&limit=1`);
    expect(totals(limited.tools)).toEqual(expectedTools().slice(0, 1));
    const scoped = await get(
      `/v1/stats/tools?from=${at(0)}&to=${at(12)}`,
      { authorization: "Bearer tok-a" },
      scopedApp,
    );
    expect(totals(scoped.tools)).toEqual(expectedTools(["scope-a"]));
    const gh = scoped.tools.find(
      (t: { toolPath: string }) => t.toolPath === "github.issues.create",
    );
    const values = toolCalls
      .filter((c) => c.scope === "scope-a" && c.path === "github.issues.create")
      .map((c) => c.durationMs);
    expectPercentile(gh.durationMs.p95, values, 0.95, TOOL_CALL_DURATION_BOUNDARIES_MS);
    // A window without tool calls.
    const empty = await get(`/v1/stats/tools?from=${at(4)}&to=${at(12)}`);
    expect(empty.tools).toEqual([]);
  });
});

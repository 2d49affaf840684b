import { JsonMetricsSerializer, ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricReaderOptions,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder } from "@runtrace/sdk";
import { METRIC_ATTR_SCOPE_ID, type TerminalStatus } from "@runtrace/semconv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend } from "./backend.ts";

/**
 * Metric points are stored once, whatever the delivery: the same OTLP metrics request sent
 * twice, or sent again after a partial failure (one metrics table detached, so the request got
 * a 503 after part of it may have been written), leaves exactly the points sent, and the stats
 * routes give the values recorded. The points come from the real SDK's instruments
 * (`@runtrace/sdk` on `@opentelemetry/sdk-metrics`), serialized by `@opentelemetry/otlp-transformer`.
 */

/** A reader that collects only when asked. */
class ManualReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options);
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface PlannedRun {
  status: TerminalStatus;
  trigger: string;
  tools: { path: string; fails: boolean; ms: number }[];
  ms: number;
}

const PLAN: PlannedRun[] = [
  {
    status: "completed",
    trigger: "cli",
    ms: 120,
    tools: [
      { path: "github.issues.create", fails: false, ms: 12 },
      { path: "slack.post", fails: true, ms: 40 },
    ],
  },
  {
    status: "completed",
    trigger: "http",
    ms: 900,
    tools: [{ path: "search", fails: false, ms: 3 }],
  },
  {
    status: "failed",
    trigger: "cli",
    ms: 2500,
    tools: [
      { path: "github.issues.create", fails: true, ms: 70 },
      { path: "github.issues.create", fails: false, ms: 9 },
    ],
  },
  { status: "cancelled", trigger: "mcp", ms: 40, tools: [] },
  {
    status: "completed",
    trigger: "cli",
    ms: 333,
    tools: [{ path: "slack.post", fails: false, ms: 5 }],
  },
];

interface Sent {
  scope: string;
  body: Uint8Array;
  contentType: string;
  sumPoints: number;
  histogramPoints: number;
}

/** Records PLAN through the SDK in `scope`, collects once, and serializes the request. */
async function recordPlan(
  scope: string,
  temporality: AggregationTemporality,
  json: boolean,
): Promise<Sent> {
  const reader = new ManualReader({ aggregationTemporalitySelector: () => temporality });
  const meters = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": `metrics-${scope}` }),
    readers: [reader],
  });
  // Spans are not what this test is about: a provider without processors drops them.
  const tracers = new BasicTracerProvider();
  let clock = Date.now() - 60_000;
  const recorder = createExecutionRecorder({
    tracer: tracers.getTracer("metric-points"),
    meter: meters.getMeter("metric-points"),
    now: () => clock,
  });
  for (const run of PLAN) {
    const exec = recorder.create({ scopeId: scope, code: "run()", trigger: { kind: run.trigger } });
    const start = clock;
    for (const tool of run.tools) {
      await exec
        .toolCall({ path: tool.path }, async () => {
          clock += tool.ms;
          if (tool.fails) throw new Error(`${tool.path} failed`);
          return "ok";
        })
        .catch(() => undefined);
    }
    clock = start + run.ms;
    if (run.status === "completed") exec.complete("done");
    else if (run.status === "failed") exec.fail(new Error("boom"));
    else exec.cancel("stop");
  }
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await meters.shutdown();
  await tracers.shutdown();
  const count = (m: ResourceMetrics, type: DataPointType) =>
    m.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((x) => x.dataPointType === type)
      .reduce((n, x) => n + x.dataPoints.length, 0);
  const body = (json ? JsonMetricsSerializer : ProtobufMetricsSerializer).serializeRequest(
    resourceMetrics,
  );
  if (!body) throw new Error("the OTLP serializer returned nothing");
  return {
    scope,
    body,
    contentType: json ? "application/json" : "application/x-protobuf",
    sumPoints: count(resourceMetrics, DataPointType.SUM),
    histogramPoints: count(resourceMetrics, DataPointType.HISTOGRAM),
  };
}

let backend: Backend;
const windowStart = Date.now() - 5 * 60_000;
beforeAll(async () => {
  backend = await Backend.start(1);
}, 120_000);
afterAll(async () => {
  await backend?.close();
});

async function post(sent: Sent): Promise<number> {
  const res = await fetch(`${backend.collectorUrls[0]}/v1/metrics`, {
    method: "POST",
    headers: { "content-type": sent.contentType },
    body: Buffer.from(sent.body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function storedPoints(scope: string): Promise<{ sum: number; histogram: number }> {
  const count = async (table: string) => {
    const [row] = await backend.ch.select<{ n: number }>(
      `SELECT toUInt64(count()) AS n FROM ${table} WHERE Attributes[{key:String}] = {scope:String}`,
      { key: METRIC_ATTR_SCOPE_ID, scope },
    );
    return Number(row?.n ?? 0);
  };
  return { sum: await count("otel_metrics_sum"), histogram: await count("otel_metrics_histogram") };
}

// biome-ignore lint/suspicious/noExplicitAny: the stats answers are read field by field.
type Json = any;

async function stats(scope: string): Promise<{ executions: Json; tools: Json }> {
  const range = `scope=${scope}&from=${windowStart}&to=${Date.now() + 60_000}`;
  const executions = await fetch(`${backend.api.url}/v1/stats/executions?${range}`);
  const tools = await fetch(`${backend.api.url}/v1/stats/tools?${range}`);
  expect(executions.status).toBe(200);
  expect(tools.status).toBe(200);
  return { executions: await executions.json(), tools: await tools.json() };
}

/** The stats the PLAN must give, and the ones the API gives, side by side. */
async function compareStats(scope: string) {
  const outcomes: Record<string, number> = {};
  const tools: Record<string, { calls: number; failures: number; namespace: string }> = {};
  for (const run of PLAN) {
    outcomes[run.status] = (outcomes[run.status] ?? 0) + 1;
    for (const t of run.tools) {
      const entry = tools[t.path] ?? { calls: 0, failures: 0, namespace: t.path.split(".")[0]! };
      entry.calls += 1;
      if (t.fails) entry.failures += 1;
      tools[t.path] = entry;
    }
  }
  const got = await stats(scope);
  const gotOutcomes: Record<string, number> = {};
  let durations = 0;
  for (const b of got.executions.buckets as Json[]) {
    for (const [status, n] of Object.entries(b.outcomes as Record<string, number>)) {
      if (n !== 0) gotOutcomes[status] = (gotOutcomes[status] ?? 0) + n;
    }
    durations += b.durationMs?.count ?? 0;
  }
  const gotTools = Object.fromEntries(
    (got.tools.tools as Json[]).map((t) => [
      t.toolPath,
      { calls: t.calls, failures: t.failures, namespace: t.namespace },
    ]),
  );
  return {
    expected: { outcomes, durations: PLAN.length, tools },
    actual: { outcomes: gotOutcomes, durations, tools: gotTools },
  };
}

describe("metric points are stored once, whatever the delivery", () => {
  it("the same cumulative request (protobuf) sent twice", async () => {
    const sent = await recordPlan("m-cumulative", AggregationTemporality.CUMULATIVE, false);
    expect(await post(sent)).toBe(200);
    expect(await post(sent)).toBe(200);
    // Soft: the stats are checked even when the rows are not right.
    expect.soft(await storedPoints(sent.scope), "rows per metrics table").toEqual({
      sum: sent.sumPoints,
      histogram: sent.histogramPoints,
    });
    const { expected, actual } = await compareStats(sent.scope);
    expect.soft(actual, "/v1/stats/executions and /v1/stats/tools").toEqual(expected);
  });

  it("the same delta request (JSON) sent twice", async () => {
    const sent = await recordPlan("m-delta", AggregationTemporality.DELTA, true);
    expect(await post(sent)).toBe(200);
    expect(await post(sent)).toBe(200);
    // Soft: the stats are checked even when the rows are not right.
    expect.soft(await storedPoints(sent.scope), "rows per metrics table").toEqual({
      sum: sent.sumPoints,
      histogram: sent.histogramPoints,
    });
    const { expected, actual } = await compareStats(sent.scope);
    expect.soft(actual, "/v1/stats/executions and /v1/stats/tools").toEqual(expected);
  });

  it("a request re-sent after a partial failure (histogram table detached: 503)", async () => {
    const sent = await recordPlan("m-partial", AggregationTemporality.DELTA, false);
    await backend.ch.command("DETACH TABLE otel_metrics_histogram");
    let failed: number;
    try {
      failed = await post(sent);
    } finally {
      await backend.ch.command("ATTACH TABLE otel_metrics_histogram");
    }
    expect(failed).toBe(503);
    expect(await post(sent)).toBe(200);
    // Soft: the stats are checked even when the rows are not right.
    expect.soft(await storedPoints(sent.scope), "rows per metrics table").toEqual({
      sum: sent.sumPoints,
      histogram: sent.histogramPoints,
    });
    const { expected, actual } = await compareStats(sent.scope);
    expect.soft(actual, "/v1/stats/executions and /v1/stats/tools").toEqual(expected);
  }, 60_000);
});

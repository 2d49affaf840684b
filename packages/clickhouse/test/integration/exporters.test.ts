import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchingWriter,
  type ClickHouse,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from "../../src/index.ts";

let ch: ClickHouse;
let writer: BatchingWriter;
beforeAll(async () => {
  ch = await openMigrated();
  writer = new BatchingWriter(ch, { flushIntervalMillis: 5 });
});
afterAll(async () => {
  await writer.close();
  await ch.close();
});

const TRICKY = "tab\there, newline\nthere, quote ' and \" backslash \\ unicode ✓ 𝄞";

describe("ClickHouseSpanExporter", () => {
  it("stores every field of a span as the collector exporter would, keeping attribute types", async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        "service.name": "fields",
        "host.pid": 42,
        "deploy.canary": true,
      }),
      spanProcessors: [new SimpleSpanProcessor(new ClickHouseSpanExporter({ writer }))],
    });
    const tracer = provider.getTracer("fields-scope", "1.2.3");
    const startSec = Math.floor(Date.now() / 1000) - 3600;
    const startTime: [number, number] = [startSec, 123_456_789];
    const linked = tracer.startSpan("linked");
    linked.end();
    const span = tracer.startSpan("op", {
      kind: SpanKind.SERVER,
      startTime,
      links: [{ context: linked.spanContext(), attributes: { "link.n": 7 } }],
      attributes: {
        str: TRICKY,
        int: 9_007_199_254_740_991,
        dbl: 1.5,
        yes: false,
        list: ["a", "b'"],
      },
    });
    span.addEvent("evt", { "e.k": 3, "e.s": "x" }, [startTime[0] + 1, 5]);
    span.setStatus({ code: SpanStatusCode.ERROR, message: TRICKY });
    span.end([startTime[0] + 2, 987_654_321]);
    await provider.shutdown();

    const rows = await ch.select<Record<string, unknown>>(
      `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ts, toString(Duration) AS dur, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
        ServiceName, ResourceAttributes, ResourceAttributeTypes, ScopeName, ScopeVersion, SpanAttributes,
        SpanAttributeTypes, StatusCode, StatusMessage, arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS evTs,
        Events.Name AS evName, Events.Attributes AS evAttrs, EventAttributeTypes, Links.TraceId AS lTrace,
        Links.SpanId AS lSpan, Links.Attributes AS lAttrs, LinkAttributeTypes
       FROM otel_traces WHERE SpanName = 'op'`,
    );
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    const context = span.spanContext();
    expect(r).toMatchObject({
      ts: `${startSec}123456789`,
      dur: "2864197532",
      TraceId: context.traceId,
      SpanId: context.spanId,
      ParentSpanId: "",
      SpanKind: "SPAN_KIND_SERVER",
      ServiceName: "fields",
      ScopeName: "fields-scope",
      ScopeVersion: "1.2.3",
      StatusCode: "STATUS_CODE_ERROR",
      StatusMessage: TRICKY,
      SpanAttributes: {
        str: TRICKY,
        int: "9007199254740991",
        dbl: "1.5",
        yes: "false",
        list: '["a","b\'"]',
      },
      SpanAttributeTypes: { int: "int", dbl: "double", yes: "bool", list: "array" },
      ResourceAttributeTypes: { "host.pid": "int", "deploy.canary": "bool" },
      evTs: [`${startSec + 1}000000005`],
      evName: ["evt"],
      evAttrs: [{ "e.k": "3", "e.s": "x" }],
      EventAttributeTypes: [{ "e.k": "int" }],
      lTrace: [linked.spanContext().traceId],
      lSpan: [linked.spanContext().spanId],
      lAttrs: [{ "link.n": "7" }],
      LinkAttributeTypes: [{ "link.n": "int" }],
    });
    expect(r.ResourceAttributes).toMatchObject({
      "service.name": "fields",
      "host.pid": "42",
      "deploy.canary": "true",
    });
  });

  it("fails exports after shutdown", async () => {
    const exporter = new ClickHouseSpanExporter({ writer });
    await exporter.shutdown();
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export([], resolve),
    );
    expect(result.code).toBe(1);
    expect(result.error?.message).toMatch(/shut down/);
  });
});

describe("ClickHouseMetricExporter", () => {
  it("writes counters and histograms to the collector-compatible tables, cumulative by default", async () => {
    const exporter = new ClickHouseMetricExporter({ writer });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "metrics-test" }),
      readers: [reader],
    });
    const meter = provider.getMeter("m-scope", "0.1");
    const counter = meter.createCounter("executor.tool_calls", {
      unit: "{call}",
      description: "calls",
    });
    const histogram = meter.createHistogram("executor.tool_call.duration_ms", {
      unit: "ms",
      advice: { explicitBucketBoundaries: [1, 10, 100] },
    });
    counter.add(2, { "executor.tool.path": "a.b" });
    counter.add(1, { "executor.tool.path": "a.b" });
    histogram.record(5, { "executor.tool.path": "a.b" });
    histogram.record(50, { "executor.tool.path": "a.b" });
    await reader.forceFlush();
    counter.add(4, { "executor.tool.path": "a.b" });
    await provider.shutdown();

    const sums = await ch.select<Record<string, unknown>>(
      `SELECT MetricName, MetricUnit, MetricDescription, ServiceName, ScopeName, Attributes, Value,
         AggregationTemporality, IsMonotonic FROM otel_metrics_sum ORDER BY TimeUnix`,
    );
    expect(sums).toEqual([
      expect.objectContaining({
        MetricName: "executor.tool_calls",
        Value: 3,
        AggregationTemporality: 2,
        IsMonotonic: true,
      }),
      expect.objectContaining({
        Value: 7,
        MetricUnit: "{call}",
        ServiceName: "metrics-test",
        ScopeName: "m-scope",
      }),
    ]);
    expect(sums[0]!.Attributes).toEqual({ "executor.tool.path": "a.b" });
    const histograms = await ch.select<Record<string, unknown>>(
      "SELECT Count, Sum, BucketCounts, ExplicitBounds, Min, Max, AggregationTemporality FROM otel_metrics_histogram ORDER BY TimeUnix LIMIT 1",
    );
    expect(histograms).toEqual([
      {
        Count: 2,
        Sum: 55,
        BucketCounts: [0, 1, 1, 0],
        ExplicitBounds: [1, 10, 100],
        Min: 5,
        Max: 50,
        AggregationTemporality: 2,
      },
    ]);
  });
});

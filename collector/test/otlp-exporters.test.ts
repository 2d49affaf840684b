import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPMetricExporter as OTLPMetricExporterGrpc } from "@opentelemetry/exporter-metrics-otlp-grpc";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter as OTLPTraceExporterGrpc } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OTLPTraceExporterJson } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPTraceExporterProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { type GrpcListening, listenGrpc } from "@runtrace/collector";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let collector: RunningCollector;
let grpc: GrpcListening;
beforeAll(async () => {
  collector = await startTestCollector();
  grpc = await listenGrpc(collector.collector.grpc, 0, "127.0.0.1");
});
afterAll(async () => {
  await grpc.close();
  await collector.stop();
});

const TRICKY = "tab\t, newline\n, quote ' \" backslash \\ ✓ 𝄞";

/** Spans of every shape the JS SDK can make, recorded in memory (so both exporters send the same). */
async function makeSpans(service: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": service,
      "process.pid": 4242,
      "deployment.canary": true,
      "ratio.r": 0.25,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer("wire-test", "3.2.1");
  const startSec = Math.floor(Date.now() / 1000) - 600;
  const parent = tracer.startSpan("parent", { startTime: [startSec, 1] });
  const linked = tracer.startSpan("linked", { startTime: [startSec, 2] });
  linked.end([startSec, 3]);
  const ctx = trace.setSpan(context.active(), parent);
  const span = tracer.startSpan(
    "child op",
    {
      kind: SpanKind.CLIENT,
      startTime: [startSec + 1, 123_456_789],
      links: [{ context: linked.spanContext(), attributes: { "link.weight": 3 } }],
      attributes: {
        s: TRICKY,
        i: 9_007_199_254_740_991,
        neg: -42,
        d: 2.71,
        b: true,
        sa: ["x", "y'z"],
        ia: [1, 2, 3],
        ba: [true, false],
      },
    },
    ctx,
  );
  span.addEvent("checkpoint", { "e.i": 7, "e.s": "v", "e.b": false }, [startSec + 1, 500_000_001]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: TRICKY });
  span.end([startSec + 2, 999_999_999]);
  parent.end([startSec + 3, 0]);
  // The in-memory exporter forgets its spans on shutdown: take them first.
  const spans = memory.getFinishedSpans().slice();
  await provider.shutdown();
  return spans;
}

function send(
  exporter: SpanExporter,
  spans: ReadableSpan[],
): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function readSpan(service: string, name: string) {
  const rows = await collector.ch.select<Record<string, unknown>>(
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ts, toString(Duration) AS dur, TraceId, SpanId, ParentSpanId,
      SpanName, SpanKind, ServiceName, ResourceAttributes, ResourceAttributeTypes, ScopeName, ScopeVersion,
      SpanAttributes, SpanAttributeTypes, StatusCode, StatusMessage,
      arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS evTs, Events.Name AS evName,
      Events.Attributes AS evAttrs, EventAttributeTypes, Links.TraceId AS lTrace, Links.SpanId AS lSpan,
      Links.Attributes AS lAttrs, LinkAttributeTypes
     FROM otel_traces WHERE ServiceName = {service:String} AND SpanName = {name:String}`,
    { service, name },
  );
  return rows;
}

describe.each([
  [
    "OTLP/HTTP JSON",
    "json-client",
    (url: string) => new OTLPTraceExporterJson({ url: `${url}/v1/traces` }),
  ],
  [
    "OTLP/HTTP protobuf",
    "proto-client",
    (url: string) => new OTLPTraceExporterProto({ url: `${url}/v1/traces` }),
  ],
  [
    "OTLP/gRPC",
    "grpc-client",
    // The gRPC exporter takes the receiver's address, not the HTTP base URL.
    () => new OTLPTraceExporterGrpc({ url: `http://${grpc.address}` }),
  ],
])("%s exporter → collector → ClickHouse", (_name, service, makeExporter) => {
  it("stores every field: ids, nanosecond times, typed attributes, events, links, status, resource, scope", async () => {
    const spans = await makeSpans(service);
    const exporter = makeExporter(collector.url);
    const result = await send(exporter, spans);
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    const child = spans.find((s) => s.name === "child op")!;
    const parent = spans.find((s) => s.name === "parent")!;
    const linked = spans.find((s) => s.name === "linked")!;
    const [startSec] = child.startTime;
    const rows = await readSpan(service, "child op");
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toEqual({
      ts: `${startSec}123456789`,
      dur: "1876543210",
      TraceId: child.spanContext().traceId,
      SpanId: child.spanContext().spanId,
      ParentSpanId: parent.spanContext().spanId,
      SpanName: "child op",
      SpanKind: "SPAN_KIND_CLIENT",
      ServiceName: service,
      ResourceAttributes: expect.objectContaining({
        "service.name": service,
        "process.pid": "4242",
        "deployment.canary": "true",
        "ratio.r": "0.25",
      }),
      ResourceAttributeTypes: expect.objectContaining({
        "process.pid": "int",
        "deployment.canary": "bool",
        "ratio.r": "double",
      }),
      ScopeName: "wire-test",
      ScopeVersion: "3.2.1",
      SpanAttributes: {
        s: TRICKY,
        i: "9007199254740991",
        neg: "-42",
        d: "2.71",
        b: "true",
        sa: '["x","y\'z"]',
        ia: "[1,2,3]",
        ba: "[true,false]",
      },
      SpanAttributeTypes: {
        i: "int",
        neg: "int",
        d: "double",
        b: "bool",
        sa: "array",
        ia: "array",
        ba: "array",
      },
      StatusCode: "STATUS_CODE_ERROR",
      StatusMessage: TRICKY,
      evTs: [`${startSec}500000001`],
      evName: ["checkpoint"],
      evAttrs: [{ "e.i": "7", "e.s": "v", "e.b": "false" }],
      EventAttributeTypes: [{ "e.i": "int", "e.b": "bool" }],
      lTrace: [linked.spanContext().traceId],
      lSpan: [linked.spanContext().spanId],
      lAttrs: [{ "link.weight": "3" }],
      LinkAttributeTypes: [{ "link.weight": "int" }],
    });
    const parentRows = await readSpan(service, "parent");
    expect(parentRows[0]).toMatchObject({
      ParentSpanId: "",
      SpanKind: "SPAN_KIND_INTERNAL",
      StatusCode: "STATUS_CODE_UNSET",
    });
  });
});

describe.each([
  [
    "OTLP/HTTP",
    "metrics-client",
    () => new OTLPMetricExporter({ url: `${collector.url}/v1/metrics` }),
  ],
  [
    "OTLP/gRPC",
    "metrics-grpc-client",
    () => new OTLPMetricExporterGrpc({ url: `http://${grpc.address}` }),
  ],
])("%s metrics exporter → collector → ClickHouse", (_name, service, makeExporter) => {
  it("stores sums and histograms with their attributes, times and temporality", async () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: makeExporter(),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": service }),
      readers: [reader],
    });
    const meter = provider.getMeter("m", "0.9");
    meter
      .createCounter("executor.execution.outcomes", { unit: "{execution}" })
      .add(5, { "executor.execution.status": "completed" });
    meter
      .createHistogram("executor.execution.duration_ms", {
        unit: "ms",
        advice: { explicitBucketBoundaries: [10, 100] },
      })
      .record(42, { "executor.trigger.kind": "cli" });
    meter.createGauge("queue.depth").record(3.5);
    await provider.shutdown();

    const sums = await collector.ch.select<Record<string, unknown>>(
      "SELECT MetricName, MetricUnit, ServiceName, ScopeName, ScopeVersion, Attributes, Value, AggregationTemporality, IsMonotonic, StartTimeUnix <= TimeUnix AS ordered FROM otel_metrics_sum WHERE ServiceName = {service:String}",
      { service },
    );
    expect(sums).toEqual([
      {
        MetricName: "executor.execution.outcomes",
        MetricUnit: "{execution}",
        ServiceName: service,
        ScopeName: "m",
        ScopeVersion: "0.9",
        Attributes: { "executor.execution.status": "completed" },
        Value: 5,
        AggregationTemporality: 2,
        IsMonotonic: true,
        ordered: 1,
      },
    ]);
    const histograms = await collector.ch.select<Record<string, unknown>>(
      "SELECT MetricName, Attributes, Count, Sum, BucketCounts, ExplicitBounds, Min, Max FROM otel_metrics_histogram WHERE ServiceName = {service:String}",
      { service },
    );
    expect(histograms).toEqual([
      {
        MetricName: "executor.execution.duration_ms",
        Attributes: { "executor.trigger.kind": "cli" },
        Count: 1,
        Sum: 42,
        BucketCounts: [0, 1, 0],
        ExplicitBounds: [10, 100],
        Min: 42,
        Max: 42,
      },
    ]);
    const gauges = await collector.ch.select<Record<string, unknown>>(
      "SELECT MetricName, Value FROM otel_metrics_gauge WHERE ServiceName = {service:String}",
      { service },
    );
    expect(gauges).toEqual([{ MetricName: "queue.depth", Value: 3.5 }]);
  });
});

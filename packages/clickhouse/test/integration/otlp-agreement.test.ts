import {
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  MeterProvider,
  type PushMetricExporter,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
} from "@runtrace/otlp";
import { describe, expect, it } from "vitest";
import { metricRowsFromResourceMetrics, spanInputFromReadable } from "../../src/index.ts";

/**
 * The in-process exporters (`ClickHouseSpanExporter`, `ClickHouseMetricExporter`) and the
 * OTLP decoder build the same row model from the same SDK data: what a runtime exports in
 * process and what it sends over the wire are stored alike.
 */

describe("spans: a real SDK payload (@opentelemetry/otlp-transformer)", () => {
  it("decodes to the same spans from protobuf and JSON, and matches the in-process exporter", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "checkout", "host.cores": 8 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("runtrace-test", "1.2.3");
    const parent = tracer.startSpan("parent", { kind: 1 });
    const link = { context: parent.spanContext(), attributes: { why: "follows" } };
    tracer.startActiveSpan("child", { kind: 2, links: [link] }, (child) => {
      child.setAttributes({
        s: "x",
        i: 42,
        big: 2 ** 40,
        d: 1.25,
        b: true,
        arr: ["a", "b"],
        nums: [1, 2.5],
      });
      child.addEvent("retry", { attempt: 2 });
      child.setStatus({ code: 2, message: "boom" });
      child.end();
    });
    parent.setStatus({ code: 1 });
    parent.end();
    const spans = exporter.getFinishedSpans();
    const protobufBody = ProtobufTraceSerializer.serializeRequest(spans);
    const jsonBody = JsonTraceSerializer.serializeRequest(spans);
    if (!protobufBody || !jsonBody) throw new Error("serializer returned nothing");
    const fromProtobuf = decodeTracesProtobuf(protobufBody);
    const fromJson = decodeTracesJson(jsonBody);
    expect(fromProtobuf).toHaveLength(2);
    expect(fromJson).toEqual(fromProtobuf);
    // The wire path and the in-process exporter agree on the row model.
    expect(fromProtobuf).toEqual(spans.map(spanInputFromReadable));
    expect(fromProtobuf[0]!.resource).toBe(fromProtobuf[1]!.resource);
  });
});

/** Collects what a MeterProvider's reader exports. */
class CapturingExporter implements PushMetricExporter {
  captured: ResourceMetrics[] = [];
  export(metrics: ResourceMetrics, done: (result: { code: number }) => void): void {
    this.captured.push(metrics);
    done({ code: 0 });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

describe("metric points: a real SDK payload (@opentelemetry/otlp-transformer)", () => {
  it("decodes to the same rows from protobuf and JSON as the in-process exporter builds", async () => {
    const { PeriodicExportingMetricReader } = await import("@opentelemetry/sdk-metrics");
    const exporter = new CapturingExporter();
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "metrics-test", zone: "a" }),
      readers: [reader],
    });
    const meter = provider.getMeter("runtrace-test", "0.1.0");
    meter
      .createCounter("runs", { unit: "{run}", description: "runs started" })
      .add(3, { status: "ok" });
    meter.createUpDownCounter("active").add(-2);
    meter.createGauge("queue.depth").record(7.5, { queue: "q1" });
    const histogram = meter.createHistogram("duration", { unit: "ms" });
    for (const v of [1, 7, 30, 900]) histogram.record(v, { tool: "fetch" });
    await reader.forceFlush();
    await provider.shutdown();
    const metrics = exporter.captured[0]!;
    const protobufBody = ProtobufMetricsSerializer.serializeRequest(metrics);
    const jsonBody = JsonMetricsSerializer.serializeRequest(metrics);
    if (!protobufBody || !jsonBody) throw new Error("serializer returned nothing");
    const fromProtobuf = decodeMetricsProtobuf(protobufBody);
    const fromJson = decodeMetricsJson(jsonBody);
    expect(fromProtobuf.rows.sums).toHaveLength(2);
    expect(fromProtobuf.rows.gauges).toHaveLength(1);
    expect(fromProtobuf.rows.histograms).toHaveLength(1);
    expect(fromProtobuf.rejectedPoints).toBe(0);
    expect(fromJson).toEqual(fromProtobuf);
    // The in-process exporter leaves scope attributes empty and reads no schema url; the wire
    // carries the same values here, so the rows agree.
    expect(fromProtobuf.rows).toEqual(metricRowsFromResourceMetrics(metrics));
  });
});

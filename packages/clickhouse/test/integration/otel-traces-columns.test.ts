import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickHouse, ClickHouseSpanExporter } from "../../src/index.ts";

/**
 * The OpenTelemetry Collector ClickHouse exporter's otel_traces columns and types
 * (exporter/clickhouseexporter/internal/sqltemplates/traces_table.sql), as Grafana's ClickHouse
 * data source and ClickStack expect them.
 */
const COLLECTOR_EXPORTER_COLUMNS: ReadonlyArray<[string, string]> = [
  ["Timestamp", "DateTime64(9)"],
  ["TraceId", "String"],
  ["SpanId", "String"],
  ["ParentSpanId", "String"],
  ["TraceState", "String"],
  ["SpanName", "LowCardinality(String)"],
  ["SpanKind", "LowCardinality(String)"],
  ["ServiceName", "LowCardinality(String)"],
  ["ResourceAttributes", "Map(LowCardinality(String), String)"],
  ["ScopeName", "String"],
  ["ScopeVersion", "String"],
  ["SpanAttributes", "Map(LowCardinality(String), String)"],
  ["Duration", "UInt64"],
  ["StatusCode", "LowCardinality(String)"],
  ["StatusMessage", "String"],
  ["Events.Timestamp", "Array(DateTime64(9))"],
  ["Events.Name", "Array(LowCardinality(String))"],
  ["Events.Attributes", "Array(Map(LowCardinality(String), String))"],
  ["Links.TraceId", "Array(String)"],
  ["Links.SpanId", "Array(String)"],
  ["Links.TraceState", "Array(String)"],
  ["Links.Attributes", "Array(Map(LowCardinality(String), String))"],
  ["ResourceAttributeItems", "Array(String)"],
  ["SpanAttributeItems", "Array(String)"],
];

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

describe("otel_traces", () => {
  it("has every column of the collector exporter, with its type", async () => {
    const rows = await ch.select<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'otel_traces'",
    );
    const types = new Map(rows.map((r) => [r.name, r.type]));
    for (const [name, type] of COLLECTOR_EXPORTER_COLUMNS) {
      expect(types.get(name), name).toBe(type);
    }
  });

  it("has the exporter's trace-id lookup table and its materialized view", async () => {
    const rows = await ch.select<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'otel_traces_trace_id_ts' ORDER BY position",
    );
    expect(rows).toEqual([
      { name: "TraceId", type: "String" },
      { name: "Start", type: "SimpleAggregateFunction(min, DateTime)" },
      { name: "End", type: "SimpleAggregateFunction(max, DateTime)" },
    ]);
    const views = await ch.select<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'otel_traces_trace_id_ts_mv'",
    );
    expect(views).toHaveLength(1);
  });

  it("never holds state spans, which still reach the run tables", async () => {
    const exporter = new ClickHouseSpanExporter({
      clickhouse: ch,
      writerOptions: { flushIntervalMillis: 5 },
    });
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("columns-test");
    const root = tracer.startSpan("executor.execution", {
      attributes: { "executor.execution.id": "st-1", "executor.scope.id": "cols" },
    });
    const state = tracer.startSpan("executor.execution.state", {
      attributes: {
        "executor.execution.id": "st-1",
        "executor.scope.id": "cols",
        "executor.execution.status": "running",
        "executor.execution.seq": 1,
      },
    });
    state.end();
    await provider.forceFlush();
    const states = await ch.select<{ status: string }>(
      "SELECT status FROM execution_states WHERE execution_id = 'st-1'",
    );
    expect(states).toEqual([{ status: "running" }]);
    root.setAttribute("executor.execution.status", "completed");
    root.end();
    await provider.shutdown();
    const spans = await ch.select<{ SpanName: string }>(
      "SELECT SpanName FROM otel_traces WHERE SpanAttributes['executor.execution.id'] = 'st-1'",
    );
    expect(spans).toEqual([{ SpanName: "executor.execution" }]);
    const lookup = await ch.select<{ n: number }>(
      "SELECT count() AS n FROM otel_traces_trace_id_ts WHERE TraceId = {t:String}",
      { t: root.spanContext().traceId },
    );
    expect(lookup[0]!.n).toBeGreaterThan(0);
  });
});

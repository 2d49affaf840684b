import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startTestCollector } from "./harness.ts";

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.stop();
});

describe("a ClickHouse outage in the middle of a stream", () => {
  it("answers 503 with Retry-After; the real exporter retries; every span is stored exactly once", async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "outage-client" }),
      spanProcessors: [
        new BatchSpanProcessor(
          new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, timeoutMillis: 30_000 }),
          {
            maxExportBatchSize: 50,
            scheduledDelayMillis: 50,
            maxQueueSize: 10_000,
            exportTimeoutMillis: 30_000,
          },
        ),
      ],
    });
    const tracer = provider.getTracer("outage");
    const expected = new Set<string>();
    const emit = (n: number, phase: string) => {
      for (let i = 0; i < n; i++) {
        const id = `${phase}-${i}`;
        const root = tracer.startSpan("executor.execution", {
          attributes: {
            "executor.execution.id": id,
            "executor.scope.id": "outage",
            "executor.execution.status": "completed",
          },
        });
        expected.add(root.spanContext().spanId);
        root.end();
      }
    };
    emit(100, "before");
    await provider.forceFlush();
    await collector.ch.command("DETACH TABLE executions");
    emit(200, "during");
    const flushed = provider.forceFlush();
    // A request of our own during the outage sees what the exporter sees.
    const now = BigInt(Date.now()) * 1_000_000n;
    const probe = await fetch(`${collector.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: [{ key: "service.name", value: { stringValue: "outage-probe" } }],
            },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "1".repeat(32),
                    spanId: "2".repeat(16),
                    name: "executor.execution",
                    startTimeUnixNano: String(now),
                    endTimeUnixNano: String(now),
                    attributes: [
                      { key: "executor.execution.id", value: { stringValue: "probe" } },
                      { key: "executor.scope.id", value: { stringValue: "probe" } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(probe.status).toBe(503);
    expect(Number(probe.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await probe.json()) as { code: number }).code).toBe(14);
    await new Promise((r) => setTimeout(r, 1_000));
    await collector.ch.command("ATTACH TABLE executions");
    emit(100, "after");
    await flushed;
    await provider.shutdown();

    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    const count = (code: number) =>
      Number(
        new RegExp(
          `runtrace_collector_requests_total\\{signal="traces",code="${code}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(count(503)).toBeGreaterThan(1);
    expect(count(200)).toBeGreaterThan(0);
    expect(metrics).toMatch(/runtrace_writer_retries_total [1-9]/);
    const spans = await collector.ch.select<{ SpanId: string; n: number }>(
      "SELECT SpanId, toUInt32(count()) AS n FROM otel_traces WHERE ServiceName = 'outage-client' GROUP BY SpanId",
    );
    expect(spans.length).toBe(expected.size);
    expect(spans.every((s) => s.n === 1 && expected.has(s.SpanId))).toBe(true);
    const runs = await collector.ch.select<{ n: number; ids: number }>(
      "SELECT toUInt32(count()) AS n, toUInt32(uniqExact(execution_id)) AS ids FROM executions WHERE scope_id = 'outage'",
    );
    expect(runs).toEqual([{ n: 400, ids: 400 }]);
  });
});

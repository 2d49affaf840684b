import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.stop();
});

/** A request of the test's own (one run span), to see what an exporter sees. */
function postProbe(serviceName: string): Promise<Response> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return fetch(`${collector.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: "service.name", value: { stringValue: serviceName } }],
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
}

/** The real OTel SDK and OTLP/HTTP exporter, emitting runs and recording what they sent. */
function client(serviceName: string, scope: string) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
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
      const root = tracer.startSpan("executor.execution", {
        attributes: {
          "executor.execution.id": `${phase}-${i}`,
          "executor.scope.id": scope,
          "executor.execution.status": "completed",
        },
      });
      expected.add(root.spanContext().spanId);
      root.end();
    }
  };
  return { provider, emit, expected };
}

/** Requests the collector answered with `code`, from its /metrics. */
async function answered(code: number): Promise<number> {
  const metrics = await (await fetch(`${collector.url}/metrics`)).text();
  return Number(
    new RegExp(`runtrace_collector_requests_total\\{signal="traces",code="${code}"\\} (\\d+)`).exec(
      metrics,
    )?.[1] ?? 0,
  );
}

/** Each span of `serviceName` stored once, and exactly the ones sent. */
async function expectStoredOnce(serviceName: string, expected: Set<string>): Promise<void> {
  const spans = await collector.ch.select<{ SpanId: string; n: number }>(
    "SELECT SpanId, toUInt32(count()) AS n FROM otel_traces WHERE ServiceName = {s:String} GROUP BY SpanId",
    { s: serviceName },
  );
  expect(spans.length).toBe(expected.size);
  expect(spans.every((s) => s.n === 1 && expected.has(s.SpanId))).toBe(true);
}

describe("a ClickHouse outage in the middle of a stream", () => {
  it("answers 503 with Retry-After; the real exporter retries; every span is stored exactly once", async () => {
    const { provider, emit, expected } = client("outage-client", "outage");
    emit(100, "before");
    await provider.forceFlush();
    await collector.ch.command("DETACH TABLE executions");
    emit(200, "during");
    const flushed = provider.forceFlush();
    // A request of our own during the outage sees what the exporter sees.
    const probe = await postProbe("outage-probe");
    expect(probe.status).toBe(503);
    expect(Number(probe.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await probe.json()) as { code: number }).code).toBe(14);
    await new Promise((r) => setTimeout(r, 1_000));
    await collector.ch.command("ATTACH TABLE executions");
    emit(100, "after");
    await flushed;
    await provider.shutdown();

    expect(await answered(503)).toBeGreaterThan(1);
    expect(await answered(200)).toBeGreaterThan(0);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/runtrace_writer_retries_total [1-9]/);
    await expectStoredOnce("outage-client", expected);
    const runs = await collector.ch.select<{ n: number; ids: number }>(
      "SELECT toUInt32(count()) AS n, toUInt32(uniqExact(execution_id)) AS ids FROM executions WHERE scope_id = 'outage'",
    );
    expect(runs).toEqual([{ n: 400, ids: 400 }]);
  });

  it("an insert folder at its free-space reserve is an outage like any other: 503, then recovery, nothing lost", async () => {
    const files = collector.ch.insertFiles;
    if (!files) throw new Error("embedded ClickHouse writes batches through insert files");
    const reserve = files.reserveBytes;
    const { provider, emit, expected } = client("reserve-client", "reserve");
    emit(50, "before");
    await provider.forceFlush();
    const refusedBefore = await answered(503);
    // More than the folder's file system holds: no batch can be written.
    files.reserveBytes = Number.MAX_SAFE_INTEGER;
    emit(150, "during");
    const flushed = provider.forceFlush();
    const probe = await postProbe("reserve-probe");
    expect(probe.status).toBe(503);
    expect(Number(probe.headers.get("retry-after"))).toBeGreaterThan(0);
    const answer = (await probe.json()) as { code: number; message: string };
    expect(answer.code).toBe(14);
    expect(answer.message).toContain("RUNTRACE_INSERT_RESERVE_BYTES");
    expect(await answered(503)).toBeGreaterThan(refusedBefore);
    files.reserveBytes = reserve;
    emit(50, "after");
    await flushed;
    await provider.shutdown();
    await expectStoredOnce("reserve-client", expected);
    const runs = await collector.ch.select<{ n: number; ids: number }>(
      "SELECT toUInt32(count()) AS n, toUInt32(uniqExact(execution_id)) AS ids FROM executions WHERE scope_id = 'reserve'",
    );
    expect(runs).toEqual([{ n: 250, ids: 250 }]);
    // Every batch's file went with its insert, refused or stored.
    expect(files.files()).toEqual([]);
  });
});

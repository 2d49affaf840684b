import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickHouse, ClickHouseSpanExporter, selectRuns } from "../../src/index.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

describe("smoke", () => {
  it("stores a root execution span", async () => {
    const exporter = new ClickHouseSpanExporter({
      clickhouse: ch,
      writerOptions: { flushIntervalMillis: 10 },
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "smoke" }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("t");
    const span = tracer.startSpan("executor.execution", {
      attributes: {
        "executor.execution.id": "e1",
        "executor.scope.id": "s1",
        "executor.execution.code": "a\tb\n'c'",
      },
    });
    span.setAttribute("executor.execution.status", "completed");
    span.setAttribute("executor.execution.tool_call_count", 3);
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const runs = await selectRuns(ch, { scopeId: "s1" });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.code).toBe("a\tb\n'c'");
    // The root's own claim is kept apart; the count is of the tool spans stored (none here).
    expect(runs[0]!.reported_tool_call_count).toBe(3);
    expect(runs[0]!.tool_call_count).toBe(0);
    const traces = await ch.select<{ n: string }>("SELECT count() n FROM otel_traces");
    expect(Number(traces[0]!.n)).toBe(1);
  });
});

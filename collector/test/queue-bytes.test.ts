import { ConfigError } from "@runtrace/config";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCollectorConfig } from "../src/index.ts";

const MIB = 1024 * 1024;

let collector: RunningCollector;
beforeAll(async () => {
  // Requests here are about a third of the bound; none is larger than the body limit.
  collector = await startTestCollector({ maxQueueBytes: MIB, maxBodyBytes: MIB });
});
afterAll(async () => {
  await collector.stop();
});

/** An OTLP/JSON request of `n` run spans, each carrying `codeBytes` of code. */
function request(sender: number, index: number, n: number, codeBytes: number) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spanIds: string[] = [];
  const spans = Array.from({ length: n }, (_, i) => {
    const spanId = (sender * 1_000_000 + index * 1_000 + i + 1).toString(16).padStart(16, "0");
    spanIds.push(spanId);
    return {
      traceId: spanId.padStart(32, "a"),
      spanId,
      name: "executor.execution",
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_000_000n),
      attributes: [
        { key: "executor.execution.id", value: { stringValue: `bytes-${spanId}` } },
        { key: "executor.scope.id", value: { stringValue: "queue-bytes" } },
        { key: "executor.execution.status", value: { stringValue: "completed" } },
        { key: "executor.execution.code", value: { stringValue: "x".repeat(codeBytes) } },
      ],
    };
  });
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "bytes" } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
  return { body, spanIds };
}

describe("the write queue bounded in bytes (RUNTRACE_MAX_QUEUE_BYTES)", () => {
  it("answers 429 with Retry-After, before decoding, while large requests fill it, and stores every retried span once", async () => {
    const sent: string[] = [];
    let refused = 0;
    const send = async (sender: number) => {
      for (let index = 0; index < 4; index++) {
        // 20 spans × 16 KiB: about a third of the 1 MiB bound per request.
        const { body, spanIds } = request(sender, index, 20, 16 * 1024);
        for (let attempt = 1; ; attempt++) {
          const res = await fetch(`${collector.url}/v1/traces`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          if (res.status === 200) break;
          expect(res.status).toBe(429);
          expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
          // Refused before its body was decoded: the writer never had to refuse a decoded write
          // (its own refusal names the rows and bytes waiting).
          expect(((await res.json()) as { message: string }).message).toBe(
            "the write queue is full; retry later",
          );
          refused++;
          if (attempt > 200) throw new Error("still refused after 200 attempts");
          await new Promise((r) => setTimeout(r, 50));
        }
        sent.push(...spanIds);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, sender) => send(sender)));

    expect(refused).toBeGreaterThan(0);
    const stored = await collector.ch.select<{ SpanId: string; n: number }>(
      "SELECT SpanId, toUInt32(count()) AS n FROM otel_traces WHERE ServiceName = 'bytes' GROUP BY SpanId",
    );
    expect(stored.length).toBe(sent.length);
    expect(new Set(stored.map((s) => s.SpanId))).toEqual(new Set(sent));
    expect(stored.every((s) => s.n === 1)).toBe(true);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toContain("runtrace_writer_queue_bytes 0\n");
    expect(metrics).toMatch(
      /runtrace_collector_requests_total\{signal="traces",code="429"\} [1-9]/,
    );
  });
});

describe("RUNTRACE_MAX_QUEUE_BYTES configuration", () => {
  const resolve = (env: Record<string, string>) => resolveCollectorConfig({}, env);

  it("defaults to the body limit and refuses a bound below it, naming both", () => {
    expect(resolve({}).maxQueueBytes).toBe(64 * MIB);
    expect(resolve({ RUNTRACE_MAX_BODY_BYTES: String(MIB) }).maxQueueBytes).toBe(MIB);
    expect(
      resolve({ RUNTRACE_MAX_BODY_BYTES: String(MIB), RUNTRACE_MAX_QUEUE_BYTES: String(3 * MIB) })
        .maxQueueBytes,
    ).toBe(3 * MIB);
    const refused = () =>
      resolve({ RUNTRACE_MAX_BODY_BYTES: String(2 * MIB), RUNTRACE_MAX_QUEUE_BYTES: String(MIB) });
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(/RUNTRACE_MAX_QUEUE_BYTES.*below RUNTRACE_MAX_BODY_BYTES \(2097152\)/);
  });
});

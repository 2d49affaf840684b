import { deflateSync, gzipSync } from "node:zlib";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LIMIT = 1024 * 1024;
const TOKEN = "s3cret-token";
let collector: RunningCollector;

beforeAll(async () => {
  collector = await startTestCollector({ maxBodyBytes: LIMIT, ingestToken: TOKEN });
});
afterAll(async () => {
  await collector.stop();
});

const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
let counter = 0;

/** An OTLP/JSON request with the given spans, each a valid span unless overridden. */
function jsonRequest(spans: Record<string, unknown>[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "bad-input" } }] },
        scopeSpans: [{ scope: { name: "t" }, spans }],
      },
    ],
  });
}

function goodSpan(name = `good-${++counter}`): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: hex(32),
    spanId: hex(16),
    name,
    kind: 1,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  };
}

async function post(
  body: string | Uint8Array,
  headers: Record<string, string>,
  path = "/v1/traces",
) {
  const response = await fetch(`${collector.url}${path}`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
  });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

async function spanCount(name: string): Promise<number> {
  const rows = await collector.ch.select<{ n: number }>(
    "SELECT count() AS n FROM otel_traces WHERE SpanName = {name:String}",
    { name },
  );
  return rows[0]!.n;
}

/** After every bad request the collector must still store good data. */
async function stillAcceptsGoodData(): Promise<void> {
  const span = goodSpan();
  const response = await post(jsonRequest([span]), { "content-type": "application/json" });
  expect(response).toMatchObject({ status: 200, text: "{}" });
  expect(await spanCount(span.name as string)).toBe(1);
}

describe("bad input gets a clear error and loses nothing else", () => {
  it("truncated protobuf: 400 with a google.rpc.Status", async () => {
    // A Span field (2) announcing 200 bytes that never come, inside ResourceSpans.
    const truncated = Buffer.from([0x0a, 0x10, 0x12, 0x0e, 0x12, 0xc8, 0x01, 0x0a, 0x02]);
    const response = await post(truncated, { "content-type": "application/x-protobuf" });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/x-protobuf");
    expect(response.text.length).toBeGreaterThan(0);
    await stillAcceptsGoodData();
  });

  it("invalid JSON: 400 naming the problem", async () => {
    const response = await post('{"resourceSpans": [', { "content-type": "application/json" });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ code: 3, message: expect.any(String) });
    await stillAcceptsGoodData();
  });

  it("a wrong content type: 415", async () => {
    const response = await post("hello", { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    expect(JSON.parse(response.text).message).toMatch(
      /application\/x-protobuf or application\/json/,
    );
    await stillAcceptsGoodData();
  });

  it("a body over the limit: 413", async () => {
    const response = await post(jsonRequest([{ ...goodSpan(), name: "x".repeat(LIMIT) }]), {
      "content-type": "application/json",
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).message).toMatch(/RUNTRACE_MAX_BODY_BYTES/);
    await stillAcceptsGoodData();
  });

  it("a gzip bomb: 413 without inflating it into memory", async () => {
    // 16 KB that inflate to 16 MiB, 16 times the limit.
    const bomb = gzipSync(Buffer.alloc(16 * LIMIT), { level: 9 });
    expect(bomb.length).toBeLessThan(32 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 3; i++) {
      const response = await post(bomb, {
        "content-type": "application/json",
        "content-encoding": "gzip",
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.text).message).toMatch(/once decompressed/);
    }
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    expect(grownMb).toBeLessThan(40);
    await stillAcceptsGoodData();
  });

  it("gzip and deflate bodies are accepted", async () => {
    for (const encoding of ["gzip", "deflate"]) {
      const span = goodSpan();
      const body =
        encoding === "gzip" ? gzipSync(jsonRequest([span])) : deflateSync(jsonRequest([span]));
      const response = await post(body, {
        "content-type": "application/json",
        "content-encoding": encoding,
      });
      expect(response.status).toBe(200);
      expect(await spanCount(span.name as string)).toBe(1);
    }
  });

  it("a span with a 3-byte trace id is rejected and counted, its siblings stored", async () => {
    const bad = { ...goodSpan("short-trace-id"), traceId: "abcdef" };
    const siblings = [goodSpan("sibling-a"), goodSpan("sibling-b")];
    const response = await post(jsonRequest([siblings[0]!, bad, siblings[1]!]), {
      "content-type": "application/json",
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      partialSuccess: { rejectedSpans: "1", errorMessage: "rejected spans: 1 invalid trace id" },
    });
    expect(await spanCount("sibling-a")).toBe(1);
    expect(await spanCount("sibling-b")).toBe(1);
    expect(await spanCount("short-trace-id")).toBe(0);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toContain(
      'runtrace_collector_spans_rejected_total{reason="invalid_trace_id"} 1',
    );
    await stillAcceptsGoodData();
  });

  it("a missing or wrong bearer token: 401", async () => {
    const response = await fetch(`${collector.url}/v1/traces`, {
      method: "POST",
      body: jsonRequest([goodSpan()]),
      headers: { "content-type": "application/json", authorization: "Bearer nope" },
    });
    expect(response.status).toBe(401);
    await stillAcceptsGoodData();
  });

  it("logs: a clear 501, not a pretend 200", async () => {
    const response = await post("{}", { "content-type": "application/json" }, "/v1/logs");
    expect(response.status).toBe(501);
    expect(JSON.parse(response.text).message).toMatch(/not logs/);
  });

  it("serves health, readiness and Prometheus metrics", async () => {
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/runtrace_collector_spans_accepted_total \d+/);
    expect(metrics).toMatch(/runtrace_writer_queue_rows 0/);
    expect(metrics).toMatch(/runtrace_clickhouse_active_parts\{table="otel_traces"\} \d+/);
    expect(metrics).toMatch(/runtrace_collector_requests_total\{signal="traces",code="400"\} 2/);
  });
});

/**
 * OTLP/gRPC with the same guarantees as OTLP/HTTP: answered only once stored, UNAVAILABLE with
 * a RetryInfo detail during an outage (then stored once when sent again), INVALID_ARGUMENT for a
 * malformed message, RESOURCE_EXHAUSTED above the size limit (a gzip bomb included) before
 * decoding, UNAUTHENTICATED without the token — the process stays up and good data after is
 * stored. Calls go through grpc-js's client with the bytes the test encoded itself.
 */
import { status } from "@grpc/grpc-js";
import { type GrpcListening, listenGrpc } from "@runtrace/collector";
import { encodeTracesData, type OtlpSpan } from "@runtrace/otlp";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import {
  type OtlpGrpcClient,
  otlpGrpcClient,
  retryDelayMillis,
} from "@runtrace/testkit-harness/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LIMIT = 1024 * 1024;
const TOKEN = "grpc-secret";

let collector: RunningCollector;
let grpc: GrpcListening;
const clients: OtlpGrpcClient[] = [];

beforeAll(async () => {
  collector = await startTestCollector({ maxBodyBytes: LIMIT, ingestToken: TOKEN });
  grpc = await listenGrpc(collector.collector.grpc, 0, "127.0.0.1");
});
afterAll(async () => {
  for (const c of clients) c.close();
  await grpc?.close();
  await collector?.stop();
});

function client(address: string, gzip = false): OtlpGrpcClient {
  const c = otlpGrpcClient(address, { gzip });
  clients.push(c);
  return c;
}

function exportCall(c: OtlpGrpcClient, body: Uint8Array, token: string | null = TOKEN) {
  return c.exportTraces(body, token);
}

let spanCounter = 0;
function span(executionId: string): OtlpSpan {
  spanCounter++;
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: `${"e".repeat(24)}${spanCounter.toString(16).padStart(8, "0")}`,
    spanId: `${"f".repeat(8)}${spanCounter.toString(16).padStart(8, "0")}`,
    name: "executor.execution",
    kind: 1,
    startTimeUnixNano: String(now - 1_000_000n),
    endTimeUnixNano: String(now),
    attributes: [
      { key: "executor.execution.id", value: { stringValue: executionId } },
      { key: "executor.scope.id", value: { stringValue: "grpc" } },
      { key: "executor.execution.status", value: { stringValue: "completed" } },
    ],
    events: [],
    links: [],
    status: { code: 0 },
  };
}

function request(service: string, spans: OtlpSpan[]): Uint8Array {
  return encodeTracesData({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: "grpc-test" }, spans }],
      },
    ],
  });
}

/** Distinct span ids stored for the service, and how many rows they have. */
async function stored(service: string): Promise<{ ids: number; rows: number }> {
  const [row] = await collector.ch.select<{ ids: number; rows: number }>(
    "SELECT toUInt32(uniqExact(SpanId)) AS ids, toUInt32(count()) AS rows FROM otel_traces WHERE ServiceName = {s:String}",
    { s: service },
  );
  return row ?? { ids: 0, rows: 0 };
}

/** A good request right after: stored, so the collector stayed up and kept working. */
async function stillAcceptsGoodData(): Promise<void> {
  const service = `good-after-${spanCounter}`;
  const answer = await exportCall(client(grpc.address), request(service, [span("good")]));
  expect(answer.error).toBeNull();
  expect(await stored(service)).toEqual({ ids: 1, rows: 1 });
}

describe("OTLP/gRPC", () => {
  it("stores a request and answers an empty ExportTraceServiceResponse", async () => {
    const answer = await exportCall(
      client(grpc.address),
      request("grpc-ok", [span("a"), span("b")]),
    );
    expect(answer.error).toBeNull();
    expect(answer.response?.length).toBe(0);
    expect(await stored("grpc-ok")).toEqual({ ids: 2, rows: 2 });
  });

  it("gzip-compressed requests are accepted", async () => {
    const answer = await exportCall(client(grpc.address, true), request("grpc-gzip", [span("g")]));
    expect(answer.error).toBeNull();
    expect(await stored("grpc-gzip")).toEqual({ ids: 1, rows: 1 });
  });

  it("partial success: a span with a bad trace id is rejected and counted, its sibling stored", async () => {
    const bad = { ...span("bad"), traceId: "abc" };
    const answer = await exportCall(
      client(grpc.address),
      request("grpc-partial", [bad, span("ok")]),
    );
    expect(answer.error).toBeNull();
    // ExportTraceServiceResponse{partial_success(1){rejected_spans(1): 1, error_message(2)}}
    const body = answer.response!;
    expect(body[0]).toBe(0x0a);
    expect(body[2]).toBe(0x08);
    expect(body[3]).toBe(1);
    expect(body.toString("utf8")).toMatch(/invalid trace id/);
    expect(await stored("grpc-partial")).toEqual({ ids: 1, rows: 1 });
  });

  it("a missing or wrong bearer token: UNAUTHENTICATED, nothing stored", async () => {
    for (const token of [null, "wrong"]) {
      const answer = await exportCall(
        client(grpc.address),
        request("grpc-noauth", [span("x")]),
        token,
      );
      expect(answer.error?.code).toBe(status.UNAUTHENTICATED);
      expect(answer.error?.details).toMatch(/bearer token/);
    }
    expect(await stored("grpc-noauth")).toEqual({ ids: 0, rows: 0 });
    await stillAcceptsGoodData();
  });

  it("a truncated message: INVALID_ARGUMENT naming the problem", async () => {
    const whole = request("grpc-truncated", [span("t")]);
    const answer = await exportCall(client(grpc.address), whole.subarray(0, whole.length - 7));
    expect(answer.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(answer.error?.details.length).toBeGreaterThan(10);
    expect(await stored("grpc-truncated")).toEqual({ ids: 0, rows: 0 });
    await stillAcceptsGoodData();
  });

  it("a message that is not an export request: INVALID_ARGUMENT or every span refused", async () => {
    const answer = await exportCall(
      client(grpc.address),
      Buffer.from("definitely not protobuf \xff\xff"),
    );
    expect(answer.error?.code).toBe(status.INVALID_ARGUMENT);
    await stillAcceptsGoodData();
  });

  it("a message over the limit: RESOURCE_EXHAUSTED before it is decoded", async () => {
    const big = { ...span("big"), name: "x".repeat(LIMIT) };
    const answer = await exportCall(client(grpc.address), request("grpc-big", [big]));
    expect(answer.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(answer.error?.details).toMatch(/larger than max/i);
    expect(await stored("grpc-big")).toEqual({ ids: 0, rows: 0 });
    await stillAcceptsGoodData();
  });

  it("a gzip bomb: RESOURCE_EXHAUSTED without inflating it into memory", async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 3; i++) {
      const answer = await exportCall(client(grpc.address, true), Buffer.alloc(16 * LIMIT));
      expect(answer.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    }
    // The client side holds the 16 MiB buffers; the server must not add 3 × 16 MiB of its own.
    expect((process.memoryUsage().rss - before) / 1024 / 1024).toBeLessThan(120);
    await stillAcceptsGoodData();
  });

  it("a ClickHouse outage: UNAVAILABLE with RetryInfo, then the same request stored once", async () => {
    const body = request("grpc-outage", [span("o1"), span("o2")]);
    await collector.ch.command("DETACH TABLE executions");
    let answer: Awaited<ReturnType<typeof exportCall>>;
    try {
      answer = await exportCall(client(grpc.address), body);
    } finally {
      await collector.ch.command("ATTACH TABLE executions");
    }
    expect(answer.error?.code).toBe(status.UNAVAILABLE);
    expect(retryDelayMillis(answer.error!)).toBeGreaterThan(0);
    const again = await exportCall(client(grpc.address), body);
    expect(again.error).toBeNull();
    const [row] = await collector.ch.select<{ ids: number; rows: number }>(
      "SELECT toUInt32(uniqExact(SpanId)) AS ids, toUInt32(count()) AS rows FROM otel_traces FINAL WHERE ServiceName = 'grpc-outage'",
    );
    expect(row).toEqual({ ids: 2, rows: 2 });
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(
      /runtrace_collector_grpc_requests_total\{signal="traces",code="UNAVAILABLE"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /runtrace_collector_grpc_requests_total\{signal="traces",code="OK"\} [1-9]/,
    );
  });
});

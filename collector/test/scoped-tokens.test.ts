/**
 * Ingest tokens bound to scopes (RUNTRACE_INGEST_TOKENS), over OTLP/HTTP and OTLP/gRPC alike:
 * a token's own scope is stored, another scope is refused and counted (partial success, the rest
 * of the request stored), a `*` token writes anywhere, the single RUNTRACE_INGEST_TOKEN still
 * writes every scope, a run span without a scope lands in a one-scope token's scope and is
 * refused for a token of several, and no token is 401 / UNAUTHENTICATED. Expected counts come
 * from the spans the test sent.
 */
import { status } from "@grpc/grpc-js";
import { type GrpcListening, listenGrpc } from "@runtrace/collector";
import { encodeTracesData, type OtlpSpan } from "@runtrace/otlp";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { type OtlpGrpcClient, otlpGrpcClient } from "@runtrace/testkit-harness/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let collector: RunningCollector;
let grpc: GrpcListening;
let grpcClient: OtlpGrpcClient;

const SINGLE = "the-old-single-token";

beforeAll(async () => {
  collector = await startTestCollector({
    ingestToken: SINGLE,
    ingestTokens: new Map<string, readonly string[] | null>([
      ["tok-acme", ["acme"]],
      ["tok-two", ["acme", "globex"]],
      ["tok-all", null],
    ]),
  });
  grpc = await listenGrpc(collector.collector.grpc, 0, "127.0.0.1");
  grpcClient = otlpGrpcClient(grpc.address);
});
afterAll(async () => {
  grpcClient?.close();
  await grpc?.close();
  await collector?.stop();
});

let n = 0;
/** A run span (or, without `execution`, a plain span) in `scope` ("" for none). */
function span(scope: string, execution = true): OtlpSpan {
  n++;
  const now = BigInt(Date.now()) * 1_000_000n;
  const attributes = [];
  if (execution) {
    attributes.push(
      { key: "executor.execution.id", value: { stringValue: `run-${n}` } },
      { key: "executor.execution.status", value: { stringValue: "completed" } },
    );
  }
  if (scope) attributes.push({ key: "executor.scope.id", value: { stringValue: scope } });
  return {
    traceId: `${"a".repeat(24)}${n.toString(16).padStart(8, "0")}`,
    spanId: `${"b".repeat(8)}${n.toString(16).padStart(8, "0")}`,
    name: execution ? "executor.execution" : "http.get",
    kind: 1,
    startTimeUnixNano: String(now - 1_000_000n),
    endTimeUnixNano: String(now),
    attributes,
    events: [],
    links: [],
    status: { code: 0 },
  };
}

function body(service: string, spans: OtlpSpan[]): Uint8Array {
  return encodeTracesData({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: "scoped" }, spans }],
      },
    ],
  });
}

interface Sent {
  /** 200 / 0 (OK), or the refusal. */
  ok: boolean;
  code: number;
  rejected: number;
  message: string;
}

/** `rejected_spans` and `error_message` of an ExportTraceServiceResponse. */
function partialSuccess(response: Uint8Array): { rejected: number; message: string } {
  if (response.length === 0) return { rejected: 0, message: "" };
  // {1: {1: varint rejected, 2: string message}}
  const inner = response.subarray(2);
  let rejected = 0;
  let i = 0;
  if (inner[i] === 0x08) {
    rejected = inner[i + 1]!;
    i += 2;
  }
  const message = inner[i] === 0x12 ? Buffer.from(inner.subarray(i + 2)).toString("utf8") : "";
  return { rejected, message };
}

async function viaHttp(token: string | null, payload: Uint8Array): Promise<Sent> {
  const response = await fetch(`${collector.url}/v1/traces`, {
    method: "POST",
    headers: {
      "content-type": "application/x-protobuf",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: payload,
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { ok: response.status === 200, code: response.status, ...partialSuccess(bytes) };
}

async function viaGrpc(token: string | null, payload: Uint8Array): Promise<Sent> {
  const { error, response } = await grpcClient.exportTraces(payload, token);
  return error
    ? { ok: false, code: error.code, rejected: 0, message: error.details }
    : { ok: true, code: status.OK, ...partialSuccess(response ?? Buffer.alloc(0)) };
}

/** The run spans stored for a service, by scope. */
async function storedScopes(service: string): Promise<Record<string, number>> {
  const rows = await collector.ch.select<{ scope: string; n: number }>(
    `SELECT SpanAttributes['executor.scope.id'] AS scope, toUInt32(uniqExact(SpanId)) AS n
     FROM otel_traces WHERE ServiceName = {s:String} GROUP BY scope ORDER BY scope`,
    { s: service },
  );
  return Object.fromEntries(rows.map((r) => [r.scope, r.n]));
}

/** The runs stored for a service's spans, by scope (the run tables). */
async function runScopes(service: string): Promise<Record<string, number>> {
  const rows = await collector.ch.select<{ scope: string; n: number }>(
    `SELECT scope_id AS scope, toUInt32(uniqExact(execution_id)) AS n FROM executions FINAL
     WHERE service_name = {s:String} GROUP BY scope ORDER BY scope`,
    { s: service },
  );
  return Object.fromEntries(rows.map((r) => [r.scope, r.n]));
}

describe.each([
  ["OTLP/HTTP", "http", viaHttp],
  ["OTLP/gRPC", "grpc", viaGrpc],
] as const)("scoped ingest tokens over %s", (_name, transport, send) => {
  it("stores a token's own scope", async () => {
    const service = `${transport}-own`;
    const sent = await send("tok-acme", body(service, [span("acme"), span("acme")]));
    expect(sent).toMatchObject({ ok: true, rejected: 0 });
    expect(await storedScopes(service)).toEqual({ acme: 2 });
  });

  it("refuses and counts another scope; the rest of the request is stored", async () => {
    const service = `${transport}-mixed`;
    const sent = await send(
      "tok-acme",
      body(service, [span("acme"), span("globex"), span("initech"), span("acme")]),
    );
    expect(sent.ok).toBe(true);
    expect(sent.rejected).toBe(2);
    expect(sent.message).toContain("2 naming a scope this token may not write");
    expect(await storedScopes(service)).toEqual({ acme: 2 });
    expect(await runScopes(service)).toEqual({ acme: 2 });
  });

  it("a token of several scopes writes each of them", async () => {
    const service = `${transport}-two`;
    const sent = await send("tok-two", body(service, [span("acme"), span("globex")]));
    expect(sent).toMatchObject({ ok: true, rejected: 0 });
    expect(await storedScopes(service)).toEqual({ acme: 1, globex: 1 });
  });

  it("`*` and the single RUNTRACE_INGEST_TOKEN write every scope", async () => {
    for (const token of ["tok-all", SINGLE]) {
      const service = `${transport}-${token}`;
      const sent = await send(token, body(service, [span("acme"), span("anything")]));
      expect(sent, token).toMatchObject({ ok: true, rejected: 0 });
      expect(await storedScopes(service), token).toEqual({ acme: 1, anything: 1 });
    }
  });

  it("a run span without a scope: the one-scope token's scope; refused for a token of several", async () => {
    const single = `${transport}-unscoped-1`;
    expect(await send("tok-acme", body(single, [span("")]))).toMatchObject({
      ok: true,
      rejected: 0,
    });
    expect(await runScopes(single)).toEqual({ acme: 1 });
    const several = `${transport}-unscoped-2`;
    const sent = await send("tok-two", body(several, [span(""), span("globex")]));
    expect(sent).toMatchObject({ ok: true, rejected: 1 });
    expect(sent.message).toContain("without executor.scope.id");
    expect(await runScopes(several)).toEqual({ globex: 1 });
  });

  it("a span that is no part of a run is stored as it came", async () => {
    const service = `${transport}-plain`;
    const sent = await send("tok-two", body(service, [span("", false)]));
    expect(sent).toMatchObject({ ok: true, rejected: 0 });
    expect(await storedScopes(service)).toEqual({ "": 1 });
  });

  it("no token, or an unknown one: refused, nothing stored", async () => {
    const service = `${transport}-noauth`;
    for (const token of [null, "tok-unknown"]) {
      const sent = await send(token, body(service, [span("acme")]));
      expect(sent.ok, String(token)).toBe(false);
      expect(sent.code, String(token)).toBe(transport === "http" ? 401 : status.UNAUTHENTICATED);
    }
    expect(await storedScopes(service)).toEqual({});
  });
});

it("counts the refusals by reason on /metrics", async () => {
  const metrics = await (await fetch(`${collector.url}/metrics`)).text();
  // Each transport: 2 spans naming another scope, 1 scope-less run span of a two-scope token.
  expect(metrics).toMatch(
    /runtrace_collector_spans_rejected_total\{reason="scope_not_allowed"\} 4/,
  );
  expect(metrics).toMatch(/runtrace_collector_spans_rejected_total\{reason="scope_missing"\} 2/);
});

it("metric points naming another scope are refused and counted, the others stored", async () => {
  const now = String(BigInt(Date.now()) * 1_000_000n);
  const point = (scope: string | null, value: number) => ({
    asInt: String(value),
    startTimeUnixNano: now,
    timeUnixNano: now,
    attributes: scope ? [{ key: "executor.scope.id", value: { stringValue: scope } }] : [],
  });
  const response = await fetch(`${collector.url}/v1/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer tok-acme" },
    body: JSON.stringify({
      resourceMetrics: [
        {
          resource: {
            attributes: [{ key: "service.name", value: { stringValue: "scoped-metrics" } }],
          },
          scopeMetrics: [
            {
              scope: { name: "m" },
              metrics: [
                {
                  name: "executor.execution.outcomes",
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [point("acme", 1), point("globex", 2), point(null, 3)],
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ partialSuccess: { rejectedDataPoints: "1" } });
  const stored = await collector.ch.select<{ v: number }>(
    "SELECT Value AS v FROM otel_metrics_sum WHERE ServiceName = 'scoped-metrics' ORDER BY v",
  );
  // acme's point and the point that names no scope.
  expect(stored.map((r) => r.v)).toEqual([1, 3]);
  const metrics = await (await fetch(`${collector.url}/metrics`)).text();
  expect(metrics).toMatch(
    /runtrace_collector_metric_points_scope_rejected_total\{reason="scope_not_allowed"\} 1/,
  );
});

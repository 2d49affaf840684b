import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createCollector, type Listening, listen } from "@runtrace/collector";
import { createExecutionRecorder } from "@runtrace/sdk";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { contractCheck } from "./contract-check.ts";

/**
 * Jaeger's Monitor-tab API (`/api/metrics/…`) over spans sent with the real OpenTelemetry SDK
 * to a real collector on embedded ClickHouse. Every span's service, name, kind, start, duration
 * and status is set here and kept in `sent`; the expected answers are computed from that record
 * (and a few spelled out by hand), never read back from ClickHouse.
 */

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Body = any;

const FRONTEND = "shop-frontend";
const PAYMENTS = "shop-payments";
const SANDBOX = "shop-sandbox";
/** Rows as the OpenTelemetry Collector's ClickHouse exporter writes them, not runtrace's writer. */
const EXPORTED = "otelcol-exported";
const MINUTE = 60_000;

/** The kinds sent through the SDK; OTel's JS API has no "unspecified". */
type SdkKind = "server" | "client" | "internal";
type Kind = SdkKind | "unspecified";
interface Sent {
  service: string;
  name: string;
  kind: Kind;
  /** Epoch ms. */
  start: number;
  durationMs: number;
  error: boolean;
}

const sent: Sent[] = [];
let collector: RunningCollector;
let api: Listening;
let scoped: Listening;
const providers: BasicTracerProvider[] = [];
/** Every span the providers exported, to deliver each a second time. */
const delivered = new InMemorySpanExporter();

/**
 * A whole minute two hours ago: the main window is the five minutes before it, buckets b(0)…b(4)
 * of one minute each. Spans just outside it (before b(0), at E) must never count.
 */
const E = Math.floor((Date.now() - 2 * 3_600_000) / MINUTE) * MINUTE;
const b = (k: number) => E - 5 * MINUTE + k * MINUTE;
/** Half an hour before the tests start: inside the default window (the last hour). */
const RECENT = Date.now() - 30 * MINUTE;

const OTEL_KIND = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

function provider(url: string, service: string) {
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }), {
        scheduledDelayMillis: 20,
      }),
      new SimpleSpanProcessor(delivered),
    ],
  });
  providers.push(p);
  return p;
}

function send(tracer: Tracer, span: Sent & { kind: SdkKind }) {
  const s = tracer.startSpan(span.name, { kind: OTEL_KIND[span.kind], startTime: span.start });
  if (span.error) s.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
  else s.setStatus({ code: SpanStatusCode.OK });
  s.end(span.start + span.durationMs);
  sent.push(span);
  return s;
}

function exportOnce(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) =>
    exporter.export(spans, (result) =>
      result.code === 0 ? resolve() : reject(result.error ?? new Error("export failed")),
    ),
  );
}

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  collector = await startTestCollector();
  const frontend = provider(collector.url, FRONTEND).getTracer("shop");
  const payments = provider(collector.url, PAYMENTS).getTracer("shop");
  const sandboxProvider = provider(collector.url, SANDBOX);

  const fe = (name: string, kind: SdkKind, start: number, durationMs: number, error = false) =>
    send(frontend, { service: FRONTEND, name, kind, start, durationMs, error });
  const pay = (name: string, kind: SdkKind, start: number, durationMs: number, error = false) =>
    send(payments, { service: PAYMENTS, name, kind, start, durationMs, error });

  // b0: three fast cart reads, 0.6 s apart (the sub-second step tests split them).
  fe("GET /cart", "server", b(0), 100);
  fe("GET /cart", "server", b(0) + 600, 100);
  fe("GET /cart", "server", b(0) + 1200, 100);
  // b1: payments fail twice.
  pay("charge", "server", b(1) + 1000, 80, true);
  pay("charge", "server", b(1) + 2000, 80, true);
  // b2: cart reads (one fails) and four checkouts of 10, 20, 30, 40 ms (the 20 ms one fails);
  // a client call and, under the first checkout, a run of scope-m.
  fe("GET /cart", "server", b(2) + 1000, 200);
  fe("GET /cart", "server", b(2) + 2000, 200, true);
  const checkout = fe("POST /checkout", "server", b(2) + 3000, 10);
  fe("POST /checkout", "server", b(2) + 4000, 20, true);
  fe("POST /checkout", "server", b(2) + 5000, 30);
  fe("POST /checkout", "server", b(2) + 6000, 40);
  fe("POST /charge", "client", b(2) + 7000, 150, true);
  // b3: an internal span (not a call by default), a payment, a client call of payments.
  fe("render", "internal", b(3) + 1000, 5);
  pay("charge", "server", b(3) + 1000, 80);
  pay("POST /ledger", "client", b(3) + 2000, 30);
  // b4: one cart read, 10 s into the minute.
  fe("GET /cart", "server", b(4) + 10_000, 50);
  // Just outside the window on both sides.
  fe("GET /cart", "server", b(0) - 1, 999, true);
  fe("GET /cart", "server", E, 1, true);
  // Inside the default window.
  fe("GET /health", "server", RECENT, 3);

  // The run: its root and state spans are the sandbox's (internal); its trace holds the first
  // checkout, so a scope-m token sees that one frontend span and no other.
  let clock = b(2) + 3001;
  const recorder = createExecutionRecorder({
    tracer: sandboxProvider.getTracer("shop-sandbox"),
    now: () => clock,
    runtime: "quickjs",
  });
  const run = context.with(trace.setSpan(ROOT_CONTEXT, checkout), () =>
    recorder.create({ scopeId: "scope-m", code: "checkout()" }),
  );
  clock = b(2) + 3008;
  run.complete({ ok: true });
  sent.push({
    service: SANDBOX,
    name: "executor.execution",
    kind: "internal",
    start: b(2) + 3001,
    durationMs: 7,
    error: false,
  });

  await Promise.all(providers.map((p) => p.forceFlush()));
  // Every span again, in another order and other requests, through a second collector on the
  // same store (its writer has not seen them), with merges stopped so the copies stay: the
  // answers below are those of one delivery.
  await collector.ch.command("SYSTEM STOP MERGES otel_traces");
  const second = createCollector(collector.ch, { port: 0, host: "127.0.0.1" });
  const secondServer = await listen(second.app, 0, "127.0.0.1");
  const again = new OTLPTraceExporter({ url: `${secondServer.url}/v1/traces` });
  const spans = [...delivered.getFinishedSpans()].sort((x, y) =>
    x.spanContext().spanId.localeCompare(y.spanContext().spanId),
  );
  for (let i = 0; i < spans.length; i += 4) await exportOnce(again, spans.slice(i, i + 4));
  await again.shutdown();
  await secondServer.close();
  await second.close();

  // Another writer's rows: kinds and statuses spelled `Server`, `Error` and "" (unspecified),
  // and a state span, which runtrace's own writer never stores in otel_traces.
  const exported = [
    { name: "GET /x", kind: "Server", start: b(1) + 1000, durationMs: 40, status: "Error" },
    { name: "GET /x", kind: "Server", start: b(1) + 2000, durationMs: 60, status: "Ok" },
    { name: "job", kind: "", start: b(1) + 4000, durationMs: 5, status: "Unset" },
  ];
  const state = { name: SPAN_EXECUTION_STATE, kind: "Server", start: b(1) + 3000 };
  // Each row twice: copies the table has not merged yet count once.
  const rows = [...exported, { ...state, durationMs: 1, status: "Ok" }];
  for (const [i, row] of [...rows, ...rows].map((r, n) => [n % rows.length, r] as const)) {
    await collector.ch.command(
      `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, SpanKind, ServiceName,
         Duration, StatusCode)
       VALUES (fromUnixTimestamp64Milli({start:Int64}), {traceId:String}, {spanId:String},
         {name:String}, {kind:String}, {service:String}, {duration:UInt64}, {status:String})`,
      {
        start: row.start,
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: `eee19b7ec3c1b17${i}`,
        name: row.name,
        kind: row.kind,
        service: EXPORTED,
        duration: row.durationMs * 1_000_000,
        status: row.status,
      },
    );
  }
  for (const row of exported) {
    sent.push({
      service: EXPORTED,
      name: row.name,
      kind: row.kind === "" ? "unspecified" : "server",
      start: row.start,
      durationMs: row.durationMs,
      error: row.status === "Error",
    });
  }

  api = await listen(
    createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: collector.ch }),
    0,
    "127.0.0.1",
  );
  scoped = await listen(
    createQueryApiApp({
      checkAnswer: contractCheck(),
      clickhouse: collector.ch,
      apiTokens: new Map([
        ["tok-m", ["scope-m"]],
        ["tok-x", ["scope-x"]],
        ["tok-all", null],
      ]),
    }),
    0,
    "127.0.0.1",
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  await scoped?.close();
  await Promise.all(providers.map((p) => p.shutdown()));
  await collector?.stop();
  context.disable();
});

async function get(path: string, token?: string) {
  const server = token === undefined ? api : scoped;
  const res = await fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    text,
    body: JSON.parse(text),
  };
}

/** A 200 answer: a bare MetricFamily. */
async function family(path: string, token?: string): Promise<Body> {
  const { status, type, body } = await get(path, token);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(type).toBe("application/json");
  expect(Object.keys(body).sort()).toEqual(["help", "metrics", "name", "type"]);
  expect(body.type).toBe("GAUGE");
  return body;
}

/** A 400 in Jaeger's envelope. */
async function badRequest(path: string, msg: string) {
  const { status, body } = await get(path);
  expect(status).toBe(400);
  expect(body).toEqual({
    data: null,
    total: 0,
    limit: 0,
    offset: 0,
    errors: [{ code: 400, msg }],
  });
}

const MAIN = `endTs=${E}&lookback=${5 * MINUTE}&step=${MINUTE}`;
const MAIN_TIMES = [0, 1, 2, 3, 4].map((k) => new Date(b(k)).toISOString().replace(".000Z", "Z"));

type Expected = number | "NaN";

interface Grid {
  first: number;
  step: number;
  count: number;
  end: number;
}
const MAIN_GRID: Grid = { first: b(0), step: MINUTE, count: 5, end: E };

/** ClickHouse's `quantile` on few values: linear between the neighbours of q·(n−1), sorted. */
function quantileOf(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const index = q * (sorted.length - 1);
  const i = Math.floor(index);
  const frac = index - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - frac) + sorted[i + 1]! * frac : sorted[i]!;
}

/** What each bucket of `grid` should show for the spans of `sent` that `match`. */
function expected(
  measure: "calls" | "errors" | number,
  match: (s: Sent) => boolean,
  grid: Grid = MAIN_GRID,
): Expected[] {
  return Array.from({ length: grid.count }, (_, k) => {
    const start = grid.first + k * grid.step;
    const end = Math.min(start + grid.step, grid.end);
    const spans = sent.filter((s) => match(s) && s.start >= start && s.start < end);
    if (measure === "calls") return spans.length / ((end - start) / 1000);
    if (spans.length === 0) return "NaN";
    if (measure === "errors") return spans.filter((s) => s.error).length / spans.length;
    return quantileOf(
      spans.map((s) => s.durationMs),
      measure,
    );
  });
}

const of =
  (service: string, kinds: Kind[] = ["server"], name?: string) =>
  (s: Sent) =>
    s.service === service && kinds.includes(s.kind) && (name === undefined || s.name === name);

const values = (metric: Body): Expected[] =>
  metric.metricPoints.map((p: Body) => p.gaugeValue.doubleValue);
const times = (metric: Body): string[] => metric.metricPoints.map((p: Body) => p.timestamp);
const labels = (body: Body) => body.metrics.map((m: Body) => m.labels);

function expectValues(metric: Body, want: Expected[]) {
  const got = values(metric);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (w === "NaN") expect(got[i], `point ${i}`).toBe("NaN");
    else expect(got[i], `point ${i}`).toBeCloseTo(w, 9);
  });
}

const service = (name: string) => [{ name: "service_name", value: name }];
const operation = (svc: string, op: string) => [
  { name: "service_name", value: svc },
  { name: "operation", value: op },
];

describe("GET /api/metrics/calls", () => {
  it("answers calls per second per step-aligned bucket, 0 in buckets without calls", async () => {
    const body = await family(`/api/metrics/calls?service=${FRONTEND}&${MAIN}`);
    expect(body.name).toBe("service_call_rate");
    expect(body.help).toBe("calls/sec, grouped by service");
    expect(labels(body)).toEqual([service(FRONTEND)]);
    const [metric] = body.metrics;
    expect(times(metric)).toEqual(MAIN_TIMES);
    // 3, 0, 6 (the client and internal spans are not server calls), 0, 1 in one-minute buckets.
    expectValues(metric, [3 / 60, 0, 6 / 60, 0, 1 / 60]);
    expectValues(metric, expected("calls", of(FRONTEND)));
  });

  it("groups by operation: service_operation_call_rate, labels service_name then operation", async () => {
    const body = await family(
      `/api/metrics/calls?service=${FRONTEND}&${MAIN}&groupByOperation=true`,
    );
    expect(body.name).toBe("service_operation_call_rate");
    expect(body.help).toBe("calls/sec, grouped by service & operation");
    expect(labels(body)).toEqual([
      operation(FRONTEND, "GET /cart"),
      operation(FRONTEND, "POST /checkout"),
    ]);
    expectValues(body.metrics[0], [3 / 60, 0, 2 / 60, 0, 1 / 60]);
    expectValues(body.metrics[1], expected("calls", of(FRONTEND, ["server"], "POST /checkout")));
    for (const m of body.metrics) expect(times(m)).toEqual(MAIN_TIMES);
  });

  it("takes several services, one series each", async () => {
    const body = await family(`/api/metrics/calls?service=${PAYMENTS}&service=${FRONTEND}&${MAIN}`);
    expect(labels(body)).toEqual([service(FRONTEND), service(PAYMENTS)]);
    expectValues(body.metrics[0], expected("calls", of(FRONTEND)));
    expectValues(body.metrics[1], [0, 2 / 60, 0, 1 / 60, 0]);
    expectValues(body.metrics[1], expected("calls", of(PAYMENTS)));
  });

  it("filters by span kind: server by default, client, internal, repeated, any case", async () => {
    const client = await family(`/api/metrics/calls?service=${FRONTEND}&${MAIN}&spanKind=client`);
    expectValues(client.metrics[0], [0, 0, 1 / 60, 0, 0]);
    const both = await family(
      `/api/metrics/calls?service=${FRONTEND}&service=${PAYMENTS}&${MAIN}&spanKind=server&spanKind=client`,
    );
    expectValues(both.metrics[0], expected("calls", of(FRONTEND, ["server", "client"])));
    expectValues(both.metrics[0], [3 / 60, 0, 7 / 60, 0, 1 / 60]);
    expectValues(both.metrics[1], expected("calls", of(PAYMENTS, ["server", "client"])));
    const internal = await family(
      `/api/metrics/calls?service=${FRONTEND}&${MAIN}&spanKind=internal`,
    );
    expectValues(internal.metrics[0], [0, 0, 0, 1 / 60, 0]);
    // Jaeger 2 compares kinds case-insensitively.
    const upper = await family(`/api/metrics/calls?service=${FRONTEND}&${MAIN}&spanKind=SERVER`);
    expectValues(upper.metrics[0], expected("calls", of(FRONTEND)));
  });

  it("counts a run's root span as an internal call of the sandbox", async () => {
    const body = await family(
      `/api/metrics/calls?service=${SANDBOX}&${MAIN}&spanKind=internal&groupByOperation=true`,
    );
    expect(labels(body)).toEqual([operation(SANDBOX, "executor.execution")]);
    expectValues(body.metrics[0], [0, 0, 1 / 60, 0, 0]);
  });

  it("reads other writers' spellings (Server, Error, '' unspecified) and skips state spans", async () => {
    const server = await family(
      `/api/metrics/calls?service=${EXPORTED}&${MAIN}&groupByOperation=true`,
    );
    // The state span (kind Server, in b1) is not a call: GET /x alone, twice.
    expect(labels(server)).toEqual([operation(EXPORTED, "GET /x")]);
    expectValues(server.metrics[0], [0, 2 / 60, 0, 0, 0]);
    const errors = await family(`/api/metrics/errors?service=${EXPORTED}&${MAIN}`);
    expectValues(errors.metrics[0], ["NaN", 0.5, "NaN", "NaN", "NaN"]);
    const latency = await family(`/api/metrics/latencies?service=${EXPORTED}&${MAIN}&quantile=0.5`);
    expectValues(latency.metrics[0], ["NaN", 50, "NaN", "NaN", "NaN"]);
    const unspecified = await family(
      `/api/metrics/calls?service=${EXPORTED}&${MAIN}&spanKind=unspecified`,
    );
    expectValues(unspecified.metrics[0], expected("calls", of(EXPORTED, ["unspecified"])));
    expectValues(unspecified.metrics[0], [0, 1 / 60, 0, 0, 0]);
  });

  it("answers metrics: [] for a service without spans in the window", async () => {
    for (const path of [
      `/api/metrics/calls?service=nobody&${MAIN}`,
      `/api/metrics/calls?service=&${MAIN}`,
      `/api/metrics/calls?service=${FRONTEND}&endTs=${b(0) - MINUTE}&lookback=${MINUTE}&step=${MINUTE}`,
    ]) {
      const body = await family(path);
      expect(body.metrics).toEqual([]);
    }
  });

  it("counts the first bucket whole and the last one up to endTs, as a rate over that part", async () => {
    // [E−150 s, E−30 s): the first bucket is b2 (from its start), the last b4 cut at E−30 s.
    const grid: Grid = { first: b(2), step: MINUTE, count: 3, end: E - 30_000 };
    const body = await family(
      `/api/metrics/calls?service=${FRONTEND}&endTs=${E - 30_000}&lookback=${2 * MINUTE}&step=${MINUTE}`,
    );
    const [metric] = body.metrics;
    expect(times(metric)).toEqual(MAIN_TIMES.slice(2));
    expectValues(metric, [6 / 60, 0, 1 / 30]);
    expectValues(metric, expected("calls", of(FRONTEND), grid));
  });

  it("takes sub-second steps and steps that are no whole number of seconds", async () => {
    const half = await family(
      `/api/metrics/calls?service=${FRONTEND}&endTs=${b(0) + 2000}&lookback=2000&step=500`,
    );
    const [metric] = half.metrics;
    const t0 = new Date(b(0)).toISOString();
    expect(times(metric)).toEqual([
      t0.replace(".000Z", "Z"),
      t0.replace(".000Z", ".500Z"),
      new Date(b(0) + 1000).toISOString().replace(".000Z", "Z"),
      new Date(b(0) + 1500).toISOString(),
    ]);
    expect(times(metric)[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.500Z$/);
    expectValues(metric, [2, 2, 2, 0]);
    expectValues(
      metric,
      expected("calls", of(FRONTEND), { first: b(0), step: 500, count: 4, end: b(0) + 2000 }),
    );
    const oneAndHalf = await family(
      `/api/metrics/calls?service=${FRONTEND}&endTs=${b(0) + 3000}&lookback=3000&step=1500`,
    );
    expectValues(oneAndHalf.metrics[0], [2, 0]);
  });

  it("defaults to the last hour in 5 s steps", async () => {
    const before = Date.now();
    const body = await family(`/api/metrics/calls?service=${FRONTEND}`);
    const after = Date.now();
    expect(labels(body)).toEqual([service(FRONTEND)]);
    const ts = times(body.metrics[0]).map((t) => Date.parse(t));
    expect(ts.length === 720 || ts.length === 721).toBe(true);
    ts.forEach((t, i) => {
      expect(t % 5000).toBe(0);
      if (i > 0) expect(t - ts[i - 1]!).toBe(5000);
    });
    expect(ts[0]!).toBeLessThanOrEqual(after - 3_600_000);
    expect(ts[0]! + 5000).toBeGreaterThan(before - 3_600_000);
    expect(ts.at(-1)!).toBeLessThanOrEqual(after);
    // Only the recent health check falls in this hour: one call in its 5 s bucket.
    const vs = values(body.metrics[0]);
    const k = ts.findIndex((t) => t <= RECENT && RECENT < t + 5000);
    expect(vs[k]).toBe(0.2);
    expect(vs.filter((v) => v !== 0)).toEqual([0.2]);
  });

  it("ignores unknown parameters and ratePer, and indents for prettyPrint", async () => {
    const plain = await get(`/api/metrics/calls?service=${FRONTEND}&${MAIN}`);
    const extra = await get(
      `/api/metrics/calls?service=${FRONTEND}&${MAIN}&foo=bar&quantile=0.5&ratePer=60000&prettyPrint=false`,
    );
    expect(extra.text).toBe(plain.text);
    const pretty = await get(`/api/metrics/calls?service=${FRONTEND}&${MAIN}&prettyPrint=1`);
    expect(pretty.body).toEqual(plain.body);
    expect(pretty.text).toContain('\n    "type": "GAUGE"');
  });
});

describe("GET /api/metrics/errors", () => {
  it("answers the fraction of ERROR spans: 0 with calls but no errors, NaN without calls", async () => {
    const { text, body } = await get(`/api/metrics/errors?service=${FRONTEND}&${MAIN}`);
    expect(body.name).toBe("service_error_rate");
    expect(body.help).toBe(
      "error rate, computed as a fraction of errors/sec over calls/sec, grouped by service",
    );
    const [metric] = body.metrics;
    expect(times(metric)).toEqual(MAIN_TIMES);
    expectValues(metric, [0, "NaN", 2 / 6, "NaN", 0]);
    expectValues(metric, expected("errors", of(FRONTEND)));
    // On the wire: a real 0, and protobuf JSON's "NaN" string (never a bare NaN or null).
    expect(text).toContain('"gaugeValue":{"doubleValue":0}');
    expect(text).toContain('"gaugeValue":{"doubleValue":"NaN"}');
    expect(text).not.toContain("null");
  });

  it("per operation and per service", async () => {
    const body = await family(
      `/api/metrics/errors?service=${FRONTEND}&service=${PAYMENTS}&${MAIN}&groupByOperation=1`,
    );
    expect(body.name).toBe("service_operation_error_rate");
    expect(labels(body)).toEqual([
      operation(FRONTEND, "GET /cart"),
      operation(FRONTEND, "POST /checkout"),
      operation(PAYMENTS, "charge"),
    ]);
    expectValues(body.metrics[0], [0, "NaN", 0.5, "NaN", 0]);
    expectValues(body.metrics[1], ["NaN", "NaN", 0.25, "NaN", "NaN"]);
    expectValues(body.metrics[2], ["NaN", 1, "NaN", 0, "NaN"]);
    expectValues(body.metrics[2], expected("errors", of(PAYMENTS, ["server"], "charge")));
  });

  it("counts client spans when asked", async () => {
    const body = await family(`/api/metrics/errors?service=${FRONTEND}&${MAIN}&spanKind=client`);
    expectValues(body.metrics[0], ["NaN", "NaN", 1, "NaN", "NaN"]);
  });
});

describe("GET /api/metrics/latencies", () => {
  it("answers the quantile in ms on the same dense grid for every quantile", async () => {
    const answers = await Promise.all(
      [0.5, 0.75, 0.95].map((q) =>
        family(`/api/metrics/latencies?service=${FRONTEND}&${MAIN}&quantile=${q}`),
      ),
    );
    for (const [i, q] of [0.5, 0.75, 0.95].entries()) {
      const body = answers[i]!;
      expect(body.name).toBe("service_latencies");
      expect(body.help).toBe(`${q.toFixed(2)}th quantile latency, grouped by service`);
      expect(labels(body)).toEqual([service(FRONTEND)]);
      expect(times(body.metrics[0])).toEqual(MAIN_TIMES);
      expectValues(body.metrics[0], expected(q, of(FRONTEND)));
    }
    // b2 holds 10, 20, 30, 40, 200, 200 ms: the median lies halfway between 30 and 40.
    expectValues(answers[0]!.metrics[0], [100, "NaN", 35, "NaN", 50]);
    expectValues(answers[2]!.metrics[0], [100, "NaN", 200, "NaN", 50]);
  });

  it("takes the ends of the range: 0 is the fastest span, 1 the slowest", async () => {
    const min = await family(`/api/metrics/latencies?service=${FRONTEND}&${MAIN}&quantile=0`);
    expectValues(min.metrics[0], [100, "NaN", 10, "NaN", 50]);
    const max = await family(`/api/metrics/latencies?service=${FRONTEND}&${MAIN}&quantile=1e0`);
    expectValues(max.metrics[0], [100, "NaN", 200, "NaN", 50]);
    expect(max.help).toBe("1.00th quantile latency, grouped by service");
  });

  it("groups by operation as the Monitor tab asks", async () => {
    // The URL Jaeger UI builds: keys sorted, service first and not encoded.
    const body = await family(
      `/api/metrics/latencies?service=${FRONTEND}&endTs=${E}&groupByOperation=true&lookback=${5 * MINUTE}&quantile=0.95&ratePer=600000&spanKind=server&step=60000`,
    );
    expect(body.name).toBe("service_operation_latencies");
    expect(body.help).toBe("0.95th quantile latency, grouped by service & operation");
    expect(labels(body)).toEqual([
      operation(FRONTEND, "GET /cart"),
      operation(FRONTEND, "POST /checkout"),
    ]);
    expectValues(body.metrics[0], [100, "NaN", 200, "NaN", 50]);
    // 10, 20, 30, 40 ms: 0.95 · 3 = 2.85, so 30 + 0.85 · 10.
    expectValues(body.metrics[1], ["NaN", "NaN", 38.5, "NaN", "NaN"]);
    expectValues(body.metrics[1], expected(0.95, of(FRONTEND, ["server"], "POST /checkout")));
  });

  it("answers all eight Monitor requests at once", async () => {
    const base = `service=${FRONTEND}&${MAIN}&ratePer=600000&spanKind=server`;
    const paths = [
      `latencies?${base}&quantile=0.5`,
      `latencies?${base}&quantile=0.75`,
      `latencies?${base}&quantile=0.95`,
      `calls?${base}&quantile=0.95`,
      `errors?${base}&quantile=0.95`,
      `latencies?${base}&quantile=0.95&groupByOperation=true`,
      `calls?${base}&quantile=0.95&groupByOperation=true`,
      `errors?${base}&quantile=0.95&groupByOperation=true`,
    ];
    const bodies = await Promise.all(paths.map((p) => family(`/api/metrics/${p}`)));
    expect(bodies.map((b) => b.name)).toEqual([
      "service_latencies",
      "service_latencies",
      "service_latencies",
      "service_call_rate",
      "service_error_rate",
      "service_operation_latencies",
      "service_operation_call_rate",
      "service_operation_error_rate",
    ]);
    for (const body of bodies) {
      for (const m of body.metrics) expect(times(m)).toEqual(MAIN_TIMES);
    }
  });
});

describe("scopes", () => {
  it("counts only the traces of runs the token may read", async () => {
    const calls = await family(
      `/api/metrics/calls?service=${FRONTEND}&${MAIN}&groupByOperation=true`,
      "tok-m",
    );
    // Only the checkout that started scope-m's run shares a trace with a scope-m run.
    expect(labels(calls)).toEqual([operation(FRONTEND, "POST /checkout")]);
    expectValues(calls.metrics[0], [0, 0, 1 / 60, 0, 0]);
    const latency = await family(
      `/api/metrics/latencies?service=${FRONTEND}&${MAIN}&quantile=0.5`,
      "tok-m",
    );
    expectValues(latency.metrics[0], ["NaN", "NaN", 10, "NaN", "NaN"]);
    const errors = await family(`/api/metrics/errors?service=${PAYMENTS}&${MAIN}`, "tok-m");
    expect(errors.metrics).toEqual([]);
  });

  it("shows a token without the scope no series, and a token for every scope all", async () => {
    for (const route of ["calls", "errors", "latencies"]) {
      const body = await family(
        `/api/metrics/${route}?service=${FRONTEND}&service=${PAYMENTS}&${MAIN}&quantile=0.5`,
        "tok-x",
      );
      expect(body.metrics).toEqual([]);
    }
    const all = await family(`/api/metrics/calls?service=${FRONTEND}&${MAIN}`, "tok-all");
    expectValues(all.metrics[0], expected("calls", of(FRONTEND)));
    const anonymous = await fetch(`${scoped.url}/api/metrics/calls?service=${FRONTEND}`);
    expect(anonymous.status).toBe(401);
  });
});

describe("bad parameters", () => {
  const calls = `/api/metrics/calls?service=${FRONTEND}`;

  it("requires service", async () => {
    const msg = "unable to parse param 'service': please provide at least one service name";
    await badRequest("/api/metrics/calls", msg);
    await badRequest("/api/metrics/errors?groupByOperation=x&spanKind=bad", msg);
    await badRequest("/api/metrics/latencies?quantile=0.5", msg);
  });

  it("requires quantile for latencies, checked first", async () => {
    await badRequest(
      "/api/metrics/latencies",
      `unable to parse param 'quantile': strconv.ParseFloat: parsing "": invalid syntax`,
    );
    await badRequest(
      `/api/metrics/latencies?service=${FRONTEND}&quantile=p95`,
      `unable to parse param 'quantile': strconv.ParseFloat: parsing "p95": invalid syntax`,
    );
    await badRequest(
      `/api/metrics/latencies?service=${FRONTEND}&quantile=1.5`,
      "unable to parse param 'quantile': 1.5 is not between 0 and 1",
    );
  });

  it("refuses a groupByOperation Go cannot read as a bool", async () => {
    await badRequest(
      `${calls}&groupByOperation=yes`,
      `unable to parse param 'groupByOperation': strconv.ParseBool: parsing "yes": invalid syntax`,
    );
  });

  it("refuses span kinds other than Jaeger's names", async () => {
    await badRequest(
      `${calls}&spanKind=SPAN_KIND_SERVER`,
      "unable to parse param 'spanKind': unsupported span kind: 'SPAN_KIND_SERVER'",
    );
    await badRequest(
      `${calls}&spanKind=server&spanKind=`,
      "unable to parse param 'spanKind': unsupported span kind: ''",
    );
  });

  it("reads times and durations as integers of milliseconds", async () => {
    for (const name of ["endTs", "lookback", "step", "ratePer"]) {
      await badRequest(
        `${calls}&${name}=1h`,
        `unable to parse param '${name}': strconv.ParseInt: parsing "1h": invalid syntax`,
      );
    }
    await badRequest(
      `${calls}&endTs=99999999999999999999`,
      `unable to parse param 'endTs': strconv.ParseInt: parsing "99999999999999999999": value out of range`,
    );
  });

  it("refuses windows no grid can be drawn on", async () => {
    const MAX = 253402300799999;
    await badRequest(
      `${calls}&step=0`,
      `unable to parse param 'step': 0 is not between 1 and ${MAX} (milliseconds)`,
    );
    // Past 2^53 a number is approximate: no 500 from a step or lookback near 2^63.
    await badRequest(
      `${calls}&step=9223372036854775807`,
      `unable to parse param 'step': 9223372036854775807 is not between 1 and ${MAX} (milliseconds)`,
    );
    await badRequest(
      `${calls}&lookback=-1`,
      `unable to parse param 'lookback': -1 is not between 0 and ${MAX} (milliseconds)`,
    );
    await badRequest(
      `${calls}&lookback=9223372036854775807`,
      `unable to parse param 'lookback': 9223372036854775807 is not between 0 and ${MAX} (milliseconds)`,
    );
    await badRequest(
      `${calls}&endTs=${E}&lookback=3600000&step=100`,
      "unable to parse param 'step': a lookback of 3600000 ms in steps of 100 ms is 36000 points, more than 11000; raise step or shorten lookback",
    );
    // 11 000 points is still fine.
    const body = await family(`${calls}&endTs=${E}&lookback=11000000&step=1000`);
    expect(body.metrics[0].metricPoints).toHaveLength(11_000);
  });
});

describe("GET /api/metrics/minstep", () => {
  it("answers Jaeger 1.x's smallest step, 1 ms, in the envelope", async () => {
    const { status, text } = await get("/api/metrics/minstep");
    expect(status).toBe(200);
    expect(text).toBe('{"data":1,"total":0,"limit":0,"offset":0,"errors":null}');
  });
});

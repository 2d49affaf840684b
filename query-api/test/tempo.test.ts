import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIG_INT,
  GATEWAY,
  GATEWAY_SCOPE,
  ORPHAN_PARENT,
  type RecordedSpan,
  SANDBOX,
  SANDBOX_SCOPE,
  type Scenario,
  startScenario,
} from "./fixtures/jaeger/scenario.ts";
import { decodeTrace, decodeTraceByIdResponse } from "./fixtures/tempo/proto.ts";
import { checkSearchResponse } from "./fixtures/tempo/search-schema.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read decoded answers field by field.
type Body = any;

let s: Scenario;
/** A trace of one span whose parent was never exported, half an hour before the scenario. */
let rootless: RecordedSpan;

/** Exports the rootless trace with the OpenTelemetry SDK, like any other service would. */
async function exportRootlessTrace(collectorUrl: string, start: number): Promise<RecordedSpan> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "late-service" }),
    spanProcessors: [
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces` })),
    ],
  });
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "5b8efff798038103d269b633813fc60c",
    spanId: "eee19b7ec3c1b174",
    traceFlags: 1,
    isRemote: true,
  });
  const span = provider
    .getTracer("tempo-test")
    .startSpan("late.child", { startTime: start }, parent);
  span.end(start + 7);
  await provider.forceFlush();
  await provider.shutdown();
  const ctx = span.spanContext();
  return { traceId: ctx.traceId, spanId: ctx.spanId, start, end: start + 7 };
}

beforeAll(async () => {
  s = await startScenario();
  rootless = await exportRootlessTrace(s.collector.url, s.T - 1_800_000);
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

interface Options {
  token?: string;
  accept?: string;
}

async function request(path: string, { token, accept }: Options = {}) {
  const server = token === undefined ? s.api : s.scoped;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (accept) headers.accept = accept;
  const res = await fetch(`${server.url}/tempo${path}`, { headers });
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

const textOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

async function json(path: string, options?: Options): Promise<Body> {
  const res = await request(path, options);
  expect(res.status, textOf(res.bytes)).toBe(200);
  expect(res.type).toContain("application/json");
  return JSON.parse(textOf(res.bytes));
}

/** Epoch ms → a decimal nanosecond string. */
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number | string) => ({ key, value: { intValue: String(value) } });

/** Ten minutes either side of the scenario, in Unix seconds. */
const window = () =>
  `start=${Math.floor((s.T - 600_000) / 1000)}&end=${Math.ceil((s.T + 600_000) / 1000)}`;

/** A search, its body checked as strictly as Grafana decodes it. */
async function search(query: string, options?: Options): Promise<Body> {
  const body = await json(`/api/search?${query}`, options);
  checkSearchResponse(body);
  return body;
}

const traceQl = (q: string, more = "") =>
  `q=${encodeURIComponent(q)}&${window()}${more ? `&${more}` : ""}`;

const idsOf = (body: Body) => body.traces.map((t: Body) => t.traceID);

/** A spanset span as the search lists it. */
function listed(span: RecordedSpan, name: string, attributes: object[]) {
  return {
    spanID: span.spanId,
    name,
    startTimeUnixNano: ns(span.start),
    durationNanos: ns(span.end - span.start),
    attributes,
  };
}

describe("health", () => {
  it("answers echo and ready as Tempo does", async () => {
    const echo = await request("/api/echo");
    expect([echo.status, echo.type, textOf(echo.bytes)]).toEqual([
      200,
      "text/plain; charset=UTF-8",
      "echo",
    ]);
    const ready = await request("/ready");
    expect([ready.status, textOf(ready.bytes)]).toEqual([200, "ready"]);
  });

  it("describes its routes in /openapi.json", async () => {
    const doc = (await (await fetch(`${s.api.url}/openapi.json`)).json()) as Body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/tempo/api/echo",
        "/tempo/api/v2/traces/{traceID}",
        "/tempo/api/traces/{traceID}",
        "/tempo/api/search",
        "/tempo/api/v2/search/tags",
        "/tempo/api/v2/search/tag/{tag}/values",
      ]),
    );
  });

  it("needs a bearer token when tokens are configured", async () => {
    const res = await fetch(`${s.scoped.url}/tempo/api/echo`);
    expect(res.status).toBe(401);
    expect((await request("/api/echo", { token: "tok-b" })).status).toBe(200);
  });
});

describe("GET /api/v2/traces/{id}", () => {
  it("answers protobuf TraceByIDResponse wrapping Trace wrapping OTLP ResourceSpans", async () => {
    const { T, a1, code, schedule } = s;
    const res = await request(`/api/v2/traces/${a1.traceId}`, { accept: "application/protobuf" });
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/protobuf");
    // Field 1, length-delimited: the Trace message, never bare TracesData.
    expect(res.bytes[0]).toBe((1 << 3) | 2);
    const response = decodeTraceByIdResponse(res.bytes) as Body;
    // COMPLETE, no message, no metrics: only `trace` is on the wire.
    expect(Object.keys(response)).toEqual(["trace"]);
    const [gateway, sandbox, ...more] = response.trace.resourceSpans;
    expect(more).toEqual([]);

    expect(gateway.resource.attributes).toEqual([
      text("service.name", GATEWAY),
      text("deployment.environment", "test"),
    ]);
    expect(gateway.scopeSpans).toHaveLength(1);
    expect(gateway.scopeSpans[0].scope).toEqual(GATEWAY_SCOPE);
    expect(gateway.scopeSpans[0].spans).toEqual([
      {
        traceId: a1.traceId,
        spanId: a1.gateway!.spanId,
        name: "POST /runs",
        kind: 2,
        startTimeUnixNano: ns(T),
        endTimeUnixNano: ns(T + 300),
        attributes: [text("http.request.method", "POST"), int("http.response.status_code", 200)],
        status: {},
      },
    ]);

    expect(sandbox.resource.attributes).toEqual([
      text("service.name", SANDBOX),
      int("host.cores", 2),
      text("sandbox.pool", "blue"),
    ]);
    expect(sandbox.scopeSpans).toHaveLength(1);
    expect(sandbox.scopeSpans[0].scope).toEqual({ name: SANDBOX_SCOPE.name });
    const spans = sandbox.scopeSpans[0].spans;
    // No state span: the trace view shows the execution's spans only.
    expect(spans.map((sp: Body) => sp.name)).toEqual([
      "executor.execution",
      "executor.code.exec.quickjs",
      "execute_tool github.issues.create",
      "executor.interaction",
      "execute_tool slack.chat.postMessage",
    ]);
    expect(spans[0]).toMatchObject({
      spanId: a1.root.spanId,
      parentSpanId: a1.gateway!.spanId,
      kind: 1,
      startTimeUnixNano: ns(T + 10),
      endTimeUnixNano: ns(T + 250),
      status: { code: 1 },
    });
    expect(spans[0].attributes).toContainEqual(text("executor.execution.id", a1.executionId));
    expect(spans[1]).toEqual({
      traceId: a1.traceId,
      spanId: code.spanId,
      parentSpanId: a1.root.spanId,
      name: "executor.code.exec.quickjs",
      kind: 1,
      startTimeUnixNano: ns(T + 12),
      endTimeUnixNano: ns(T + 200),
      attributes: [
        int("sandbox.memory_bytes", 1_048_576),
        { key: "sandbox.cached", value: { boolValue: true } },
        { key: "sandbox.cpu_ratio", value: { doubleValue: 0.25 } },
        int("sandbox.instructions", BigInt(BIG_INT).toString()),
        int("sandbox.offset", -7),
        {
          key: "sandbox.modules",
          value: { arrayValue: { values: [{ stringValue: "fs" }, { stringValue: "net" }] } },
        },
      ],
      events: [
        {
          timeUnixNano: ns(T + 50),
          name: "gc",
          attributes: [
            int("gc.freed_bytes", 4096),
            { key: "gc.major", value: { boolValue: false } },
          ],
        },
      ],
      links: [
        {
          traceId: schedule.traceId,
          spanId: schedule.spanId,
          attributes: [text("link.reason", "scheduled")],
        },
      ],
      status: {},
    });
    expect(spans[4]).toMatchObject({
      parentSpanId: a1.root.spanId,
      startTimeUnixNano: ns(T + 100),
      endTimeUnixNano: ns(T + 130),
      status: { code: 2, message: "channel not found" },
      events: [{ timeUnixNano: ns(T + 130), name: "exception" }],
    });
  });

  it("answers OTLP/JSON under trace without Accept: protobuf", async () => {
    const { T, b2, orphan } = s;
    const body = await json(`/api/v2/traces/${b2.traceId.toUpperCase()}`);
    expect(Object.keys(body)).toEqual(["trace"]);
    expect(Object.keys(body.trace)).toEqual(["resourceSpans"]);
    const [sandbox, ...more] = body.trace.resourceSpans;
    expect(more).toEqual([]);
    const spans = sandbox.scopeSpans[0].spans;
    expect(spans.map((sp: Body) => [sp.name, sp.kind])).toEqual([
      ["executor.execution", 1],
      ["webhook.callback", 5],
    ]);
    expect(spans[1]).toEqual({
      traceId: b2.traceId,
      spanId: orphan.spanId,
      parentSpanId: ORPHAN_PARENT,
      name: "webhook.callback",
      kind: 5,
      startTimeUnixNano: ns(T + 180_001),
      endTimeUnixNano: ns(T + 180_003),
      attributes: [],
      events: [],
      links: [],
      status: { code: 0 },
    });
  });

  it("answers 404 for an unknown or unreadable trace and 400 for a malformed id", async () => {
    const unknown = await request("/api/v2/traces/0123456789abcdef0123456789abcdef", {
      accept: "application/protobuf",
    });
    expect([unknown.status, textOf(unknown.bytes)]).toEqual([404, "trace not found\n"]);
    expect((await request(`/api/v2/traces/${s.b1.traceId}`, { token: "tok-a" })).status).toBe(404);
    expect((await request(`/api/v2/traces/${s.schedule.traceId}`, { token: "tok-b" })).status).toBe(
      404,
    );
    expect((await request(`/api/v2/traces/${s.a1.traceId}`, { token: "tok-a" })).status).toBe(200);
    for (const id of ["zz", "0".repeat(33), "AAECAwQFBgcICQoLDA0ODw==", "0"]) {
      const bad = await request(`/api/v2/traces/${encodeURIComponent(id)}`);
      expect(bad.status, id).toBe(400);
      expect(textOf(bad.bytes)).toContain("invalid trace id");
    }
  });

  it("accepts start/end in seconds and rejects malformed ones", async () => {
    const { a1 } = s;
    const ok = await request(`/api/v2/traces/${a1.traceId}?${window()}`);
    expect(ok.status).toBe(200);
    const bad = await request(`/api/v2/traces/${a1.traceId}?start=yesterday&end=1`);
    expect(bad.status).toBe(400);
    expect(textOf(bad.bytes)).toContain("start");
  });
});

describe("GET /api/traces/{id} (v1)", () => {
  it("answers bare OTLP TracesData as protobuf", async () => {
    const { T, a2 } = s;
    const res = await request(`/api/traces/${a2.traceId}`, { accept: "application/protobuf" });
    expect([res.status, res.type]).toEqual([200, "application/protobuf"]);
    const trace = decodeTrace(res.bytes) as Body;
    const names = trace.resourceSpans.map((rs: Body) => [
      rs.resource.attributes[0].value.stringValue,
      rs.scopeSpans[0].spans.map((sp: Body) => [sp.name, sp.startTimeUnixNano]),
    ]);
    expect(names).toEqual([
      [GATEWAY, [["POST /runs", ns(T + 60_000)]]],
      [
        SANDBOX,
        [
          ["executor.execution", ns(T + 60_010)],
          ["execute_tool github.repos.get", ns(T + 60_020)],
        ],
      ],
    ]);
    // The same bytes wrapped the v2 way are the v2 answer's `trace`.
    const v2 = await request(`/api/v2/traces/${a2.traceId}`, { accept: "application/protobuf" });
    expect(decodeTraceByIdResponse(v2.bytes)).toEqual({ trace });
  });

  it("answers OTLP/JSON under batches, and 404 for an unknown id", async () => {
    const body = await json(`/api/traces/${s.schedule.traceId}`);
    expect(Object.keys(body)).toEqual(["batches"]);
    expect(body.batches[0].scopeSpans[0].spans[0]).toMatchObject({
      traceId: s.schedule.traceId,
      spanId: s.schedule.spanId,
      name: "schedule",
      kind: 4,
    });
    const unknown = await request("/api/traces/abc", { accept: "application/protobuf" });
    expect(unknown.status).toBe(404);
  });
});

describe("the strict SearchResponse checker", () => {
  // Tempo's API documentation's example answer to `{ status=error }`.
  const documented = () => ({
    traces: [
      {
        traceID: "2f3e0cee77ae5dc9c17ade3689eb2e54",
        rootServiceName: "shop-backend",
        rootTraceName: "update-billing",
        startTimeUnixNano: "1684778327699392724",
        durationMs: 557,
        spanSets: [
          {
            spans: [
              {
                spanID: "563d623c76514f8e",
                startTimeUnixNano: "1684778327735077898",
                durationNanos: "446979497",
                attributes: [{ key: "status", value: { stringValue: "error" } }],
              },
            ],
            matched: 1,
          },
        ],
      },
    ],
    metrics: { totalBlocks: 13 },
  });

  it("accepts Tempo's documented answer and rejects what jsonpb would", () => {
    expect(() => checkSearchResponse(documented())).not.toThrow();
    const broken: [string, (b: Body) => void][] = [
      ["unknown field", (b) => (b.traces[0].rootSpanName = "x")],
      [
        "64-bit integer as a decimal string",
        (b) => (b.traces[0].startTimeUnixNano = Number(b.traces[0].startTimeUnixNano)),
      ],
      ["uint32", (b) => (b.traces[0].durationMs = 1.5)],
      ["unknown field", (b) => (b.traces[0].spanSets[0].spans[0].kind = "server")],
      ["exactly one value", (b) => (b.traces[0].spanSets[0].spans[0].attributes[0].value = {})],
      ["unknown field", (b) => (b.metrics.inspectedSpans = "1")],
    ];
    for (const [message, breakIt] of broken) {
      const body = documented();
      breakIt(body);
      expect(() => checkSearchResponse(body)).toThrow(message);
    }
  });
});

describe("GET /api/search", () => {
  it("answers {} with every trace, latest start first, as a strict SearchResponse", async () => {
    const { T, a1, a2, b1, b2, schedule } = s;
    const body = await search(traceQl("{}"));
    expect(body.metrics).toEqual({ inspectedTraces: 5, inspectedBytes: "0", totalBlocks: 0 });
    expect(body.traces.map((t: Body) => ({ ...t, spanSets: undefined }))).toEqual(
      [
        [b2, SANDBOX, "executor.execution", T + 180_000, 5],
        [b1, GATEWAY, "POST /runs", T + 120_000, 100],
        [a2, GATEWAY, "POST /runs", T + 60_000, 2_100],
        [a1, GATEWAY, "POST /runs", T, 300],
        [{ traceId: schedule.traceId }, GATEWAY, "schedule", T - 5_000, 10],
      ].map(([run, service, name, start, durationMs]) => ({
        traceID: (run as { traceId: string }).traceId,
        rootServiceName: service,
        rootTraceName: name,
        startTimeUnixNano: ns(start as number),
        durationMs,
        spanSets: undefined,
      })),
    );
    // Every span matches {}: the first three by start are listed, all are counted.
    const a1Set = body.traces[3].spanSets;
    expect(a1Set).toEqual([
      {
        spans: [
          listed(a1.gateway!, "POST /runs", [text("service.name", GATEWAY)]),
          listed(a1.root, "executor.execution", [text("service.name", SANDBOX)]),
          listed(s.code, "executor.code.exec.quickjs", [text("service.name", SANDBOX)]),
        ],
        matched: 6,
        attributes: [],
      },
    ]);
    expect(body.traces.map((t: Body) => t.spanSets[0].matched)).toEqual([2, 3, 3, 6, 1]);
  });

  it("filters by resource.service.name, name, kind and unscoped attributes", async () => {
    const { a1, a2, b1, b2, schedule } = s;
    const gateway = await search(traceQl(`{resource.service.name="${GATEWAY}"}`));
    expect(idsOf(gateway)).toEqual([b1.traceId, a2.traceId, a1.traceId, schedule.traceId]);
    expect(gateway.traces[2].spanSets[0]).toEqual({
      spans: [listed(a1.gateway!, "POST /runs", [text("service.name", GATEWAY)])],
      matched: 1,
      attributes: [],
    });

    const callback = await search(traceQl('{name="webhook.callback"}'));
    expect(idsOf(callback)).toEqual([b2.traceId]);
    expect(callback.traces[0].spanSets[0].spans).toEqual([
      listed(s.orphan, "webhook.callback", [text("service.name", SANDBOX)]),
    ]);

    const servers = await search(traceQl("{kind=server}"));
    expect(idsOf(servers)).toEqual([b1.traceId, a2.traceId, a1.traceId]);
    expect(servers.traces[2].spanSets[0].spans[0].attributes).toEqual([
      text("service.name", GATEWAY),
      text("kind", "server"),
    ]);
    expect(idsOf(await search(traceQl("{kind=producer}")))).toEqual([schedule.traceId]);
    expect(idsOf(await search(traceQl("{kind=consumer}")))).toEqual([b2.traceId]);

    // An unscoped name finds the resource attribute when the span has none of its own.
    const blue = await search(traceQl('{.sandbox.pool="blue" && name="executor.execution"}'));
    expect(idsOf(blue)).toEqual([b2.traceId, b1.traceId, a2.traceId, a1.traceId]);
    expect(blue.traces[3].spanSets[0].spans[0].attributes).toEqual([
      text("service.name", SANDBOX),
      text("sandbox.pool", "blue"),
    ]);
    expect(idsOf(await search(traceQl('{span.sandbox.pool="blue"}')))).toEqual([]);
  });

  it("compares span attributes by their stored type", async () => {
    const { a1, a2, b1 } = s;
    const posts = await search(traceQl('{span.http.request.method="POST"}'));
    expect(idsOf(posts)).toEqual([b1.traceId, a2.traceId, a1.traceId]);
    expect(posts.traces[2].spanSets[0].spans[0].attributes).toEqual([
      text("service.name", GATEWAY),
      text("http.request.method", "POST"),
    ]);
    const ok2xx = await search(
      traceQl("{span.http.response.status_code>=200 && span.http.response.status_code<300}"),
    );
    expect(idsOf(ok2xx)).toEqual([b1.traceId, a2.traceId, a1.traceId]);
    expect(ok2xx.traces[0].spanSets[0].spans[0].attributes).toEqual([
      text("service.name", GATEWAY),
      int("http.response.status_code", 200),
    ]);
    // A string never equals an int attribute; an absent attribute matches no comparison.
    expect(idsOf(await search(traceQl('{span.http.response.status_code="200"}')))).toEqual([]);
    expect(idsOf(await search(traceQl("{span.http.response.status_code>500}")))).toEqual([]);
    expect(idsOf(await search(traceQl('{span.http.request.method!="GET"}')))).toEqual([
      b1.traceId,
      a2.traceId,
      a1.traceId,
    ]);
    for (const q of [
      "{span.sandbox.cpu_ratio>0.2}",
      "{span.sandbox.cpu_ratio<1}",
      "{span.sandbox.memory_bytes=1048576}",
      "{span.sandbox.offset<0}",
      `{span.sandbox.instructions>=${BIG_INT}}`,
      "{span.sandbox.cached=true}",
    ]) {
      expect(idsOf(await search(traceQl(q))), q).toEqual([a1.traceId]);
    }
    expect(idsOf(await search(traceQl("{span.sandbox.cached=false}")))).toEqual([]);
    expect(idsOf(await search(traceQl("{span.sandbox.cpu_ratio>0.3}")))).toEqual([]);
    const cpu = await search(traceQl("{span.sandbox.cpu_ratio>0.2}"));
    expect(cpu.traces[0].spanSets[0].spans[0].attributes).toEqual([
      text("service.name", SANDBOX),
      { key: "sandbox.cpu_ratio", value: { doubleValue: 0.25 } },
    ]);
  });

  it("filters by status, span duration, trace duration and whole-value regexes", async () => {
    const { a1, a2, b1 } = s;
    const errors = await search(traceQl("{status=error}"));
    expect(idsOf(errors)).toEqual([b1.traceId, a1.traceId]);
    // B1: the gateway span and the failed execution; A1: the failed slack call.
    expect(errors.traces.map((t: Body) => t.spanSets[0].matched)).toEqual([2, 1]);
    expect(errors.traces[1].spanSets[0].spans).toEqual([
      {
        spanID: expect.stringMatching(/^[0-9a-f]{16}$/),
        name: "execute_tool slack.chat.postMessage",
        startTimeUnixNano: ns(s.T + 100),
        durationNanos: ns(30),
        attributes: [text("service.name", SANDBOX), text("status", "error")],
      },
    ]);
    expect(idsOf(await search(traceQl("{status=error && kind=server}")))).toEqual([b1.traceId]);

    const slow = await search(traceQl("{duration>1s}"));
    expect(idsOf(slow)).toEqual([a2.traceId]);
    expect(slow.traces[0].spanSets[0].spans.map((sp: Body) => sp.durationNanos)).toEqual([
      ns(2_100),
      ns(2_000),
    ]);
    expect(idsOf(await search(traceQl("{duration>=300ms && duration<=300ms}")))).toEqual([
      a1.traceId,
    ]);
    expect(idsOf(await search(traceQl("{traceDuration>=2s}")))).toEqual([a2.traceId]);
    expect(
      idsOf(await search(traceQl('{traceDuration>=200ms && name="executor.code.exec.quickjs"}'))),
    ).toEqual([a1.traceId]);

    const tools = await search(traceQl('{name=~"execute_tool .*"}'));
    expect(idsOf(tools)).toEqual([b1.traceId, a2.traceId, a1.traceId]);
    expect(tools.traces[2].spanSets[0].matched).toBe(2);
    // Anchored at both ends, like Tempo's regexes.
    expect(idsOf(await search(traceQl('{name=~"execute_tool"}')))).toEqual([]);
    expect(idsOf(await search(traceQl('{span.executor.tool.path=~"github\\\\..*"}')))).toEqual([
      a2.traceId,
      a1.traceId,
    ]);
    expect(
      idsOf(await search(traceQl('{resource.service.name!~"sandbox.*" && kind=server}'))),
    ).toEqual([b1.traceId, a2.traceId, a1.traceId]);
  });

  it("bounds the search by the time window, limit and spans per spanset", async () => {
    const { T, a1, a2, b1, b2 } = s;
    const middle = await search(
      `q=${encodeURIComponent("{}")}&start=${(T + 50_000) / 1000}&end=${(T + 130_000) / 1000}`,
    );
    expect(idsOf(middle)).toEqual([b1.traceId, a2.traceId]);
    const empty = await search(
      `q=%7B%7D&start=${(T + 300_000) / 1000}&end=${(T + 400_000) / 1000}`,
    );
    expect(empty).toEqual({
      traces: [],
      metrics: { inspectedTraces: 0, inspectedBytes: "0", totalBlocks: 0 },
    });

    const two = await search(traceQl("{}", "limit=2"));
    expect(idsOf(two)).toEqual([b2.traceId, b1.traceId]);
    expect(two.metrics.inspectedTraces).toBe(5);

    const one = await search(traceQl(`{resource.service.name="${SANDBOX}"}`, "spss=1"));
    expect(one.traces.find((t: Body) => t.traceID === a1.traceId).spanSets[0]).toEqual({
      spans: [listed(a1.root, "executor.execution", [text("service.name", SANDBOX)])],
      matched: 5,
      attributes: [],
    });
    const all = await search(traceQl("{}", "spss=10"));
    expect(all.traces.find((t: Body) => t.traceID === a1.traceId).spanSets[0].spans).toHaveLength(
      6,
    );
  });

  it("marks a trace without its root span as Tempo does", async () => {
    const at = Math.floor(rootless.start / 1000);
    const body = await search(`q=%7B%7D&start=${at - 1}&end=${at + 1}`);
    expect(body.traces).toEqual([
      {
        traceID: rootless.traceId,
        rootServiceName: "<root span not yet received>",
        startTimeUnixNano: ns(rootless.start),
        durationMs: 7,
        spanSets: [
          {
            spans: [listed(rootless, "late.child", [text("service.name", "late-service")])],
            matched: 1,
            attributes: [],
          },
        ],
      },
    ]);
  });

  it("reads a hex-only query as a trace id, as Grafana does", async () => {
    const body = await search(`q=${s.a1.traceId}`);
    expect(idsOf(body)).toEqual([s.a1.traceId]);
    expect(body.traces[0].spanSets[0].matched).toBe(6);
    expect(idsOf(await search(`q=${s.b1.traceId}`, { token: "tok-a" }))).toEqual([]);
  });

  it("accepts Tempo's tag search: exact values and trace duration bounds", async () => {
    const { a2, schedule } = s;
    expect(
      idsOf(
        await search(
          `tags=${encodeURIComponent("http.request.method=POST")}&minDuration=2s&${window()}`,
        ),
      ),
    ).toEqual([a2.traceId]);
    expect(
      idsOf(
        await search(
          `tags=${encodeURIComponent(`service.name=${GATEWAY} name="schedule"`)}&maxDuration=1s&${window()}`,
        ),
      ),
    ).toEqual([schedule.traceId]);
  });

  it("answers unsupported TraceQL with a 400 that says what is supported", async () => {
    for (const q of ['{span.a="x"} | count() > 1', '{name="a" || name="b"}', "{status=500}"]) {
      const res = await request(`/api/search?${traceQl(q)}`);
      expect(res.status, q).toBe(400);
      expect(textOf(res.bytes)).toContain("supported TraceQL: {} or one spanset");
    }
    const regex = await request(`/api/search?${traceQl('{name=~"("}')}`);
    expect(regex.status).toBe(400);
    expect(textOf(regex.bytes)).toContain("regular expression");
  });

  it.each([
    ["limit=abc", "limit"],
    ["limit=0", "limit"],
    ["spss=-1", "spss"],
    ["start=soon&end=1", "start"],
    ["start=100&end=99", "end"],
    ["tags=a%3Db&minDuration=fast", "minDuration"],
    ["tags=a%3Db&q=%7B%7D", "tags and q"],
  ])("answers %s with a 400 naming %s", async (query, parameter) => {
    const res = await request(`/api/search?${query}`);
    expect(res.status).toBe(400);
    expect(textOf(res.bytes)).toContain(parameter);
  });

  it("searches only the token's scopes", async () => {
    const { a1, a2, b1, b2 } = s;
    expect(idsOf(await search(traceQl("{}"), { token: "tok-a" }))).toEqual([
      a2.traceId,
      a1.traceId,
    ]);
    const b = await search(traceQl("{}"), { token: "tok-b" });
    expect(idsOf(b)).toEqual([b2.traceId, b1.traceId]);
    expect(b.metrics.inspectedTraces).toBe(2);
    expect(idsOf(await search(traceQl("{status=error}"), { token: "tok-b" }))).toEqual([
      b1.traceId,
    ]);
  });
});

describe("GET /api/v2/search/tags and tag values", () => {
  it("lists attribute names by scope and the searchable intrinsics", async () => {
    const body = await json(`/api/v2/search/tags?${window()}`);
    expect(body.scopes.map((x: Body) => x.name)).toEqual(["resource", "span", "intrinsic"]);
    expect(body.scopes[0].tags).toEqual([
      "deployment.environment",
      "host.cores",
      "sandbox.pool",
      "service.name",
    ]);
    expect(body.scopes[1].tags).toEqual(
      expect.arrayContaining([
        "http.request.method",
        "http.response.status_code",
        "sandbox.memory_bytes",
        "executor.execution.id",
        "gen_ai.tool.name",
      ]),
    );
    expect(body.scopes[1].tags).toEqual([...body.scopes[1].tags].sort());
    expect(body.scopes[2]).toEqual({
      name: "intrinsic",
      tags: ["duration", "kind", "name", "status", "traceDuration"],
    });
    expect(await json(`/api/v2/search/tags?scope=intrinsic&${window()}`)).toEqual({
      scopes: [body.scopes[2]],
    });
    const limited = await json(`/api/v2/search/tags?scope=span&limit=2&${window()}`);
    expect(limited.scopes[0].tags).toEqual(body.scopes[1].tags.slice(0, 2));
    const bad = await request("/api/v2/search/tags?scope=event");
    expect(bad.status).toBe(400);
    expect(textOf(bad.bytes)).toContain("scope");
  });

  it("lists typed values of resource and span attributes", async () => {
    const values = async (tag: string) =>
      (await json(`/api/v2/search/tag/${tag}/values?${window()}`)).tagValues;
    expect(await values("resource.service.name")).toEqual([
      { type: "string", value: GATEWAY },
      { type: "string", value: SANDBOX },
    ]);
    expect(await values("resource.host.cores")).toEqual([{ type: "int", value: "2" }]);
    expect(await values("span.http.response.status_code")).toEqual([{ type: "int", value: "200" }]);
    expect(await values("span.sandbox.cpu_ratio")).toEqual([{ type: "float", value: "0.25" }]);
    expect(await values("span.sandbox.cached")).toEqual([{ type: "bool", value: "true" }]);
    expect(await values(".sandbox.pool")).toEqual([{ type: "string", value: "blue" }]);
    expect(await values("span.sandbox.pool")).toEqual([]);
    // Arrays are no search value.
    expect(await values("span.sandbox.modules")).toEqual([]);
  });

  it("lists span names without state spans, and fixed keyword lists for status and kind", async () => {
    const names = (await json(`/api/v2/search/tag/name/values?${window()}`)).tagValues;
    expect(names).toEqual(
      [
        "POST /runs",
        "execute_tool github.issues.create",
        "execute_tool github.repos.get",
        "execute_tool jira.issue.get",
        "execute_tool slack.chat.postMessage",
        "executor.code.exec.quickjs",
        "executor.execution",
        "executor.interaction",
        "schedule",
        "webhook.callback",
      ].map((value) => ({ type: "string", value })),
    );
    expect(names.map((v: Body) => v.value)).not.toContain(SPAN_EXECUTION_STATE);
    expect(await json("/api/v2/search/tag/status/values")).toEqual({
      tagValues: ["ok", "error", "unset"].map((value) => ({ type: "keyword", value })),
    });
    expect(await json("/api/v2/search/tag/kind/values")).toEqual({
      tagValues: ["client", "server", "producer", "consumer", "internal", "unspecified"].map(
        (value) => ({ type: "keyword", value }),
      ),
    });
    expect(await json("/api/v2/search/tag/duration/values")).toEqual({ tagValues: [] });
    const bad = await request("/api/v2/search/tag/nonsense/values");
    expect(bad.status).toBe(400);
    expect(textOf(bad.bytes)).toContain("TraceQL identifier");
  });

  it("narrows names and values to the editor's query, ignoring one still being typed", async () => {
    const q = (text: string) => `q=${encodeURIComponent(text)}&${window()}`;
    expect(
      (await json(`/api/v2/search/tag/name/values?${q(`{resource.service.name="${GATEWAY}"}`)}`))
        .tagValues,
    ).toEqual([
      { type: "string", value: "POST /runs" },
      { type: "string", value: "schedule" },
    ]);
    const typing = await json(`/api/v2/search/tag/resource.service.name/values?${q("{ name = }")}`);
    expect(typing.tagValues).toHaveLength(2);
    const tags = await json(`/api/v2/search/tags?scope=span&${q("{kind=producer}")}`);
    expect(tags).toEqual({ scopes: [{ name: "span", tags: [] }] });
  });

  it("lists only what the token's scopes may see", async () => {
    const names = async (token: string) =>
      (await json(`/api/v2/search/tag/name/values?${window()}`, { token })).tagValues.map(
        (v: Body) => v.value,
      );
    const a = await names("tok-a");
    expect(a).toContain("executor.code.exec.quickjs");
    expect(a).not.toContain("webhook.callback");
    expect(a).not.toContain("schedule");
    const b = await names("tok-b");
    expect(b).toContain("webhook.callback");
    expect(b).not.toContain("executor.code.exec.quickjs");
    expect(b).not.toContain("schedule");
    const spanTags = async (token: string) =>
      (await json(`/api/v2/search/tags?scope=span&${window()}`, { token })).scopes[0].tags;
    expect(await spanTags("tok-a")).toContain("sandbox.memory_bytes");
    expect(await spanTags("tok-b")).not.toContain("sandbox.memory_bytes");
    const values = async (token: string) =>
      (await json(`/api/v2/search/tag/span.sandbox.cpu_ratio/values?${window()}`, { token }))
        .tagValues;
    expect(await values("tok-a")).toEqual([{ type: "float", value: "0.25" }]);
    expect(await values("tok-b")).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIG_INT,
  GATEWAY,
  GATEWAY_SCOPE,
  ORPHAN_PARENT,
  SANDBOX,
  SANDBOX_SCOPE,
  type Scenario,
  startScenario,
} from "./fixtures/jaeger/scenario.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Body = any;

let s: Scenario;

beforeAll(async () => {
  s = await startScenario();
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

async function get(path: string, token?: string) {
  const server = token === undefined ? s.api : s.scoped;
  const res = await fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Body };
}

async function ok(path: string, token?: string) {
  const { status, body } = await get(path, token);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Epoch ms → OTLP/JSON nanoseconds (a decimal string). */
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number | string) => ({ key, value: { intValue: String(value) } });
const iso = (ms: number) => new Date(ms).toISOString();

/** The hour around the scenario, in RFC 3339. */
const window = () =>
  `query.startTimeMin=${iso(s.T - 600_000)}&query.startTimeMax=${iso(s.T + 600_000)}`;

/** Trace ids of a merged result, in order, each once. */
const traceIdsOf = (body: Body) => [
  ...new Set(
    body.result.resourceSpans.flatMap((rs: Body) =>
      rs.scopeSpans.flatMap((ss: Body) => ss.spans.map((sp: Body) => sp.traceId)),
    ),
  ),
];

describe("GET /api/v3/traces/{id}", () => {
  it("returns the trace as OTLP/JSON grouped by resource and scope, values typed", async () => {
    const { T, a1, code, schedule } = s;
    const body = await ok(`/api/v3/traces/${a1.traceId}`);
    const [gateway, sandbox, ...more] = body.result.resourceSpans;
    expect(more).toEqual([]);
    expect(gateway).toEqual({
      resource: {
        attributes: [text("service.name", GATEWAY), text("deployment.environment", "test")],
      },
      scopeSpans: [
        {
          scope: GATEWAY_SCOPE,
          spans: [
            {
              traceId: a1.traceId,
              spanId: a1.gateway!.spanId,
              name: "POST /runs",
              kind: 2,
              startTimeUnixNano: ns(T),
              endTimeUnixNano: ns(T + 300),
              attributes: [
                text("http.request.method", "POST"),
                int("http.response.status_code", 200),
              ],
              events: [],
              links: [],
              status: { code: 0 },
            },
          ],
        },
      ],
    });
    expect(sandbox.resource).toEqual({
      attributes: [
        text("service.name", SANDBOX),
        int("host.cores", 2),
        text("sandbox.pool", "blue"),
      ],
    });
    expect(sandbox.scopeSpans).toHaveLength(1);
    expect(sandbox.scopeSpans[0].scope).toEqual({ name: SANDBOX_SCOPE.name });
    const spans = sandbox.scopeSpans[0].spans;
    expect(spans.map((sp: Body) => sp.name)).toEqual([
      "executor.execution",
      "executor.code.exec.quickjs",
      "execute_tool github.issues.create",
      "executor.interaction",
      "execute_tool slack.chat.postMessage",
    ]);
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
      status: { code: 0 },
    });
    expect(spans[0]).toMatchObject({
      spanId: a1.root.spanId,
      parentSpanId: a1.gateway!.spanId,
      kind: 1,
      startTimeUnixNano: ns(T + 10),
      endTimeUnixNano: ns(T + 250),
      status: { code: 1 },
      events: [
        {
          timeUnixNano: ns(T + 10),
          name: "log",
          attributes: [text("log.severity", "info"), text("log.message", "starting")],
        },
      ],
    });
    expect(spans[0].attributes).toEqual(
      expect.arrayContaining([
        text("executor.execution.id", a1.executionId),
        int("executor.execution.tool_call_count", 2),
        {
          key: "executor.execution.tool_path_calls",
          value: { arrayValue: { values: [{ intValue: "1" }, { intValue: "1" }] } },
        },
      ]),
    );
    expect(spans[4]).toMatchObject({
      parentSpanId: a1.root.spanId,
      startTimeUnixNano: ns(T + 100),
      endTimeUnixNano: ns(T + 130),
      status: { code: 2, message: "channel not found" },
      events: [{ timeUnixNano: ns(T + 130), name: "exception" }],
    });
  });

  it("keeps the parent id of a span whose parent is not in the trace", async () => {
    const body = await ok(`/api/v3/traces/${s.b2.traceId}`);
    const spans = body.result.resourceSpans[0].scopeSpans[0].spans;
    expect(spans.map((sp: Body) => sp.name)).toEqual(["executor.execution", "webhook.callback"]);
    expect(spans[1]).toMatchObject({
      spanId: s.orphan.spanId,
      parentSpanId: ORPHAN_PARENT,
      kind: 5,
      startTimeUnixNano: ns(s.orphan.start),
      endTimeUnixNano: ns(s.orphan.end),
    });
  });

  it("answers unknown, malformed and invisible ids like Jaeger", async () => {
    expect(await get("/api/v3/traces/0123456789abcdef0123456789abcdef")).toEqual({
      status: 404,
      body: { error: { httpCode: 404, message: "trace not found" } },
    });
    const bad = await get("/api/v3/traces/zz");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({ httpCode: 400, message: expect.stringContaining("trace_id") });
    const badTime = await get(`/api/v3/traces/${s.a1.traceId}?startTime=yesterday`);
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.message).toContain("startTime");
    expect(await get(`/api/v3/traces/${s.b1.traceId}`, "tok-a")).toEqual({
      status: 404,
      body: { error: { httpCode: 404, message: "trace not found" } },
    });
    const mine = await ok(
      `/api/v3/traces/${s.a1.traceId}?startTime=${iso(s.T)}&endTime=${iso(s.T + 1000)}`,
      "tok-a",
    );
    expect(traceIdsOf(mine)).toEqual([s.a1.traceId]);
  });
});

describe("GET /api/v3/services and operations", () => {
  it("lists services", async () => {
    expect(await ok("/api/v3/services")).toEqual({ services: [GATEWAY, SANDBOX] });
    expect(await ok("/api/v3/services", "tok-b")).toEqual({ services: [GATEWAY, SANDBOX] });
  });

  it("lists operations with their kind, filtered by spanKind", async () => {
    expect(await ok(`/api/v3/operations?service=${GATEWAY}`)).toEqual({
      operations: [
        { name: "POST /runs", spanKind: "server" },
        { name: "schedule", spanKind: "producer" },
      ],
    });
    expect(await ok(`/api/v3/operations?service=${SANDBOX}&spanKind=consumer`)).toEqual({
      operations: [{ name: "webhook.callback", spanKind: "consumer" }],
    });
    expect(await ok(`/api/v3/operations?service=${SANDBOX}&span_kind=server`)).toEqual({
      operations: [],
    });
    expect(await ok(`/api/v3/operations?service=${GATEWAY}`, "tok-a")).toEqual({
      operations: [{ name: "POST /runs", spanKind: "server" }],
    });
    const bad = await get(`/api/v3/operations?service=${GATEWAY}&spanKind=up`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("spanKind");
  });
});

describe("GET /api/v3/traces (search)", () => {
  it("merges every matching trace into one result, most recent first", async () => {
    const body = await ok(`/api/v3/traces?query.serviceName=${SANDBOX}&${window()}`);
    expect(traceIdsOf(body)).toEqual([s.b2.traceId, s.b1.traceId, s.a2.traceId, s.a1.traceId]);
    // Each trace's resources in turn: B2 has the sandbox only, the others the gateway too.
    expect(
      body.result.resourceSpans.map((rs: Body) => rs.resource.attributes[0].value.stringValue),
    ).toEqual([SANDBOX, GATEWAY, SANDBOX, GATEWAY, SANDBOX, GATEWAY, SANDBOX]);
  });

  it("filters by operation, attributes, duration and depth; snake_case names work", async () => {
    const search = async (query: string) =>
      traceIdsOf(await ok(`/api/v3/traces?${window()}&${query}`));
    const exec = `query.serviceName=${SANDBOX}&query.operationName=executor.execution`;
    expect(await search(`${exec}&query.durationMin=1s`)).toEqual([s.a2.traceId]);
    expect(await search(`${exec}&query.durationMax=50ms&query.durationMin=10ms`)).toEqual([
      s.b1.traceId,
    ]);
    const attrs = encodeURIComponent(JSON.stringify({ "sandbox.cached": "true" }));
    expect(await search(`query.attributes=${attrs}`)).toEqual([s.a1.traceId]);
    expect(await search(`query.service_name=${SANDBOX}&query.num_traces=1`)).toEqual([
      s.b2.traceId,
    ]);
    expect(await search(`query.serviceName=${SANDBOX}&query.searchDepth=2`)).toEqual([
      s.b2.traceId,
      s.b1.traceId,
    ]);
    const snake = await ok(
      `/api/v3/traces?query.service_name=${GATEWAY}&query.operation_name=schedule&query.start_time_min=${iso(s.T - 60_000)}&query.start_time_max=${iso(s.T)}`,
    );
    expect(traceIdsOf(snake)).toEqual([s.schedule.traceId]);
  });

  it("answers an empty search with Jaeger's 404", async () => {
    expect(await get(`/api/v3/traces?query.serviceName=nobody&${window()}`)).toEqual({
      status: 404,
      body: { error: { httpCode: 404, message: "No traces found" } },
    });
  });

  const DAY = "query.startTimeMin=2030-01-01T00:00:00Z&query.startTimeMax=2030-01-02T00:00:00Z";
  it.each([
    ["query.serviceName=x", "query.startTimeMin and query.startTimeMax are required"],
    ["query.startTimeMin=yesterday&query.startTimeMax=2030-01-01T00:00:00Z", "query.startTimeMin"],
    [
      "query.start_time_min=2030-01-02T00:00:00Z&query.start_time_max=2030-01-01T00:00:00.5Z",
      "query.start_time_max",
    ],
    [`${DAY}&query.durationMin=5`, "query.durationMin"],
    [`${DAY}&query.searchDepth=-1`, "query.searchDepth"],
    [`${DAY}&query.attributes=nope`, "query.attributes"],
  ])("answers %s with a 400 naming %s", async (query, parameter) => {
    const { status, body } = await get(`/api/v3/traces?${query}`);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { httpCode: 400, message: expect.stringContaining(parameter) } });
  });

  it("searches only the scope's traces", async () => {
    const body = await ok(`/api/v3/traces?query.serviceName=${SANDBOX}&${window()}`, "tok-a");
    expect(traceIdsOf(body)).toEqual([s.a2.traceId, s.a1.traceId]);
  });
});

describe("GET /api/v3/trace-summaries", () => {
  /** Per service, by name: the gateway's and the sandbox's span and error counts. */
  const spanCounts = (
    gateway: number,
    sandbox: number,
    gatewayErrors: number,
    sandboxErrors: number,
  ) => [
    { name: GATEWAY, spanCount: gateway, errorSpanCount: gatewayErrors },
    { name: SANDBOX, spanCount: sandbox, errorSpanCount: sandboxErrors },
  ];

  it("summarizes each matching trace: root, time range in ns, counts, services", async () => {
    const { T, a1, a2, b1, b2 } = s;
    const body = await ok(`/api/v3/trace-summaries?query.serviceName=${SANDBOX}&${window()}`);
    expect(body).toEqual({
      summaries: [
        {
          traceId: b2.traceId,
          rootServiceName: SANDBOX,
          rootOperationName: "executor.execution",
          minStartTimeUnixNano: ns(T + 180_000),
          maxEndTimeUnixNano: ns(T + 180_005),
          spanCount: 2,
          errorSpanCount: 0,
          orphanSpanCount: 1,
          services: [{ name: SANDBOX, spanCount: 2, errorSpanCount: 0 }],
        },
        {
          traceId: b1.traceId,
          rootServiceName: GATEWAY,
          rootOperationName: "POST /runs",
          minStartTimeUnixNano: ns(T + 120_000),
          maxEndTimeUnixNano: ns(T + 120_100),
          spanCount: 3,
          // The gateway span and the failed execution.
          errorSpanCount: 2,
          orphanSpanCount: 0,
          services: spanCounts(1, 2, 1, 1),
        },
        {
          traceId: a2.traceId,
          rootServiceName: GATEWAY,
          rootOperationName: "POST /runs",
          minStartTimeUnixNano: ns(T + 60_000),
          maxEndTimeUnixNano: ns(T + 62_100),
          spanCount: 3,
          errorSpanCount: 0,
          orphanSpanCount: 0,
          services: spanCounts(1, 2, 0, 0),
        },
        {
          traceId: a1.traceId,
          rootServiceName: GATEWAY,
          rootOperationName: "POST /runs",
          minStartTimeUnixNano: ns(T),
          maxEndTimeUnixNano: ns(T + 300),
          spanCount: 6,
          // The failed slack tool call.
          errorSpanCount: 1,
          orphanSpanCount: 0,
          services: spanCounts(1, 5, 0, 1),
        },
      ],
    });
  });

  it("answers an empty search with no summaries, as Jaeger does", async () => {
    expect(await ok(`/api/v3/trace-summaries?query.serviceName=nobody&${window()}`)).toEqual({
      summaries: [],
    });
  });

  it("summarizes only the scope's traces", async () => {
    const body = await ok(`/api/v3/trace-summaries?${window()}`, "tok-a");
    expect(body.summaries.map((x: Body) => x.traceId)).toEqual([s.a2.traceId, s.a1.traceId]);
    const all = await ok(`/api/v3/trace-summaries?${window()}`, "tok-all");
    expect(all.summaries.map((x: Body) => x.traceId)).toEqual([
      s.b2.traceId,
      s.b1.traceId,
      s.a2.traceId,
      s.a1.traceId,
      s.schedule.traceId,
    ]);
    const bad = await get("/api/v3/trace-summaries?query.serviceName=x");
    expect(bad.status).toBe(400);
  });
});

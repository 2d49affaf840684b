import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGoDuration } from "../src/jaeger/go-duration.ts";
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
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    body: (await res.json()) as Body,
  };
}

/** A 200 answer's `data`, after checking the rest of Jaeger's envelope. */
async function data(path: string, token?: string, total = 0) {
  const { status, body } = await get(path, token);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body).toEqual({ data: body.data, total, limit: 0, offset: 0, errors: null });
  return body.data;
}

const us = (ms: number) => ms * 1000;
const str = (key: string, value: string) => ({ key, type: "string", value });
const int = (key: string, value: number | string) => ({ key, type: "int64", value });
const bool = (key: string, value: boolean) => ({ key, type: "bool", value });
const float = (key: string, value: number) => ({ key, type: "float64", value });
const HEX16 = expect.stringMatching(/^[0-9a-f]{16}$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);
const NOT_FOUND = {
  data: null,
  total: 0,
  limit: 0,
  offset: 0,
  errors: [{ code: 404, msg: "trace not found" }],
};

/** Tag order is the attributes' order, which the protocol leaves open: compare by key. */
function sortedTags(trace: Body): Body {
  const byKey = (tags: Body[]) => [...tags].sort((a, b) => (a.key < b.key ? -1 : 1));
  return {
    ...trace,
    spans: trace.spans.map((span: Body) => ({ ...span, tags: byKey(span.tags) })),
    processes: Object.fromEntries(
      Object.entries(trace.processes).map(([id, p]: [string, Body]) => [
        id,
        { ...p, tags: byKey(p.tags) },
      ]),
    ),
  };
}

const traceIds = (traces: Body[]) => traces.map((t: Body) => t.traceID);

/** Run A1's trace as Jaeger's v1 model documents it, from the times and ids the test set. */
function expectedA1(): Body {
  const { T, a1, code, schedule } = s;
  const traceID = a1.traceId;
  const childOf = (spanID: string) => ({ refType: "CHILD_OF", traceID, spanID });
  const sdkTags = [str("otel.scope.name", SANDBOX_SCOPE.name), str("span.kind", "internal")];
  const runTags = [
    str("executor.execution.id", a1.executionId),
    str("executor.scope.id", "scope-a"),
  ];
  const toolTags = (path: string, ns: string) => [
    str("gen_ai.operation.name", "execute_tool"),
    str("gen_ai.tool.name", path),
    str("gen_ai.tool.call.id", UUID),
    str("executor.tool.path", path),
    str("executor.tool.namespace", ns),
    ...runTags,
    ...sdkTags,
  ];
  const span = (fields: Body) => ({
    traceID,
    logs: [],
    processID: "p2",
    warnings: null,
    ...fields,
  });
  return sortedTags({
    traceID,
    warnings: null,
    processes: {
      p1: { serviceName: GATEWAY, tags: [str("deployment.environment", "test")] },
      p2: { serviceName: SANDBOX, tags: [int("host.cores", 2), str("sandbox.pool", "blue")] },
    },
    spans: [
      span({
        spanID: a1.gateway!.spanId,
        operationName: "POST /runs",
        references: [],
        startTime: us(T),
        duration: us(300),
        tags: [
          str("http.request.method", "POST"),
          int("http.response.status_code", 200),
          str("otel.scope.name", GATEWAY_SCOPE.name),
          str("otel.scope.version", GATEWAY_SCOPE.version),
          str("span.kind", "server"),
        ],
        processID: "p1",
      }),
      span({
        spanID: a1.root.spanId,
        operationName: "executor.execution",
        references: [childOf(a1.gateway!.spanId)],
        startTime: us(T + 10),
        duration: us(240),
        tags: [
          ...runTags,
          int("executor.execution.created_at", T + 10),
          int("executor.execution.started_at", T + 10),
          int("executor.execution.completed_at", T + 250),
          int("executor.execution.segment", 1),
          int("executor.execution.seq", 4),
          str("executor.execution.status", "completed"),
          int("executor.execution.tool_call_count", 2),
          int("executor.execution.interaction_count", 1),
          str("executor.execution.tool_paths", '["github.issues.create","slack.chat.postMessage"]'),
          str("executor.execution.tool_path_calls", "[1,1]"),
          str("executor.runtime", "quickjs"),
          str("executor.execution.code", 'run("scope-a")'),
          str("executor.execution.result", '{"ok":true}'),
          ...sdkTags,
          str("otel.status_code", "OK"),
        ],
        logs: [
          {
            timestamp: us(T + 10),
            fields: [
              str("event", "log"),
              str("log.severity", "info"),
              str("log.message", "starting"),
            ],
          },
        ],
      }),
      span({
        spanID: code.spanId,
        operationName: "executor.code.exec.quickjs",
        references: [
          childOf(a1.root.spanId),
          { refType: "FOLLOWS_FROM", traceID: schedule.traceId, spanID: schedule.spanId },
        ],
        startTime: us(T + 12),
        duration: us(188),
        tags: [
          int("sandbox.memory_bytes", 1_048_576),
          bool("sandbox.cached", true),
          float("sandbox.cpu_ratio", 0.25),
          // 2^60 is past 2^53 − 1: a decimal string keeps it exact.
          int("sandbox.instructions", BigInt(BIG_INT).toString()),
          int("sandbox.offset", -7),
          str("sandbox.modules", '["fs","net"]'),
          ...sdkTags,
        ],
        logs: [
          {
            timestamp: us(T + 50),
            fields: [str("event", "gc"), int("gc.freed_bytes", 4096), bool("gc.major", false)],
          },
        ],
      }),
      span({
        spanID: HEX16,
        operationName: "execute_tool github.issues.create",
        references: [childOf(a1.root.spanId)],
        startTime: us(T + 15),
        duration: us(25),
        tags: [
          ...toolTags("github.issues.create", "github"),
          str("executor.tool.status", "completed"),
        ],
      }),
      span({
        spanID: HEX16,
        operationName: "executor.interaction",
        references: [childOf(a1.root.spanId)],
        startTime: us(T + 60),
        duration: us(30),
        tags: [
          str("executor.interaction.id", UUID),
          str("executor.interaction.kind", "form"),
          str("executor.interaction.status", "resolved"),
          int("executor.interaction.created_at", T + 60),
          str("executor.interaction.purpose", "confirm"),
          str("executor.interaction.payload", '{"q":1}'),
          str("executor.interaction.response", '{"action":"accept"}'),
          ...runTags,
          ...sdkTags,
        ],
      }),
      span({
        spanID: HEX16,
        operationName: "execute_tool slack.chat.postMessage",
        references: [childOf(a1.root.spanId)],
        startTime: us(T + 100),
        duration: us(30),
        tags: [
          ...toolTags("slack.chat.postMessage", "slack"),
          str("executor.tool.status", "failed"),
          str("executor.tool.error", "channel not found"),
          str("error.type", "Error"),
          str("otel.status_code", "ERROR"),
          bool("error", true),
          str("otel.status_description", "channel not found"),
        ],
        logs: [
          {
            timestamp: us(T + 130),
            fields: [
              str("event", "exception"),
              str("exception.type", "Error"),
              str("exception.message", "channel not found"),
              str("exception.stacktrace", expect.stringContaining("Error: channel not found")),
            ],
          },
        ],
      }),
    ],
  });
}

describe("GET /api/traces/{traceID}", () => {
  it("returns the run's trace in Jaeger's v1 model, tags with their original types", async () => {
    const [trace, ...rest] = await data(`/api/traces/${s.a1.traceId}`);
    expect(rest).toEqual([]);
    expect(sortedTags(trace)).toEqual(expectedA1());
  });

  it("accepts the id in upper case and base64, and ignores Grafana's millisecond start/end", async () => {
    const upper = await data(`/api/traces/${s.a1.traceId.toUpperCase()}`);
    const base64 = Buffer.from(s.a1.traceId, "hex").toString("base64");
    const b64 = await data(`/api/traces/${encodeURIComponent(base64)}`);
    const withTimes = await data(
      `/api/traces/${s.a1.traceId}?start=${s.T - 60_000}&end=${s.T + 60_000}`,
    );
    for (const answer of [upper, b64, withTimes]) expect(traceIds(answer)).toEqual([s.a1.traceId]);
  });

  it("answers an unknown id with Jaeger's 404 envelope", async () => {
    const unknown = await get("/api/traces/0123456789abcdef0123456789abcdef");
    expect(unknown.status).toBe(404);
    expect(unknown.type).toMatch(/^application\/json/);
    expect(unknown.body).toEqual(NOT_FOUND);
    // A 16-digit id is a 64-bit id: the stored 128-bit one does not match it.
    const short = await get(`/api/traces/${s.a1.traceId.slice(16)}`);
    expect(short).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("answers a malformed id with a 400 naming the parameter", async () => {
    const { status, body } = await get("/api/traces/not-a-trace-id");
    expect(status).toBe(400);
    expect(body).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 400, msg: expect.stringContaining("'traceID'") }],
    });
  });

  it("keeps the reference of a span whose parent is not in the trace", async () => {
    const [trace] = await data(`/api/traces/${s.b2.traceId}`);
    expect(trace.spans.map((sp: Body) => sp.operationName)).toEqual([
      "executor.execution",
      "webhook.callback",
    ]);
    expect(trace.spans[1]).toMatchObject({
      spanID: s.orphan.spanId,
      references: [{ refType: "CHILD_OF", traceID: s.b2.traceId, spanID: ORPHAN_PARENT }],
      startTime: us(s.orphan.start),
      duration: us(2),
      tags: [str("otel.scope.name", SANDBOX_SCOPE.name), str("span.kind", "consumer")],
    });
  });

  it("indents the answer with prettyPrint=true", async () => {
    const res = await fetch(`${s.api.url}/api/traces/${s.b2.traceId}?prettyPrint=true`);
    const text = await res.text();
    expect(text.startsWith('{\n  "data": [')).toBe(true);
    expect(JSON.parse(text).data[0].traceID).toBe(s.b2.traceId);
  });
});

describe("GET /api/services and operations", () => {
  it("lists both services, with total", async () => {
    expect(await data("/api/services", undefined, 2)).toEqual([GATEWAY, SANDBOX]);
  });

  it("lists a service's span names, never the state span", async () => {
    expect(await data(`/api/services/${GATEWAY}/operations`, undefined, 2)).toEqual([
      "POST /runs",
      "schedule",
    ]);
    const sandbox = await data(`/api/services/${SANDBOX}/operations`, undefined, 8);
    expect(sandbox).toEqual([
      "execute_tool github.issues.create",
      "execute_tool github.repos.get",
      "execute_tool jira.issue.get",
      "execute_tool slack.chat.postMessage",
      "executor.code.exec.quickjs",
      "executor.execution",
      "executor.interaction",
      "webhook.callback",
    ]);
    expect(sandbox).not.toContain(SPAN_EXECUTION_STATE);
  });

  it("lists operations with their kind, filtered by spanKind", async () => {
    expect(await data(`/api/operations?service=${GATEWAY}`, undefined, 2)).toEqual([
      { name: "POST /runs", spanKind: "server" },
      { name: "schedule", spanKind: "producer" },
    ]);
    expect(await data(`/api/operations?service=${GATEWAY}&spanKind=server`, undefined, 1)).toEqual([
      { name: "POST /runs", spanKind: "server" },
    ]);
    expect(await data(`/api/operations?service=${SANDBOX}&spanKind=client`)).toEqual([]);
    expect(await data("/api/operations?service=no-such-service")).toEqual([]);
  });

  it("needs a service and a known span kind", async () => {
    const missing = await get("/api/operations");
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ code: 400, msg: "parameter 'service' is required" }]);
    const kind = await get(`/api/operations?service=${GATEWAY}&spanKind=sideways`);
    expect(kind.status).toBe(400);
    expect(kind.body.errors[0].msg).toContain("'spanKind'");
  });
});

describe("GET /api/traces (search)", () => {
  const search = async (query: string, token?: string) =>
    traceIds(await data(`/api/traces?${query}`, token));

  it("finds a service's traces, most recent first, as whole traces", async () => {
    const traces = await data(`/api/traces?service=${SANDBOX}`);
    expect(traceIds(traces)).toEqual([s.b2.traceId, s.b1.traceId, s.a2.traceId, s.a1.traceId]);
    // Every span of a found trace comes back, the gateway's too.
    expect(sortedTags(traces[3])).toEqual(expectedA1());
    expect(traces[1].spans.map((sp: Body) => sp.operationName)).toEqual([
      "POST /runs",
      "executor.execution",
      "execute_tool jira.issue.get",
    ]);
  });

  it("limits the number of traces", async () => {
    expect(await search(`service=${SANDBOX}&limit=2`)).toEqual([s.b2.traceId, s.b1.traceId]);
  });

  it("finds by operation", async () => {
    expect(await search(`service=${SANDBOX}&operation=execute_tool%20github.repos.get`)).toEqual([
      s.a2.traceId,
    ]);
    expect(await search(`service=${GATEWAY}&operation=schedule`)).toEqual([s.schedule.traceId]);
  });

  it("finds by tag and tags, typed values compared as text", async () => {
    expect(await search(`service=${SANDBOX}&tag=sandbox.cached:true`)).toEqual([s.a1.traceId]);
    expect(await search(`service=${SANDBOX}&tag=sandbox.memory_bytes:1048576`)).toEqual([
      s.a1.traceId,
    ]);
    const tags = encodeURIComponent(JSON.stringify({ "executor.tool.path": "jira.issue.get" }));
    expect(await search(`service=${SANDBOX}&tags=${tags}`)).toEqual([s.b1.traceId]);
    // Both conditions on one span: the gateway's method and its status code.
    const both = encodeURIComponent(
      JSON.stringify({ "http.request.method": "POST", "http.response.status_code": "200" }),
    );
    expect(await search(`service=${GATEWAY}&tags=${both}`)).toEqual([
      s.b1.traceId,
      s.a2.traceId,
      s.a1.traceId,
    ]);
    // A resource attribute matches too.
    expect(await search(`service=${GATEWAY}&tag=deployment.environment:test&limit=1`)).toEqual([
      s.b1.traceId,
    ]);
    // error=true is what the trace view shows for ERROR spans: it finds them.
    expect(await search(`service=${SANDBOX}&tag=error:true`)).toEqual([s.b1.traceId, s.a1.traceId]);
    expect(await search(`service=${SANDBOX}&tag=sandbox.cached:false`)).toEqual([]);
  });

  it("finds by span duration, Go duration syntax, bounds inclusive", async () => {
    const exec = `service=${SANDBOX}&operation=executor.execution`;
    expect(await search(`${exec}&minDuration=1s500ms`)).toEqual([s.a2.traceId]);
    expect(await search(`${exec}&maxDuration=100ms`)).toEqual([s.b2.traceId, s.b1.traceId]);
    expect(await search(`${exec}&minDuration=240000us&maxDuration=0.24s`)).toEqual([s.a1.traceId]);
    expect(await search(`${exec}&minDuration=240001µs`)).toEqual([s.a2.traceId]);
    expect(await search(`${exec}&minDuration=1m30s`)).toEqual([]);
    expect(await search(`${exec}&minDuration=&maxDuration=`)).toHaveLength(4);
  });

  it("searches the start/end window (µs), by default the last two days", async () => {
    const { T } = s;
    expect(await search(`service=${SANDBOX}&start=${us(T + 30_000)}`)).toEqual([
      s.b2.traceId,
      s.b1.traceId,
      s.a2.traceId,
    ]);
    expect(await search(`service=${SANDBOX}&start=${us(T)}&end=${us(T + 30_000)}`)).toEqual([
      s.a1.traceId,
    ]);
    expect(await search(`service=${SANDBOX}&end=${us(T - 60_000)}`)).toEqual([]);
    // No service: every service's traces, the run-less schedule trace included.
    expect(await search(`start=${us(T - 10_000)}&end=${us(T + 1_000)}`)).toEqual([
      s.a1.traceId,
      s.schedule.traceId,
    ]);
  });

  it("returns the traces asked for by traceID and names the missing ones", async () => {
    const missing = "00000000000000000123456789abcdef";
    const { status, body } = await get(
      `/api/traces?traceID=${s.a2.traceId}&traceID=${s.b2.traceId}&traceID=${missing}`,
    );
    expect(status).toBe(200);
    expect(traceIds(body.data)).toEqual([s.a2.traceId, s.b2.traceId]);
    // Jaeger prints an id whose high 64 bits are zero with 16 digits.
    expect(body).toMatchObject({
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ msg: "trace not found", traceID: "0123456789abcdef" }],
    });
  });

  it.each([
    ["minDuration=5", "minDuration"],
    ["maxDuration=1x", "maxDuration"],
    ["minDuration=2s&maxDuration=1s", "maxDuration"],
    ["limit=-1", "limit"],
    ["limit=ten", "limit"],
    ["start=yesterday", "start"],
    ["end=1.5", "end"],
    [`start=${us(Date.now())}&end=${us(Date.now() - 1000)}`, "start"],
    ["tags=%7Bnot-json", "tags"],
    ["tags=%5B1%2C2%5D", "tags"],
    ["tag=novalue", "tag"],
    ["traceID=xyz", "traceID"],
  ])("answers %s with a 400 naming %s", async (query, parameter) => {
    const { status, body } = await get(`/api/traces?service=${SANDBOX}&${query}`);
    expect(status).toBe(400);
    expect(body).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 400, msg: expect.stringContaining(`'${parameter}'`) }],
    });
  });
});

describe("GET /api/dependencies", () => {
  it("counts calls from the gateway to the sandbox (default: the last 24 hours)", async () => {
    expect(await data("/api/dependencies")).toEqual([
      { parent: GATEWAY, child: SANDBOX, callCount: 3 },
    ]);
  });

  it("counts only calls in [endTs − lookback, endTs] (ms)", async () => {
    const { T } = s;
    expect(await data(`/api/dependencies?endTs=${T + 90_000}&lookback=200000`)).toEqual([
      { parent: GATEWAY, child: SANDBOX, callCount: 2 },
    ]);
    expect(await data(`/api/dependencies?endTs=${T + 500}&lookback=1000`)).toEqual([
      { parent: GATEWAY, child: SANDBOX, callCount: 1 },
    ]);
    expect(await data(`/api/dependencies?endTs=${T - 60_000}`)).toEqual([]);
    expect(await data(`/api/dependencies?service=nobody`)).toEqual([]);
  });

  it("answers a malformed endTs or lookback with a 400", async () => {
    for (const [query, parameter] of [
      ["endTs=soon", "endTs"],
      ["lookback=1h", "lookback"],
    ]) {
      const { status, body } = await get(`/api/dependencies?${query}`);
      expect(status).toBe(400);
      expect(body.errors[0].msg).toContain(`'${parameter}'`);
    }
  });
});

describe("bearer-token scopes", () => {
  it("needs a token once tokens are configured", async () => {
    const res = await fetch(`${s.scoped.url}/api/services`);
    expect(res.status).toBe(401);
  });

  it("answers another scope's trace, or a trace without runs, exactly like an unknown one", async () => {
    for (const id of [s.b1.traceId, s.schedule.traceId, "0123456789abcdef0123456789abcdef"]) {
      const { status, body } = await get(`/api/traces/${id}`, "tok-a");
      expect(status).toBe(404);
      expect(body).toEqual(NOT_FOUND);
    }
    expect(traceIds(await data(`/api/traces/${s.a1.traceId}`, "tok-a"))).toEqual([s.a1.traceId]);
    expect(traceIds(await data(`/api/traces/${s.b1.traceId}`, "tok-b"))).toEqual([s.b1.traceId]);
    expect(traceIds(await data(`/api/traces/${s.schedule.traceId}`, "tok-all"))).toEqual([
      s.schedule.traceId,
    ]);
    const multi = await get(`/api/traces?traceID=${s.a1.traceId}&traceID=${s.b1.traceId}`, "tok-a");
    expect(traceIds(multi.body.data)).toEqual([s.a1.traceId]);
    expect(multi.body.errors).toEqual([{ msg: "trace not found", traceID: s.b1.traceId }]);
  });

  it("searches only the scope's traces", async () => {
    const search = async (query: string, token: string) =>
      traceIds(await data(`/api/traces?${query}`, token));
    expect(await search(`service=${SANDBOX}`, "tok-a")).toEqual([s.a2.traceId, s.a1.traceId]);
    expect(await search(`service=${SANDBOX}`, "tok-b")).toEqual([s.b2.traceId, s.b1.traceId]);
    expect(await search(`service=${SANDBOX}&limit=1`, "tok-a")).toEqual([s.a2.traceId]);
    expect(await search(`service=${SANDBOX}&tag=error:true`, "tok-a")).toEqual([s.a1.traceId]);
    expect(await search(`service=${GATEWAY}`, "tok-a")).toEqual([s.a2.traceId, s.a1.traceId]);
    expect(await search(`service=${GATEWAY}`, "tok-all")).toEqual([
      s.b1.traceId,
      s.a2.traceId,
      s.a1.traceId,
      s.schedule.traceId,
    ]);
  });

  it("lists services, operations and dependencies of visible traces only", async () => {
    expect(await data("/api/services", "tok-a", 2)).toEqual([GATEWAY, SANDBOX]);
    expect(await data(`/api/services/${GATEWAY}/operations`, "tok-a", 1)).toEqual(["POST /runs"]);
    expect(await data(`/api/services/${SANDBOX}/operations`, "tok-b", 3)).toEqual([
      "execute_tool jira.issue.get",
      "executor.execution",
      "webhook.callback",
    ]);
    expect(await data(`/api/operations?service=${GATEWAY}`, "tok-b", 1)).toEqual([
      { name: "POST /runs", spanKind: "server" },
    ]);
    expect(await data("/api/dependencies", "tok-a")).toEqual([
      { parent: GATEWAY, child: SANDBOX, callCount: 2 },
    ]);
    expect(await data("/api/dependencies", "tok-b")).toEqual([
      { parent: GATEWAY, child: SANDBOX, callCount: 1 },
    ]);
  });
});

describe("Go durations", () => {
  it.each([
    ["0", 0n],
    ["1ns", 1n],
    ["1us", 1_000n],
    ["1µs", 1_000n],
    ["1μs", 1_000n],
    ["1.5ms", 1_500_000n],
    ["2s", 2_000_000_000n],
    ["1m30s", 90_000_000_000n],
    ["1h2m3.5s", 3_723_500_000_000n],
    [".5s", 500_000_000n],
    ["+3ms", 3_000_000n],
  ])("reads %s as %s ns", (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  it.each(["", "5", "1x", "ms", "1.s.", "-1s", "1m 30s", ".s"])("refuses %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder, type ExecutionRecorder } from "@runtrace/sdk";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchingWriter,
  type ClickHouse,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
  type StoredRun,
  selectRuns,
} from "../../src/index.ts";

/**
 * The real OpenTelemetry SDK, driven through @runtrace/sdk, exporting through
 * ClickHouseSpanExporter into embedded ClickHouse; every assertion reads the tables back.
 */

let ch: ClickHouse;
let writer: BatchingWriter;
const BASE = Date.now() - 3_600_000;
let clock = BASE;
const now = () => clock;
const tick = (ms: number) => {
  clock += ms;
};

beforeAll(async () => {
  ch = await openMigrated();
  writer = new BatchingWriter(ch, { flushIntervalMillis: 5 });
});
afterAll(async () => {
  await writer.close();
  await ch.close();
});

/** One "process": a tracer provider exporting to ClickHouse, and a recorder on it. */
function runtimeProcess(options: { maxValueBytes?: number; meter?: MeterProvider } = {}) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "sdk-runs-test" }),
    spanProcessors: [new SimpleSpanProcessor(new ClickHouseSpanExporter({ writer }))],
  });
  const recorder = createExecutionRecorder({
    tracer: provider.getTracer("sdk-runs-test"),
    meter: options.meter?.getMeter("sdk-runs-test"),
    now,
    runtime: "quickjs",
    recordToolArgs: true,
    recordToolResults: true,
    maxValueBytes: options.maxValueBytes,
  });
  return { provider, recorder, flush: () => provider.forceFlush() };
}

async function runsOf(scopeId: string): Promise<Map<string, StoredRun>> {
  const runs = await selectRuns(ch, { scopeId });
  const byId = new Map<string, StoredRun>();
  for (const run of runs) {
    expect(byId.has(run.execution_id), `one row for ${run.execution_id}`).toBe(false);
    byId.set(run.execution_id, run);
  }
  return byId;
}

async function toolCalls(executionId: string) {
  return ch.select<{
    tool_path: string;
    namespace: string;
    status: string;
    error: string;
    args: string;
    result: string;
  }>(
    "SELECT tool_path, namespace, status, error, args, result FROM tool_calls WHERE execution_id = {id:String} ORDER BY started_at, tool_path",
    { id: executionId },
  );
}

/**
 * The run's rows that count: versions of `executions` not superseded by a later one (a span
 * arriving after the final one adds a version), and snapshots left in `execution_states`.
 */
async function rowCounts(executionId: string): Promise<{ finals: number; states: number }> {
  const rows = await ch.select<{ finals: number; states: number }>(
    `SELECT (SELECT count() FROM executions WHERE execution_id = {id:String}
               AND row_id NOT IN (SELECT row_id FROM superseded_executions)) AS finals,
            (SELECT count() FROM execution_states WHERE execution_id = {id:String}) AS states`,
    { id: executionId },
  );
  return rows[0]!;
}

describe("runs recorded through @runtrace/sdk", () => {
  let meterProvider: MeterProvider;
  let metricReader: PeriodicExportingMetricReader;

  it("stores all six statuses with their fields", async () => {
    metricReader = new PeriodicExportingMetricReader({
      exporter: new ClickHouseMetricExporter({ writer }),
      exportIntervalMillis: 3_600_000,
    });
    meterProvider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "sdk-runs-test" }),
      readers: [metricReader],
    });
    const { recorder, flush } = runtimeProcess({ meter: meterProvider });
    const scopeId = "six";

    recorder.create(
      { scopeId, code: "queued()", id: "s-pending", trigger: { kind: "http" } },
      { start: false },
    );
    tick(10);
    recorder.create({ scopeId, code: "spin()", id: "s-running", trigger: { kind: "cli" } });
    tick(10);
    const waiting = recorder.create({
      scopeId,
      code: "ask()",
      id: "s-waiting",
      trigger: { kind: "mcp" },
    });
    waiting.interaction({
      kind: "form",
      purpose: "Approve?",
      payload: { requestedSchema: { type: "object" } },
    });
    tick(10);

    const result = await recorder.run(
      {
        scopeId,
        code: "await tools.github.issues.create({ title: 't' })",
        id: "s-completed",
        trigger: { kind: "cli", meta: { user: "ana" } },
      },
      async (execution) => {
        tick(5);
        await execution.toolCall(
          { path: "github.issues.create", args: { title: "t" } },
          async () => {
            tick(120);
            return { number: 7 };
          },
        );
        execution.log("created #7");
        execution.log("rate limit close", "warn");
        const approval = execution.interaction({
          kind: "url",
          purpose: "Sign in",
          payload: { url: "https://x" },
        });
        tick(30);
        approval.resolve({ action: "accept" });
        await execution.toolCall({ path: "slack.post" }, () => "ok");
        tick(45);
        return { issue: 7 };
      },
    );
    expect(result).toEqual({ issue: 7 });

    await expect(
      recorder.run(
        { scopeId, code: "boom()", id: "s-failed", trigger: { kind: "http" } },
        async (execution) => {
          tick(3);
          await execution
            .toolCall({ path: "db.query" }, () => {
              throw new TypeError("relation missing");
            })
            .catch(() => undefined);
          throw new RangeError("index out of range");
        },
      ),
    ).rejects.toThrow("index out of range");

    const cancelled = recorder.create({ scopeId, code: "forever()", id: "s-cancelled" });
    const elicitation = cancelled.interaction({ kind: "form", purpose: "Continue?" });
    tick(20);
    elicitation.cancel({ action: "cancel" });
    cancelled.cancel("Execution cancelled by user");
    await flush();

    const runs = await runsOf(scopeId);
    expect([...runs.keys()].sort()).toEqual([
      "s-cancelled",
      "s-completed",
      "s-failed",
      "s-pending",
      "s-running",
      "s-waiting",
    ]);
    expect(runs.get("s-pending")).toMatchObject({
      status: "pending",
      started_at_ms: null,
      trigger_kind: "http",
      final: 0,
    });
    expect(runs.get("s-running")).toMatchObject({
      status: "running",
      started_at_ms: BASE + 10,
      trigger_kind: "cli",
    });
    expect(runs.get("s-waiting")).toMatchObject({
      status: "waiting_for_interaction",
      trigger_kind: "mcp",
      has_elicitation: true,
      pending_interaction_kind: "form",
      pending_interaction_purpose: "Approve?",
      pending_interaction_payload: JSON.stringify({ requestedSchema: { type: "object" } }),
    });
    const completed = runs.get("s-completed")!;
    expect(completed).toMatchObject({
      status: "completed",
      final: 1,
      trigger_kind: "cli",
      trigger_meta: JSON.stringify({ user: "ana" }),
      runtime: "quickjs",
      code: "await tools.github.issues.create({ title: 't' })",
      result: JSON.stringify({ issue: 7 }),
      error: "",
      tool_call_count: 2,
      interaction_count: 1,
      has_elicitation: true,
      duration_ms: 5 + 120 + 30 + 45,
      service_name: "sdk-runs-test",
    });
    expect(completed.completed_at_ms! - completed.started_at_ms!).toBe(completed.duration_ms);
    expect(JSON.parse(completed.logs)).toEqual([
      expect.objectContaining({ severity: "info", message: "created #7" }),
      expect.objectContaining({ severity: "warn", message: "rate limit close" }),
    ]);
    expect(await toolCalls("s-completed")).toEqual([
      {
        tool_path: "github.issues.create",
        namespace: "github",
        status: "completed",
        error: "",
        args: '{"title":"t"}',
        result: '{"number":7}',
      },
      {
        tool_path: "slack.post",
        namespace: "slack",
        status: "completed",
        error: "",
        args: "",
        result: '"ok"',
      },
    ]);
    const interactions = await ch.select<Record<string, unknown>>(
      "SELECT execution_id, kind, purpose, status, payload, response FROM interactions WHERE scope_id = 'six' ORDER BY execution_id",
    );
    expect(interactions).toEqual([
      {
        execution_id: "s-cancelled",
        kind: "form",
        purpose: "Continue?",
        status: "cancelled",
        payload: "",
        response: '{"action":"cancel"}',
      },
      {
        execution_id: "s-completed",
        kind: "url",
        purpose: "Sign in",
        status: "resolved",
        payload: '{"url":"https://x"}',
        response: '{"action":"accept"}',
      },
    ]);

    expect(runs.get("s-failed")).toMatchObject({
      status: "failed",
      error: "index out of range",
      error_type: "RangeError",
      tool_call_count: 1,
    });
    expect(await toolCalls("s-failed")).toEqual([
      {
        tool_path: "db.query",
        namespace: "db",
        status: "failed",
        error: "relation missing",
        args: "",
        result: "",
      },
    ]);
    expect(runs.get("s-cancelled")).toMatchObject({
      status: "cancelled",
      error: "Execution cancelled by user",
      has_elicitation: true,
    });
    // Finished runs left no snapshots behind.
    for (const id of ["s-completed", "s-failed", "s-cancelled"])
      expect(await rowCounts(id)).toEqual({ finals: 1, states: 0 });
  });

  it("records the four metrics through the same calls", async () => {
    await metricReader.forceFlush();
    const outcomes = await ch.select<{ status: string; trigger: string; value: number }>(
      `SELECT Attributes['executor.execution.status'] AS status, Attributes['executor.trigger.kind'] AS trigger, Value AS value
       FROM otel_metrics_sum WHERE MetricName = 'executor.execution.outcomes' AND Attributes['executor.scope.id'] = 'six'
       ORDER BY status`,
    );
    expect(outcomes).toEqual([
      { status: "cancelled", trigger: "unknown", value: 1 },
      { status: "completed", trigger: "cli", value: 1 },
      { status: "failed", trigger: "http", value: 1 },
    ]);
    const tools = await ch.select<{ path: string; status: string; value: number }>(
      `SELECT Attributes['executor.tool.path'] AS path, Attributes['executor.tool.status'] AS status, Value AS value
       FROM otel_metrics_sum WHERE MetricName = 'executor.tool_calls' ORDER BY path`,
    );
    expect(tools).toEqual([
      { path: "db.query", status: "failed", value: 1 },
      { path: "github.issues.create", status: "completed", value: 1 },
      { path: "slack.post", status: "completed", value: 1 },
    ]);
    const durations = await ch.select<{ name: string; count: number; unit: string }>(
      `SELECT MetricName AS name, sum(Count) AS count, any(MetricUnit) AS unit FROM otel_metrics_histogram
       GROUP BY MetricName ORDER BY MetricName`,
    );
    expect(durations).toEqual([
      { name: "executor.execution.duration_ms", count: 3, unit: "ms" },
      { name: "executor.tool_call.duration_ms", count: 3, unit: "ms" },
    ]);
    await meterProvider.shutdown();
  });

  it("cuts a value at maxValueBytes and flags it", async () => {
    const { recorder, flush } = runtimeProcess({ maxValueBytes: 64 });
    await recorder.run({ scopeId: "cut", code: `// ${"é".repeat(100)}`, id: "cut-1" }, () =>
      "x".repeat(500),
    );
    await flush();
    const run = (await runsOf("cut")).get("cut-1")!;
    expect(run.code_truncated).toBe(true);
    expect(Buffer.byteLength(run.code)).toBeLessThanOrEqual(64);
    expect(run.code.startsWith("// éé")).toBe(true);
    expect(run.result_truncated).toBe(true);
  });

  it("shows a running execution before it ends, then counts it once as completed", async () => {
    const { recorder, flush } = runtimeProcess();
    const execution = recorder.create({ scopeId: "live", code: "work()", id: "live-1" });
    await execution.toolCall({ path: "a.b" }, () => 1);
    await flush();
    let runs = await runsOf("live");
    expect(runs.get("live-1")).toMatchObject({ status: "running", final: 0 });
    tick(100);
    execution.complete(42);
    await flush();
    runs = await runsOf("live");
    expect(runs.size).toBe(1);
    expect(runs.get("live-1")).toMatchObject({
      status: "completed",
      result: "42",
      tool_call_count: 1,
      final: 1,
    });
    expect(await rowCounts("live-1")).toEqual({ finals: 1, states: 0 });
  });

  it("joins a paused run resumed by another process into one run", async () => {
    const first = runtimeProcess();
    const started = clock;
    const execution = first.recorder.create({
      scopeId: "pause",
      code: "step()",
      id: "pause-1",
      trigger: { kind: "mcp" },
    });
    await execution.toolCall({ path: "fs.read" }, () => "a");
    await execution.toolCall({ path: "fs.write" }, () => "b");
    execution.log("before pause");
    execution.interaction({ kind: "form", purpose: "Proceed?" });
    tick(1_000);
    const state = JSON.parse(JSON.stringify(execution.pause()));
    await first.provider.shutdown();
    let runs = await runsOf("pause");
    expect(runs.get("pause-1")).toMatchObject({
      status: "waiting_for_interaction",
      tool_call_count: 2,
      final: 0,
    });

    tick(60_000);
    const second = runtimeProcess();
    const resumed = second.recorder.resume(state, { action: "accept" });
    resumed.pendingInteraction?.resolve({ action: "accept" });
    await resumed.toolCall({ path: "fs.delete" }, () => "c");
    resumed.log("after resume");
    tick(500);
    resumed.complete("done");
    await second.provider.shutdown();

    runs = await runsOf("pause");
    expect(runs.size).toBe(1);
    const run = runs.get("pause-1")!;
    expect(run).toMatchObject({
      status: "completed",
      tool_call_count: 3,
      interaction_count: 1,
      started_at_ms: started,
      duration_ms: 1_000 + 60_000 + 500,
      trigger_kind: "mcp",
      code: "step()",
      result: '"done"',
      segment: 2,
      trace_id: execution.traceId,
    });
    expect(JSON.parse(run.logs).map((l: { message: string }) => l.message)).toEqual([
      "before pause",
      "after resume",
    ]);
    expect((await toolCalls("pause-1")).map((t) => t.tool_path)).toEqual([
      "fs.read",
      "fs.write",
      "fs.delete",
    ]);
    const interactions = await ch.select<{ status: string }>(
      "SELECT status FROM interactions WHERE execution_id = 'pause-1'",
    );
    expect(interactions).toEqual([{ status: "resolved" }]);
    expect(await rowCounts("pause-1")).toEqual({ finals: 1, states: 0 });
  });
});

/** Records a run in memory so its spans can be delivered in any order. */
async function recordedSpans(id: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const recorder: ExecutionRecorder = createExecutionRecorder({
    tracer: provider.getTracer("order"),
    now,
  });
  const execution = recorder.create({ scopeId: "order", code: "x()", id }, { start: false });
  execution.start();
  await execution.toolCall({ path: "t.one" }, () => 1);
  const ask = execution.interaction({ kind: "url", purpose: "Login" });
  ask.resolve({});
  tick(7);
  execution.complete("final");
  const spans = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return spans;
}

function exportSpans(spans: ReadableSpan[]): Promise<number> {
  const exporter = new ClickHouseSpanExporter({ writer });
  return new Promise((resolve) => exporter.export(spans, (r) => resolve(r.code)));
}

describe("delivery order", () => {
  const isState = (s: ReadableSpan) => s.name === "executor.execution.state";
  const isFinal = (s: ReadableSpan) => s.name === "executor.execution";
  const orders: Record<string, (spans: ReadableSpan[]) => ReadableSpan[][]> = {
    "states, then the final span": (s) => s.map((x) => [x]),
    "final span before every state": (s) =>
      [...s.filter(isFinal), ...s.filter((x) => !isFinal(x))].map((x) => [x]),
    "a state after the final span": (s) => {
      const states = s.filter(isState);
      return [
        ...states.slice(0, -1),
        ...s.filter((x) => !isState(x)),
        states[states.length - 1]!,
      ].map((x) => [x]);
    },
    "everything delivered twice": (s) => [...s, ...s].map((x) => [x]),
    "reversed, in one batch": (s) => [[...s].reverse()],
    "duplicates inside one batch": (s) => [[...s, ...s]],
  };

  let n = 0;
  for (const [name, order] of Object.entries(orders)) {
    it(`keeps exactly one row with the final state: ${name}`, async () => {
      const id = `order-${++n}`;
      const spans = await recordedSpans(id);
      expect(spans.filter(isState).length).toBeGreaterThanOrEqual(3);
      for (const batch of order(spans)) expect(await exportSpans(batch)).toBe(0);
      const runs = await runsOf("order");
      expect(runs.get(id)).toMatchObject({
        status: "completed",
        result: '"final"',
        tool_call_count: 1,
        interaction_count: 1,
      });
      // Readers skip superseded snapshots at once; a flush also deletes them.
      await writer.flush();
      expect(await rowCounts(id)).toEqual({ finals: 1, states: 0 });
      expect((await toolCalls(id)).length).toBe(1);
      const traced = await ch.select<{ n: number }>(
        "SELECT count() AS n FROM otel_traces WHERE SpanAttributes['executor.execution.id'] = {id:String}",
        { id },
      );
      expect(traced[0]!.n).toBe(spans.filter((s) => !isState(s)).length);
    });
  }
});

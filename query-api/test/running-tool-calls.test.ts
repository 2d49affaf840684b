/**
 * A tool call still running: the real SDK reports it in a state span once it has run long
 * enough (its own span is exported only when it ends), and `/v1/executions/:id/tool-calls`
 * lists it as `running` until its span is stored — whichever of the two arrives first, in
 * one request or split across several.
 */
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type Listening, listen } from "@runtrace/collector";
import { createExecutionRecorder } from "@runtrace/sdk";
import { SPAN_EXECUTION_STATE, toolSpanName } from "@runtrace/semconv";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { contractCheck } from "./contract-check.ts";

interface Call {
  id: string;
  toolPath: string;
  status: string;
  startedAt: number;
  completedAt: number | null;
  durationMs: number | null;
  spanId: string | null;
}

let collector: RunningCollector;
let api: Listening;
/** The same data, read by an API for which a run silent for 1 ms is stale. */
let impatient: Listening;

beforeAll(async () => {
  collector = await startTestCollector();
  api = await listen(
    createQueryApiApp({
      checkAnswer: contractCheck(),
      clickhouse: collector.ch,
      staleAfterMs: 3_600_000,
    }),
    0,
    "127.0.0.1",
  );
  impatient = await listen(
    createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: collector.ch, staleAfterMs: 1 }),
    0,
    "127.0.0.1",
  );
}, 60_000);

afterAll(async () => {
  await impatient?.close();
  await api?.close();
  await collector?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function callsOf(id: string, server = api): Promise<Call[]> {
  const res = await fetch(`${server.url}/v1/executions/${id}/tool-calls`);
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  return ((await res.json()) as { toolCalls: Call[] }).toolCalls;
}

/** Sends spans over OTLP/HTTP protobuf with the real exporter, as one request. */
function send(spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${collector.url}/v1/traces` });
  return new Promise((resolve, reject) =>
    exporter.export(spans, (result) =>
      result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error),
    ),
  );
}

/**
 * One run recorded by the real SDK into memory: a quick call, then a call held open past the
 * report threshold (so a state span lists it), then released; the run stays unfinished.
 */
async function recordRun(scopeId: string): Promise<{
  id: string;
  spans: ReadableSpan[];
  /** Everything but the held call's own span: what a collector has while it still runs. */
  whileRunning: ReadableSpan[];
  held: ReadableSpan;
  quickPath: string;
  heldPath: string;
}> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "running-calls-test" }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const recorder = createExecutionRecorder({
    tracer: provider.getTracer("test"),
    reportRunningToolCallsAfterMs: 20,
  });
  const exec = recorder.create({ scopeId, code: "await tools.ci.pipeline.wait()" });
  await exec.toolCall({ path: "ci.pipeline.run" }, () => "ok");
  // Apart by a few ms: calls are listed in start order.
  await sleep(5);
  let release: () => void = () => {};
  const held = exec.toolCall(
    { path: "ci.pipeline.wait" },
    () => new Promise<void>((resolve) => (release = resolve)),
  );
  await sleep(80);
  const whileRunning = [...memory.getFinishedSpans()];
  release();
  await held;
  const spans = [...memory.getFinishedSpans()];
  const heldSpan = spans.find((s) => s.name === toolSpanName("ci.pipeline.wait"));
  if (!heldSpan) throw new Error("no span for the held call");
  expect(whileRunning.some((s) => s.name === SPAN_EXECUTION_STATE)).toBe(true);
  return {
    id: exec.id,
    spans,
    whileRunning,
    held: heldSpan,
    quickPath: "ci.pipeline.run",
    heldPath: "ci.pipeline.wait",
  };
}

/** Waits until the run's calls read: the quick one completed, the held one `held`. */
async function settlesTo(run: { id: string; quickPath: string; heldPath: string }, held: string) {
  await expect
    .poll(() => callsOf(run.id).then((calls) => calls.map((c) => [c.toolPath, c.status])), {
      timeout: 15_000,
    })
    .toEqual([
      [run.quickPath, "completed"],
      [run.heldPath, held],
    ]);
}

describe("a tool call in flight", () => {
  it("is listed as running until its span is stored, then once, completed", async () => {
    const run = await recordRun("scope-running");
    await send(run.whileRunning);
    const startedAt = run.held.startTime[0] * 1000 + Math.floor(run.held.startTime[1] / 1e6);
    await settlesTo(run, "running");
    const [, running] = await callsOf(run.id);
    expect(running).toMatchObject({
      id: run.held.attributes["gen_ai.tool.call.id"],
      startedAt,
      completedAt: null,
      durationMs: null,
      spanId: null,
    });
    // A stale run (its runtime may be gone) lists no call in flight.
    expect((await callsOf(run.id, impatient)).map((c) => [c.toolPath, c.status])).toEqual([
      [run.quickPath, "completed"],
    ]);
    // Its span arrives: the same call, once, completed.
    await send([run.held]);
    await settlesTo(run, "completed");
    expect((await callsOf(run.id))[1]?.spanId).toBe(run.held.spanContext().spanId);
  });

  it.each([
    ["in one request", (spans: ReadableSpan[]) => [spans]],
    [
      "in reverse order, one span a request",
      (spans: ReadableSpan[]) => [...spans].reverse().map((s) => [s]),
    ],
    [
      "the call's span first, the rest later",
      (spans: ReadableSpan[]) => {
        const call = spans.filter((s) => s.name.startsWith("execute_tool"));
        return [call, spans.filter((s) => !call.includes(s))];
      },
    ],
  ])(
    "is not listed as running once its span is stored, whatever the order: %s",
    async (_name, split) => {
      const run = await recordRun(`scope-order-${_name.length}`);
      for (const request of split(run.spans)) await send(request);
      await settlesTo(run, "completed");
      // Settled: nothing more turns up.
      await sleep(300);
      expect((await callsOf(run.id)).map((c) => c.status)).toEqual(["completed", "completed"]);
    },
  );
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type ClickHouse, createClickHouse, migrate } from "@runtrace/clickhouse";
import { type Collector, createCollector, type Listening, listen } from "@runtrace/collector";
import { createExecutionRecorder } from "@runtrace/sdk";
import { SPAN_EXECUTION, SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { contractCheck } from "./contract-check.ts";

/**
 * Live mode against late, split, duplicated and concurrent deliveries: runs whose spans reach
 * one of two collectors (two writers on one engine) 0–8 s after the runs started, some in two
 * stages (running first, finished later). ClickHouse holds every insert of run rows open for
 * 1.5 s after stamping it (its own back-pressure on too many parts, set to delay every insert),
 * across polls. Two pollers follow `after` and `updatedSince`
 * once a second, as the README says to. What they saw is compared with the test's own record
 * of what it sent and when.
 */

// biome-ignore lint/suspicious/noExplicitAny: the pollers read JSON answers field by field.
type Json = any;

const SCOPE = "live";
const RUNS = 36;
const STALE_AFTER_MS = 4_000;
const POLL_MS = 1_000;
const HOLD_MS = 1_500;
const TOOLS = ["github.issues.create", "slack.chat.postMessage", "db.query"];

interface SentRun {
  id: string;
  status: "completed" | "failed" | "running";
  toolCalls: number;
  /** When the first request holding a row-bearing span (state or root) went out / was stored. */
  firstSentAt: number;
  firstStoredAt: number;
}

const sent = new Map<string, SentRun>();
let dataDir: string;
let chA: ClickHouse;
let chB: ClickHouse;
const collectors: { collector: Collector; server: Listening }[] = [];
let api: Listening;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "runtrace-live-"));
  chA = await createClickHouse({ dataDir, url: undefined });
  await migrate(chA);
  // A second handle on the same engine: a second writer whose inserts really overlap.
  chB = await createClickHouse({ dataDir, url: undefined });
  for (const ch of [chA, chB]) {
    const collector = createCollector(ch, { port: 0, host: "127.0.0.1" });
    collectors.push({ collector, server: await listen(collector.app, 0, "127.0.0.1") });
  }
  // Every insert of run rows waits HOLD_MS between its arrival stamp (in the ledger) and its
  // commit: ClickHouse's own back-pressure on too many parts, set to delay every insert.
  for (const table of ["run_arrivals", "execution_states"]) {
    await chA.command(`ALTER TABLE ${table} MODIFY SETTING parts_to_delay_insert = 1,
      parts_to_throw_insert = 100000, min_delay_to_insert_ms = ${HOLD_MS}`);
  }
  const app = createQueryApiApp({
    checkAnswer: contractCheck(),
    clickhouse: chA,
    staleAfterMs: STALE_AFTER_MS,
  });
  api = await listen(app, 0, "127.0.0.1");
}, 60_000);

afterAll(async () => {
  await api?.close();
  for (const { collector, server } of collectors) {
    await server.close();
    await collector.close();
  }
  await chB?.close();
  await chA?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(path: string): Promise<Json> {
  const res = await fetch(`${api.url}${path}`);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Sends spans through the real OTLP exporter to a collector; resolves once they are stored. */
function deliver(spans: ReadableSpan[], collector: number): Promise<void> {
  const exporter = new OTLPTraceExporter({
    url: `${collectors[collector]!.server.url}/v1/traces`,
    timeoutMillis: 30_000,
  });
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) resolve();
      else reject(result.error ?? new Error("export failed"));
    });
  });
}

/** Records every run with the real SDK (its own clock), keeping each run's spans apart. */
async function recordRuns(
  t0: number,
): Promise<{ id: string; start: number; spans: ReadableSpan[] }[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "live-test" }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  let clock = 0;
  const recorder = createExecutionRecorder({
    tracer: provider.getTracer("live-test"),
    now: () => clock,
  });
  const out: { id: string; start: number; spans: ReadableSpan[] }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = t0 + i * 150;
    clock = start;
    const id = `run-${String(i).padStart(2, "0")}-${t0}`;
    const exec = recorder.create({ scopeId: SCOPE, code: `run(${i})`, id });
    const toolCalls = i % 4;
    for (let k = 0; k < toolCalls; k++) {
      clock += 20;
      await exec.toolCall({ path: TOOLS[(i + k) % TOOLS.length]!, args: { k } }, async () => {
        clock += 10;
        return k;
      });
    }
    clock += 100 + i;
    // Run 3 stays open and silent: it goes stale while the pollers watch.
    const status = i === 3 ? "running" : i % 5 === 2 ? "failed" : "completed";
    if (status === "completed") exec.complete({ i });
    else if (status === "failed") exec.fail(new Error(`boom ${i}`));
    sent.set(id, { id, status, toolCalls, firstSentAt: 0, firstStoredAt: 0 });
    out.push({ id, start, spans: [...memory.getFinishedSpans()] });
    memory.reset();
  }
  return out;
}

const rowBearing = (s: ReadableSpan) =>
  s.name === SPAN_EXECUTION || s.name === SPAN_EXECUTION_STATE;

/**
 * One run's deliveries: stage 1 (0–8 s after its start) and, for two runs in three, stage 2
 * (0–3 s later) with the rest. Each stage is split across both collectors, some spans twice.
 */
async function deliverRun(run: { id: string; start: number; spans: ReadableSpan[] }, i: number) {
  const record = sent.get(run.id)!;
  const firstState = run.spans.find((s) => s.name === SPAN_EXECUTION_STATE)!;
  const staged = i % 3 !== 0;
  const stage1 = staged ? [firstState] : run.spans;
  const stage2 = staged ? run.spans.filter((s) => s !== firstState) : [];
  const delay1 = ((i * 7919) % 81) * 100;
  const delay2 = ((i * 104_729) % 31) * 100;
  await sleep(Math.max(0, run.start + delay1 - Date.now()));
  const sendStage = async (spans: ReadableSpan[]) => {
    const half = Math.ceil(spans.length / 2);
    // The second half first, to the other collector; the first span is sent again.
    const parts = [spans.slice(half), spans.slice(0, half), spans.slice(0, 1)].filter(
      (p) => p.length > 0,
    );
    await Promise.all(
      parts.map(async (part, k) => {
        const bearing = part.some(rowBearing);
        if (bearing && record.firstSentAt === 0) record.firstSentAt = Date.now();
        await deliver(part, (i + k) % 2);
        if (bearing && record.firstStoredAt === 0) record.firstStoredAt = Date.now();
      }),
    );
  };
  await sendStage(stage1);
  if (stage2.length > 0) {
    await sleep(delay2);
    await sendStage(stage2);
  }
}

/** Follows a live parameter once a second, every page while `hasMore`; records every row. */
function poller(parameter: "after" | "updatedSince", from: string) {
  const seen: Json[] = [];
  /** Which poll and cursor brought each row of `seen`: what a failure needs to be explained. */
  const pages: { poll: number; cursor: string; next: string; ids: string[] }[] = [];
  let cursor = from;
  let stopped = false;
  let polls = 0;
  const pollOnce = async () => {
    polls += 1;
    for (;;) {
      const page = await getJson(
        `/v1/executions?scope=${SCOPE}&limit=7&${parameter}=${encodeURIComponent(cursor)}`,
      );
      seen.push(...page.executions);
      pages.push({
        poll: polls,
        cursor,
        next: page.nextCursor,
        ids: page.executions.map((r: Json) => r.id),
      });
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await pollOnce();
      await sleep(POLL_MS);
    }
  })();
  // A failed poll fails the test where `stop()` is awaited.
  loop.catch(() => undefined);
  return {
    seen,
    pages,
    polls: () => polls,
    pollOnce,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * What a failure of `updatedSince` needs explained: for each run, what the poller saw and on
 * which pages, and what is stored of it now (its ledger rows, its rows in both tables).
 */
async function explainChanges(ids: string[], changes: ReturnType<typeof poller>) {
  const stored = (sql: string, id: string) => chA.select(sql, { id });
  return Promise.all(
    [...new Set(ids)].map(async (id) => ({
      id,
      seen: changes.seen.filter((r) => r.id === id),
      pages: changes.pages.filter((pg) => pg.ids.includes(id)),
      ledger: await stored(
        `SELECT toString(version) AS version, toUnixTimestamp64Micro(arrived_at) AS at
         FROM run_arrivals WHERE execution_id = {id:String} ORDER BY at`,
        id,
      ),
      finals: await stored(
        `SELECT toString(version) AS version, status, tool_call_count, toString(row_id) AS row,
           row_id IN (SELECT row_id FROM superseded_executions) AS superseded
         FROM executions WHERE execution_id = {id:String}`,
        id,
      ),
      snapshots: await stored(
        `SELECT toString(version) AS version, status, tool_call_count, toString(row_id) AS row
         FROM execution_states WHERE execution_id = {id:String}`,
        id,
      ),
    })),
  );
}

describe("live mode", () => {
  it("returns every run once in arrival order, and every change, whatever the delivery", async () => {
    const t0 = Date.now() + 500;
    const runs = await recordRuns(t0);
    const first = await getJson(`/v1/executions?scope=${SCOPE}`);
    expect(first.executions).toEqual([]);
    const arrivals = poller("after", first.liveCursor);
    const changes = poller("updatedSince", first.liveCursor);
    // The runs whose final state (for the open run: stale) `updatedSince` has not brought yet,
    // with the last state it brought.
    const unsettled = () =>
      [...sent.values()]
        .map((run) => [run, changes.seen.filter((r) => r.id === run.id).at(-1)] as const)
        .filter(
          ([run, last]) =>
            !(
              last?.status === run.status &&
              last.toolCallCount === run.toolCalls &&
              (run.status !== "running" || last.stale === true)
            ),
        );
    try {
      await Promise.all(runs.map((run, i) => deliverRun(run, i)));
      // Snapshot inserts were held open across polls: a run delivered running took that long.
      const stored = [...sent.values()].map((r) => r.firstStoredAt - r.firstSentAt);
      expect(Math.max(...stored)).toBeGreaterThanOrEqual(HOLD_MS);

      const deadline = Date.now() + 60_000;
      while (
        (arrivals.seen.length < sent.size || unsettled().length > 0) &&
        Date.now() < deadline
      ) {
        await sleep(POLL_MS);
      }
    } finally {
      await arrivals.stop();
      await changes.stop();
    }
    // One poll more of each: nothing new.
    const before = [arrivals.seen.length, changes.seen.length];
    await arrivals.pollOnce();
    await changes.pollOnce();
    expect([arrivals.seen.length, changes.seen.length]).toEqual(before);
    expect(arrivals.polls()).toBeGreaterThan(8);

    // `after`: every run exactly once...
    const order = arrivals.seen.map((r) => r.id);
    const again = order.filter((id, i) => order.indexOf(id) !== i);
    const where = arrivals.pages.filter((pg) => pg.ids.some((id) => again.includes(id)));
    expect(new Set(order).size, `returned twice: ${JSON.stringify({ again, where })}`).toBe(
      order.length,
    );
    expect(new Set(order)).toEqual(new Set(sent.keys()));
    // ...in arrival order: a run whose first row was stored before another's was sent comes
    // first.
    const at = new Map(order.map((id, i) => [id, i]));
    const misordered: string[] = [];
    for (const a of sent.values()) {
      for (const b of sent.values()) {
        if (a.firstStoredAt < b.firstSentAt && at.get(a.id)! > at.get(b.id)!) {
          misordered.push(`${a.id} before ${b.id}`);
        }
      }
    }
    expect(misordered).toEqual([]);

    // `updatedSince`: each run's final state came, and no state of a run came twice in a row.
    expect(unsettled()).toEqual([]);
    const repeated: string[] = [];
    const lastOf = new Map<string, string>();
    for (const row of changes.seen) {
      const state = JSON.stringify([row.status, row.toolCallCount, row.stale, row.updatedAt]);
      if (lastOf.get(row.id) === state) repeated.push(row.id);
      lastOf.set(row.id, state);
    }
    expect(
      repeated,
      repeated.length > 0
        ? `returned again unchanged: ${JSON.stringify(await explainChanges(repeated, changes))}`
        : undefined,
    ).toEqual([]);
    // Runs seen running before they finished were returned again when they changed.
    const twice = [...sent.keys()].filter(
      (id) => changes.seen.filter((r) => r.id === id).length > 1,
    );
    expect(twice.length).toBeGreaterThan(3);
  }, 150_000);

  it("keeps a run whose final row a read sees recorded as superseded, without its replacement", async () => {
    const scope = "superseded";
    const cursor = (await getJson(`/v1/executions?scope=${scope}`)).liveCursor;
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const recorder = createExecutionRecorder({ tracer: provider.getTracer("live-test") });
    const exec = recorder.create({ scopeId: scope, code: "race()" });
    await exec.toolCall({ path: TOOLS[0]!, args: {} }, async () => 1);
    exec.complete({ ok: true });
    await deliver(memory.getFinishedSpans(), 0);
    // What one statement may see while another writer replaces this final row: the record
    // listing it as superseded, and not the row that replaced it (stored a moment before the
    // record, after the statement picked the table's parts). Held that way: no replacement.
    await chA.command(
      `INSERT INTO superseded_executions (scope_id, created_at, execution_id, row_id, record_id,
         status, trigger_kind, has_elicitation, tool_paths, tool_path_calls)
       SELECT scope_id, created_at, execution_id, row_id, 1, status, trigger_kind,
         has_elicitation, tool_paths, tool_path_calls
       FROM executions WHERE execution_id = {id:String}`,
      { id: exec.id },
    );
    for (const parameter of ["after", "updatedSince"]) {
      const page = await getJson(
        `/v1/executions?scope=${scope}&${parameter}=${encodeURIComponent(cursor)}`,
      );
      const rows = page.executions.map((r: Json) => [r.id, r.status, r.toolCallCount]);
      expect(rows, parameter).toEqual([[exec.id, "completed", 1]]);
    }
  }, 30_000);
});

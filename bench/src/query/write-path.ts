import { Agent, request } from "node:http";
import { readConfig } from "@runtrace/cli";
import type { ClickHouse } from "@runtrace/clickhouse";
import { createCollector, listen } from "@runtrace/collector";
import {
  encodeTracesData,
  type OtlpKeyValue,
  type OtlpResourceSpans,
  type OtlpSpan,
} from "@runtrace/otlp";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEGMENT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_EXECUTION_TOOL_PATH_CALLS,
  ATTR_EXECUTION_TOOL_PATHS,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  EVENT_EXCEPTION,
  EVENT_LOG,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  SPAN_EXECUTION,
  SPAN_EXECUTION_STATE,
  SPAN_INTERACTION,
  toolSpanName,
} from "@runtrace/semconv";
import { SeededRandom } from "@runtrace/testkit/random";
import {
  type DatasetPlan,
  retentionMarginMs,
  SPAN_SERVICE,
  type WritePathCall,
  type WritePathInteraction,
  type WritePathRun,
  writePathCallsSelect,
  writePathInteractionsSelect,
  writePathRunCount,
  writePathRunsSelect,
} from "./dataset.ts";

/**
 * The write-path share of the query benchmark's dataset: runs whose values come from the same
 * SQL as the others (`writePathRunsSelect` …), sent as OTLP/HTTP protobuf requests to a real
 * collector (`createCollector` on this process's ClickHouse, listening on a free port), the
 * hard way, so the stored data is what order independence leaves before merges settle:
 *
 * - Each run's spans as the SDK emits them: a first `executor.execution.state` snapshot, one
 *   per interaction raised and answered, the `executor.execution` root with the final snapshot
 *   (finished runs; an unfinished run has only state spans), `execute_tool <path>` spans and
 *   `executor.interaction` spans.
 * - Shuffled and cut into 2–4 pieces that go into different requests (half of the runs with
 *   the root first); requests mix the pieces of many runs, ~512 spans each; runs are sent in
 *   creation order, a thousand at a time, and pieces spill into the next thousand's requests.
 * - ~10% of the spans are sent a second time, 1–3 requests later (an exporter retrying after
 *   a lost answer, inside the collector's span-id window); ~10% are held back and sent, in
 *   random order, after all the rest (late spans, a day later or a month later).
 * - `inFlight` requests in flight over keep-alive connections (many exporters at once; the
 *   writer's batches fill with what is queued while it commits the previous one); 429 and 503
 *   are sent again after their Retry-After, a reset connection after 100 ms.
 *
 * The time counted runs from the first request to `collector.close()` (its writer flushes and
 * deletes settled snapshots).
 */

/** Spans per request: a BatchSpanProcessor's batch. */
const REQUEST_SPANS = 512;
/** Write-path runs per read of their values (and per scheduling round). */
const CHUNK_RUNS = 1000;
const DUPLICATE_SHARE = 0.1;
const HELD_BACK_SHARE = 0.1;
/** Encoded requests waiting for a sender, at most. */
const MAX_QUEUED = 64;

const SCOPE = { name: "@runtrace/sdk", version: "0.1.0" };
const KIND_INTERNAL = 1;
const STATUS_UNSET = 0;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** Seeded, so two runs of the benchmark send the same requests in the same order. */
class Rng extends SeededRandom {
  /** A span id: 16 hex digits, never all zeros (an invalid id). */
  hex16(): string {
    const id = this.hex(16);
    return id === "0000000000000000" ? "0000000000000001" : id;
  }
}

// --- spans -------------------------------------------------------------------------------------

const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): OtlpKeyValue => ({ key, value: { intValue: value } });
const strs = (key: string, values: string[]): OtlpKeyValue => ({
  key,
  value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } },
});
const ints = (key: string, values: number[]): OtlpKeyValue => ({
  key,
  value: { arrayValue: { values: values.map((v) => ({ intValue: v })) } },
});
/** Epoch ms / µs (integers) as the decimal nanoseconds OTLP's JSON mapping uses. */
const msNanos = (ms: number) => `${Math.trunc(ms)}000000`;
const usNanos = (us: number) => `${Math.trunc(us)}000`;

/** A span of run `host` (its resource: `host.name` executor-<n % 4>). */
interface Outgoing {
  host: number;
  span: OtlpSpan;
}

interface RunValues {
  run: WritePathRun;
  calls: WritePathCall[];
  interactions: WritePathInteraction[];
}

/** What a snapshot (state span or the root's final attributes) says at one point of the run. */
interface Snapshot {
  status: string;
  seq: number;
  /** The calls started so far, in start order. */
  calls: readonly WritePathCall[];
  interactions: number;
  final: boolean;
  pending: { id: string; kind: string; purpose: string; payload: string; createdMs: number } | null;
}

/** `snapshotAttributes` of the SDK (packages/sdk/src/snapshot.ts), for these values. */
function snapshotAttributes(run: WritePathRun, s: Snapshot): OtlpKeyValue[] {
  const a: OtlpKeyValue[] = [
    str(ATTR_EXECUTION_ID, run.id),
    str(ATTR_SCOPE_ID, run.scope),
    str(ATTR_EXECUTION_STATUS, s.status),
    int(ATTR_EXECUTION_CREATED_AT, run.created_ms),
    int(ATTR_EXECUTION_TOOL_CALL_COUNT, s.calls.length),
    int(ATTR_EXECUTION_INTERACTION_COUNT, s.interactions),
    int(ATTR_EXECUTION_SEQ, s.seq),
    int(ATTR_EXECUTION_SEGMENT, 1),
  ];
  if (s.calls.length > 0) {
    const perPath = new Map<string, number>();
    for (const c of s.calls) perPath.set(c.path, (perPath.get(c.path) ?? 0) + 1);
    a.push(strs(ATTR_EXECUTION_TOOL_PATHS, [...perPath.keys()]));
    a.push(ints(ATTR_EXECUTION_TOOL_PATH_CALLS, [...perPath.values()]));
  }
  if (s.status !== "pending") a.push(int(ATTR_EXECUTION_STARTED_AT, run.run_start_ms));
  if (s.final) {
    a.push(
      int(ATTR_EXECUTION_COMPLETED_AT, Number(run.run_start_ms) + Number(run.run_duration_ms)),
    );
  }
  if (run.trigger !== "") a.push(str(ATTR_TRIGGER_KIND, run.trigger));
  if (run.trigger_meta !== "") a.push(str(ATTR_TRIGGER_META, run.trigger_meta));
  a.push(str(ATTR_RUNTIME, run.runtime));
  a.push(str(ATTR_EXECUTION_CODE, run.code));
  if (s.final && run.result !== "") a.push(str(ATTR_EXECUTION_RESULT, run.result));
  if (s.final && run.error_text !== "") a.push(str(ATTR_EXECUTION_ERROR, run.error_text));
  if (s.pending) {
    a.push(
      str(ATTR_INTERACTION_ID, s.pending.id),
      str(ATTR_INTERACTION_KIND, s.pending.kind),
      str(ATTR_INTERACTION_PURPOSE, s.pending.purpose),
      str(ATTR_INTERACTION_PAYLOAD, s.pending.payload),
      str(ATTR_INTERACTION_STATUS, "pending"),
      int(ATTR_INTERACTION_CREATED_AT, s.pending.createdMs),
    );
  }
  return a;
}

function stateSpan(run: WritePathRun, rng: Rng, atMs: number, s: Snapshot): OtlpSpan {
  return {
    traceId: run.trace_id,
    spanId: rng.hex16(),
    parentSpanId: run.span_id,
    name: SPAN_EXECUTION_STATE,
    kind: KIND_INTERNAL,
    startTimeUnixNano: msNanos(atMs),
    endTimeUnixNano: msNanos(atMs),
    attributes: snapshotAttributes(run, s),
    events: [],
    links: [],
    status: { code: STATUS_UNSET },
  };
}

function toolSpan(run: WritePathRun, c: WritePathCall): OtlpSpan {
  const failed = Boolean(c.failed);
  const attributes = [
    str(ATTR_GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_EXECUTE_TOOL),
    str(ATTR_GEN_AI_TOOL_NAME, c.path),
    str(ATTR_GEN_AI_TOOL_CALL_ID, c.call_id),
    str(ATTR_TOOL_PATH, c.path),
    str(ATTR_TOOL_NAMESPACE, c.namespace),
    str(ATTR_EXECUTION_ID, run.id),
    str(ATTR_SCOPE_ID, run.scope),
    str(ATTR_TOOL_STATUS, failed ? "failed" : "completed"),
    str(ATTR_TOOL_ARGS, c.args),
  ];
  if (c.result !== "") attributes.push(str(ATTR_TOOL_RESULT, c.result));
  if (failed) attributes.push(str(ATTR_TOOL_ERROR, c.error), str(ATTR_ERROR_TYPE, "ToolError"));
  return {
    traceId: run.trace_id,
    spanId: c.span_id,
    parentSpanId: run.span_id,
    name: toolSpanName(c.path),
    kind: KIND_INTERNAL,
    startTimeUnixNano: usNanos(c.start_us),
    endTimeUnixNano: usNanos(Number(c.start_us) + Number(c.duration_us)),
    attributes,
    events: [],
    links: [],
    status: failed ? { code: STATUS_ERROR, message: c.error } : { code: STATUS_UNSET },
  };
}

function interactionSpan(run: WritePathRun, i: WritePathInteraction): OtlpSpan {
  return {
    traceId: run.trace_id,
    spanId: i.span_id,
    parentSpanId: run.span_id,
    name: SPAN_INTERACTION,
    kind: KIND_INTERNAL,
    startTimeUnixNano: msNanos(i.created_ms),
    endTimeUnixNano: msNanos(i.resolved_ms),
    attributes: [
      str(ATTR_INTERACTION_ID, i.interaction_id),
      str(ATTR_INTERACTION_KIND, i.kind),
      str(ATTR_INTERACTION_STATUS, i.status),
      int(ATTR_INTERACTION_CREATED_AT, i.created_ms),
      str(ATTR_EXECUTION_ID, run.id),
      str(ATTR_SCOPE_ID, run.scope),
      str(ATTR_INTERACTION_PURPOSE, i.purpose),
      str(ATTR_INTERACTION_PAYLOAD, i.payload),
      str(ATTR_INTERACTION_RESPONSE, i.response),
    ],
    events: [],
    links: [],
    status: { code: STATUS_UNSET },
  };
}

function rootSpan(run: WritePathRun, s: Snapshot): OtlpSpan {
  const endMs = Number(run.run_start_ms) + Number(run.run_duration_ms);
  const attributes = snapshotAttributes(run, s);
  if (run.error_type !== "") attributes.push(str(ATTR_ERROR_TYPE, run.error_type));
  const events: OtlpSpan["events"] = [];
  for (let j = 0; j < Number(run.log_count); j++) {
    events.push({
      timeUnixNano: msNanos(Number(run.run_start_ms) + j * 7),
      name: EVENT_LOG,
      attributes: [
        str(ATTR_LOG_SEVERITY, j === 2 ? "warn" : "info"),
        str(ATTR_LOG_MESSAGE, `step ${j} done`),
      ],
    });
  }
  const failed = run.status === "failed";
  if (failed) {
    events.push({
      timeUnixNano: msNanos(endMs),
      name: EVENT_EXCEPTION,
      attributes: [
        str(ATTR_EXCEPTION_TYPE, run.error_type),
        str(ATTR_EXCEPTION_MESSAGE, run.error_text),
      ],
    });
  }
  return {
    traceId: run.trace_id,
    spanId: run.span_id,
    name: SPAN_EXECUTION,
    kind: KIND_INTERNAL,
    startTimeUnixNano: msNanos(run.created_ms),
    endTimeUnixNano: msNanos(endMs),
    attributes,
    events,
    links: [],
    status: failed
      ? { code: STATUS_ERROR, message: run.error_text }
      : run.status === "completed"
        ? { code: STATUS_OK }
        : { code: STATUS_UNSET },
  };
}

/**
 * A run's spans, as the SDK emits them. Finished: a `running` state when it starts, a
 * `waiting_for_interaction` and a `running` state per interaction, the root with the final
 * snapshot. Unfinished: pending → one `pending` state; running → a state when it starts and one
 * at its last update (with every call made so far); waiting → the same, the last one waiting
 * on its pending interaction.
 */
function runSpans(v: RunValues, rng: Rng): { spans: OtlpSpan[]; root: OtlpSpan | undefined } {
  const { run, calls, interactions } = v;
  const spans: OtlpSpan[] = [];
  const callsBefore = (ms: number) => calls.filter((c) => Number(c.start_us) < ms * 1000);
  let seq = 0;
  const final = Boolean(run.final);
  const snapshot = (over: Partial<Snapshot>): Snapshot => ({
    status: "running",
    seq: ++seq,
    calls: [],
    interactions: 0,
    final: false,
    pending: null,
    ...over,
  });
  let root: OtlpSpan | undefined;
  if (final) {
    spans.push(stateSpan(run, rng, run.run_start_ms, snapshot({})));
    interactions.forEach((i, k) => {
      const raised = snapshot({
        status: "waiting_for_interaction",
        calls: callsBefore(i.created_ms),
        interactions: k + 1,
        pending: {
          id: i.interaction_id,
          kind: i.kind,
          purpose: i.purpose,
          payload: i.payload,
          createdMs: i.created_ms,
        },
      });
      spans.push(stateSpan(run, rng, i.created_ms, raised));
      const answered = snapshot({ calls: callsBefore(i.resolved_ms), interactions: k + 1 });
      spans.push(stateSpan(run, rng, i.resolved_ms, answered));
      spans.push(interactionSpan(run, i));
    });
    root = rootSpan(
      run,
      snapshot({ status: run.status, calls, interactions: interactions.length, final: true }),
    );
    spans.push(root);
  } else if (run.status === "pending") {
    spans.push(stateSpan(run, rng, run.updated_ms, snapshot({ status: "pending" })));
  } else {
    spans.push(stateSpan(run, rng, run.run_start_ms, snapshot({})));
    const waiting = run.status === "waiting_for_interaction";
    const last = snapshot({
      status: run.status,
      calls,
      interactions: waiting ? 1 : 0,
      pending: waiting
        ? {
            id: run.pending_id,
            kind: run.pending_kind,
            purpose: run.pending_purpose,
            payload: run.pending_payload,
            createdMs: run.updated_ms,
          }
        : null,
    });
    spans.push(stateSpan(run, rng, run.updated_ms, last));
  }
  for (const c of calls) spans.push(toolSpan(run, c));
  return { spans, root };
}

// --- requests ----------------------------------------------------------------------------------

function resourceOf(host: number): OtlpResourceSpans["resource"] {
  return {
    attributes: [
      str("service.name", SPAN_SERVICE.name),
      str("service.version", SPAN_SERVICE.version),
      str("telemetry.sdk.language", "nodejs"),
      str("telemetry.sdk.name", "opentelemetry"),
      str("telemetry.sdk.version", SPAN_SERVICE.sdkVersion),
      str("host.name", `executor-${host}`),
      int("process.pid", 4100 + host),
    ],
  };
}

/** An `ExportTraceServiceRequest` (field 1, like `TracesData`), one resource per host. */
function encodeRequest(spans: readonly Outgoing[]): Buffer {
  const byHost = new Map<number, OtlpSpan[]>();
  for (const o of spans) {
    const list = byHost.get(o.host);
    if (list) list.push(o.span);
    else byHost.set(o.host, [o.span]);
  }
  const bytes = encodeTracesData({
    resourceSpans: [...byHost].map(([host, list]) => ({
      resource: resourceOf(host),
      scopeSpans: [{ scope: SCOPE, spans: list }],
    })),
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface Body {
  body: Buffer;
  spans: number;
}

/**
 * Spreads runs' spans over requests, chunk by chunk (see the module comment); spans held back
 * are encoded as they fill a request and kept for the end.
 */
class Scheduler {
  readonly rng = new Rng(0x5eed);
  /** Spans placed past the last request of the previous chunk. */
  #carry: Outgoing[] = [];
  #held: Outgoing[] = [];
  readonly heldBodies: Body[] = [];
  spans = 0;
  duplicates = 0;
  heldBack = 0;
  rootFirst = 0;
  pieces = 0;

  /** The requests (span lists) of one chunk of runs. */
  chunk(
    runs: readonly { host: number; spans: OtlpSpan[]; root: OtlpSpan | undefined }[],
  ): Outgoing[][] {
    const rng = this.rng;
    let total = this.#carry.length;
    for (const r of runs) total += r.spans.length;
    const slots: Outgoing[][] = Array.from(
      {
        length: Math.max(
          1,
          Math.round((total * (1 - HELD_BACK_SHARE + DUPLICATE_SHARE)) / REQUEST_SPANS),
        ),
      },
      () => [],
    );
    const carry: Outgoing[] = [];
    const place = (o: Outgoing, slot: number) => {
      if (slot < slots.length) slots[slot]!.push(o);
      else carry.push(o);
    };
    for (const o of this.#carry) place(o, rng.int(0, Math.min(slots.length, 3) - 1));
    for (const r of runs) {
      this.spans += r.spans.length;
      const list = rng.shuffle([...r.spans]);
      if (r.root && rng.chance(0.5)) {
        list.splice(list.indexOf(r.root), 1);
        list.unshift(r.root);
        this.rootFirst++;
      }
      const sent: OtlpSpan[] = [];
      for (const span of list) {
        if (rng.chance(HELD_BACK_SHARE)) this.#hold({ host: r.host, span });
        else sent.push(span);
      }
      if (sent.length === 0) continue;
      const parts = Math.min(sent.length, rng.int(2, 4));
      // Cut points: parts − 1 distinct positions in 1 … length − 1.
      const cuts = new Set<number>();
      while (cuts.size < parts - 1) cuts.add(rng.int(1, sent.length - 1));
      const bounds = [0, ...[...cuts].sort((a, b) => a - b), sent.length];
      const first = rng.int(0, slots.length - 1);
      const step = rng.int(1, 2);
      this.pieces += parts;
      for (let k = 0; k < parts; k++) {
        const slot = first + k * step;
        for (let at = bounds[k]!; at < bounds[k + 1]!; at++) {
          const o = { host: r.host, span: sent[at]! };
          place(o, slot);
          if (rng.chance(DUPLICATE_SHARE)) {
            this.duplicates++;
            place(o, slot + rng.int(1, 3));
          }
        }
      }
    }
    this.#carry = carry;
    return slots.filter((s) => s.length > 0).map((s) => rng.shuffle(s));
  }

  #hold(o: Outgoing): void {
    this.heldBack++;
    this.#held.push(o);
    if (this.#held.length >= REQUEST_SPANS) this.#encodeHeld();
  }

  #encodeHeld(): void {
    if (this.#held.length === 0) return;
    this.heldBodies.push({
      body: encodeRequest(this.rng.shuffle(this.#held)),
      spans: this.#held.length,
    });
    this.#held = [];
  }

  /** What spilled past the last chunk, in requests. */
  rest(): Outgoing[][] {
    const out: Outgoing[][] = [];
    for (let at = 0; at < this.#carry.length; at += REQUEST_SPANS) {
      out.push(this.#carry.slice(at, at + REQUEST_SPANS));
    }
    this.#carry = [];
    return out;
  }

  /** The held-back requests, in random order. */
  held(): Body[] {
    this.#encodeHeld();
    return this.rng.shuffle(this.heldBodies.splice(0));
  }
}

/**
 * A bounded queue of encoded requests between the producer and the senders; `fail` (a sender
 * got an answer it cannot retry) makes every later `put` throw.
 */
class Queue {
  #items: Body[] = [];
  #closed = false;
  #error: unknown;
  #takers: ((b: Body | undefined) => void)[] = [];
  #space: (() => void)[] = [];

  async put(b: Body): Promise<void> {
    while (this.#items.length >= MAX_QUEUED && this.#error === undefined) {
      await new Promise<void>((r) => this.#space.push(r));
    }
    if (this.#error !== undefined) throw this.#error;
    const taker = this.#takers.shift();
    if (taker) taker(b);
    else this.#items.push(b);
  }

  take(): Promise<Body | undefined> {
    if (this.#error !== undefined) return Promise.resolve(undefined);
    const b = this.#items.shift();
    this.#space.shift()?.();
    if (b) return Promise.resolve(b);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((r) => this.#takers.push(r));
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#takers.splice(0)) t(undefined);
  }

  fail(error: unknown): void {
    this.#error ??= error;
    this.close();
    for (const wake of this.#space.splice(0)) wake();
  }
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

function post(agent: Agent, url: URL, body: Buffer, token: string | undefined): Promise<Answer> {
  return new Promise((done, fail) => {
    const headers: Record<string, string | number> = {
      "content-type": "application/x-protobuf",
      "content-length": body.length,
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(
      { host: url.hostname, port: url.port, path: "/v1/traces", method: "POST", agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", fail);
        res.on("end", () => {
          const retryAfter = res.headers["retry-after"];
          done({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            text: Buffer.concat(chunks).toString("utf8").slice(0, 500),
          });
        });
      },
    );
    req.on("error", fail);
    req.setTimeout(120_000, () => req.destroy(new Error("no answer in 120 s")));
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the run -----------------------------------------------------------------------------------

export interface WritePathResult {
  inFlight: number;
  runs: number;
  finishedRuns: number;
  /** Distinct spans, and what was sent (duplicates included). */
  spans: number;
  spansSent: number;
  duplicates: number;
  heldBack: number;
  requests: number;
  retries: number;
  statuses: Record<string, number>;
  /** First request to `collector.close()` done. */
  seconds: number;
  /** Of which: until the held-back requests started, and `close()` alone. */
  mainSeconds: number;
  closeSeconds: number;
  /** Main-thread time spent reading the runs' values and building and encoding requests. */
  produceSeconds: number;
  requestBytes: number;
  writer: {
    spansStored: number;
    spansRejected: number;
    duplicatesDropped: number;
    failedBatches: number;
    batchesWritten: number;
    retries: number;
  };
}

/**
 * Sends the plan's write-path runs through a collector on `ch`; `progress` gets a line every
 * ~15 s. Fails when the collector rejects a span or a batch fails.
 */
export async function runWritePath(
  ch: ClickHouse,
  plan: DatasetPlan,
  inFlight: number,
  progress: (line: string) => void,
): Promise<WritePathResult> {
  const expected = writePathRunCount(plan);
  // Configured as `runtrace collector` is (this process's environment), on a free port, with
  // no copy forwarded elsewhere.
  const configured = readConfig(process.env, { collector: true, queryApi: false }).collector;
  const collector = createCollector(ch, {
    ...configured,
    port: 0,
    host: "127.0.0.1",
    forwardEndpoint: "",
  });
  const server = await listen(collector.app, 0, "127.0.0.1");
  const url = new URL(server.url);
  const token = collector.config.ingestToken;
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight, maxFreeSockets: inFlight });
  const scheduler = new Scheduler();
  const queue = new Queue();
  const statuses: Record<string, number> = {};
  let requests = 0;
  let retries = 0;
  let sentSpans = 0;
  let requestBytes = 0;
  let produceMs = 0;
  let runs = 0;
  let finishedRuns = 0;

  const deliver = async (b: Body) => {
    for (;;) {
      let answer: Answer;
      try {
        answer = await post(agent, url, b.body, token);
      } catch (error) {
        const key = `error ${(error as NodeJS.ErrnoException).code ?? "?"}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        retries++;
        await sleep(100);
        continue;
      }
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status === 200) {
        requests++;
        sentSpans += b.spans;
        requestBytes += b.body.length;
        return;
      }
      if (answer.status !== 429 && answer.status !== 503) {
        throw new Error(`the collector answered ${answer.status}: ${answer.text}`);
      }
      retries++;
      const after = Number(answer.retryAfter);
      await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : 100);
    }
  };
  /** `inFlight` senders taking from `q` until it is closed and empty; the first failure stops all. */
  const send = (q: Queue) =>
    Promise.all(
      Array.from({ length: inFlight }, async () => {
        try {
          for (let b = await q.take(); b; b = await q.take()) await deliver(b);
        } catch (error) {
          q.fail(error);
          throw error;
        }
      }),
    );

  const started = performance.now();
  let lastReport = started;
  const report = (what: string) => {
    const seconds = (performance.now() - started) / 1000;
    // Runs go out about as fast as they are read (the queue between is short).
    const left = runs > 0 && runs < expected ? ((expected - runs) * seconds) / runs : 0;
    progress(
      `  write path: ${what}: ${runs.toLocaleString("en-US")} of ${expected.toLocaleString("en-US")} runs read, ` +
        `${sentSpans.toLocaleString("en-US")} spans acknowledged in ${seconds.toFixed(0)} s ` +
        `(${Math.round(sentSpans / Math.max(seconds, 0.001)).toLocaleString("en-US")} spans/s)` +
        (left > 0 ? `, ~${Math.ceil(left / 60)} min to go before the held-back spans` : ""),
    );
  };
  let active = queue;
  let sending = send(queue);
  try {
    // Run numbers per read: about CHUNK_RUNS write-path runs among them.
    const span = Math.max(1, Math.ceil((CHUNK_RUNS * plan.executions) / Math.max(1, expected)));
    const read = (from: number) => {
      const count = Math.min(span, plan.executions - from);
      return Promise.all([
        ch.select<WritePathRun>(writePathRunsSelect(plan, from, count)),
        ch.select<WritePathCall>(writePathCallsSelect(plan, from, count)),
        ch.select<WritePathInteraction>(writePathInteractionsSelect(plan, from, count)),
      ]);
    };
    let next = expected > 0 ? read(0) : undefined;
    for (let from = 0; next; from += span) {
      const waitStarted = performance.now();
      const [runRows, callRows, interactionRows] = await next;
      const t = performance.now();
      produceMs += t - waitStarted;
      next = from + span < plan.executions ? read(from + span) : undefined;
      const callsOf = groupBy(callRows);
      const interactionsOf = groupBy(interactionRows);
      const built = runRows.map((run) => {
        runs++;
        if (run.final) finishedRuns++;
        const { spans, root } = runSpans(
          {
            run,
            calls: callsOf.get(Number(run.n)) ?? [],
            interactions: interactionsOf.get(Number(run.n)) ?? [],
          },
          scheduler.rng,
        );
        return { host: Number(run.host), spans, root };
      });
      const slots = scheduler.chunk(built);
      const bodies = slots.map((s) => ({ body: encodeRequest(s), spans: s.length }));
      produceMs += performance.now() - t;
      for (const b of bodies) await queue.put(b);
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        report("sending");
      }
    }
    for (const s of scheduler.rest()) await queue.put({ body: encodeRequest(s), spans: s.length });
    queue.close();
    await sending;
    const mainSeconds = (performance.now() - started) / 1000;
    report(
      `all but the held-back spans sent; sending ${scheduler.heldBack.toLocaleString("en-US")} held back`,
    );
    const held = new Queue();
    const heldBodies = scheduler.held();
    active = held;
    sending = send(held);
    for (const b of heldBodies) await held.put(b);
    held.close();
    await sending;
    const closeStarted = performance.now();
    agent.destroy();
    await server.close();
    await collector.close();
    const ended = performance.now();
    const stats = collector.writer.stats();
    if (runs !== expected) throw new Error(`read ${runs} write-path runs, expected ${expected}`);
    if (stats.spansRejected > 0 || stats.failedBatches > 0) {
      throw new Error(
        `the collector rejected ${stats.spansRejected} spans and failed ${stats.failedBatches} batches ` +
          `(rejected spans: past retention, when sending took longer than the ` +
          `${(retentionMarginMs(plan) / 3_600_000).toFixed(1)} h the data window leaves; try a smaller --write-path-share)`,
      );
    }
    return {
      inFlight,
      runs,
      finishedRuns,
      spans: scheduler.spans,
      spansSent: sentSpans,
      duplicates: scheduler.duplicates,
      heldBack: scheduler.heldBack,
      requests,
      retries,
      statuses,
      seconds: (ended - started) / 1000,
      mainSeconds,
      closeSeconds: (ended - closeStarted) / 1000,
      produceSeconds: produceMs / 1000,
      requestBytes,
      writer: {
        spansStored: stats.spansStored,
        spansRejected: stats.spansRejected,
        duplicatesDropped: stats.duplicatesDropped,
        failedBatches: stats.failedBatches,
        batchesWritten: stats.batchesWritten,
        retries: stats.retries,
      },
    };
  } catch (error) {
    active.fail(error);
    await sending.catch(() => undefined);
    agent.destroy();
    await server.close();
    await collector.close();
    throw error;
  }
}

function groupBy<T extends { n: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const n = Number(r.n);
    const list = out.get(n);
    if (list) list.push(r);
    else out.set(n, [r]);
  }
  return out;
}

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { readConfig } from "@runtrace/cli";
import {
  type ClickHouse,
  createClickHouse,
  mapSpans,
  retentionCutoffMs,
  type SpanRows,
} from "@runtrace/clickhouse";
// The writer's own serializers, through the package's internal entry point: the raw baseline
// sends byte for byte the bodies the writer sends.
import {
  EXECUTION_COLUMNS,
  emptySpanRows,
  executionLine,
  OTEL_TRACES_COLUMNS,
  otelTracesLine,
  otelTracesNative,
  TOOL_CALL_COLUMNS,
  toolCallLine,
} from "@runtrace/clickhouse/internal";
import { decodeTracesProtobuf } from "@runtrace/otlp";
import { formatProfileSummary, summarizeCpuProfile } from "./cpu-profile.ts";
import { truncateRunTables } from "./exporter.ts";
import type { CallTotals, CollectorTimes } from "./instrumented-collector.ts";
import { partsByTable } from "./query/storage.ts";
import { generateSpans } from "./realistic-spans.ts";

/**
 * How many realistic spans/s does the collector store when OTLP/HTTP clients post to it, and
 * what does it do under overload? The collector runs alone in its own process on embedded
 * ClickHouse (`runtrace collector`); this process pre-encodes OTLP protobuf requests and posts
 * them as exporters would, then checks that every acknowledged span is stored exactly once and
 * measures the engine's raw insert rate for the same rows.
 */

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));

interface Options {
  requests: number;
  batch: number;
  concurrency: number[];
  phaseSeconds: number;
  warmupSeconds: number;
  overload: number;
  overloadSeconds: number;
  codeBytes: [number, number];
  resultBytes: [number, number];
  rawBatchRows: number[];
  maxQueueRows: string | undefined;
  collectorCpuProf: string | undefined;
  instrumented: boolean;
}

function positiveNumber(text: string, flag: string, integer = true): number {
  const n = Number(text.replace(/_/g, ""));
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag}: not a positive ${integer ? "integer" : "number"}: ${text}`);
  }
  return n;
}

function range(text: string, flag: string): [number, number] {
  const [min, max] = text.split("-").map((part) => positiveNumber(part, flag));
  if (min === undefined || max === undefined || min > max) {
    throw new Error(`${flag}: expected MIN-MAX, got ${text}`);
  }
  return [min, max];
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      requests: { type: "string", default: "1200" },
      batch: { type: "string", default: "512" },
      concurrency: { type: "string", default: "8,16" },
      "phase-seconds": { type: "string", default: "20" },
      "warmup-seconds": { type: "string", default: "4" },
      overload: { type: "string", default: "128" },
      "overload-seconds": { type: "string", default: "20" },
      "code-bytes": { type: "string", default: "200-5000" },
      "result-bytes": { type: "string", default: "60-2500" },
      "raw-batch-rows": { type: "string", default: "10000,50000" },
      "max-queue-rows": { type: "string" },
      "collector-cpu-prof": { type: "string" },
      instrumented: { type: "boolean", default: false },
    },
    strict: true,
  });
  return {
    requests: positiveNumber(values.requests, "--requests"),
    batch: positiveNumber(values.batch, "--batch"),
    concurrency: values.concurrency.split(",").map((c) => positiveNumber(c, "--concurrency")),
    phaseSeconds: positiveNumber(values["phase-seconds"], "--phase-seconds", false),
    warmupSeconds: positiveNumber(values["warmup-seconds"], "--warmup-seconds", false),
    overload: positiveNumber(values.overload, "--overload"),
    overloadSeconds: positiveNumber(values["overload-seconds"], "--overload-seconds", false),
    codeBytes: range(values["code-bytes"], "--code-bytes"),
    resultBytes: range(values["result-bytes"], "--result-bytes"),
    rawBatchRows: values["raw-batch-rows"]
      .split(",")
      .map((n) => positiveNumber(n, "--raw-batch-rows")),
    maxQueueRows: values["max-queue-rows"],
    collectorCpuProf: values["collector-cpu-prof"],
    instrumented: values.instrumented,
  };
}

const fmt = (n: number) => String(Math.round(n));
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const mb = (kib: number) => `${Math.round(kib / 1024)} MB`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// --- requests --------------------------------------------------------------------------------

interface Requests {
  bodies: Buffer[];
  spans: number;
  seconds: number;
  executions: number;
}

/**
 * Encodes `count` requests of `batch` spans with the OTel exporter's own serializer. Spans are
 * generated a few dozen requests at a time (different seeds, so distinct executions, and the
 * SDK's random span ids), so only the encoded bytes stay in memory.
 */
function encodeRequests(options: Options): Requests {
  const started = performance.now();
  const bodies: Buffer[] = [];
  const chunkRequests = 50;
  let carry: ReturnType<typeof generateSpans>["spans"] = [];
  let executions = 0;
  for (let seed = 1; bodies.length < options.requests; seed++) {
    const want = Math.min(chunkRequests, options.requests - bodies.length) * options.batch;
    const gen = generateSpans({
      spans: Math.max(1, want - carry.length),
      seed,
      codeBytes: options.codeBytes,
      resultBytes: options.resultBytes,
    });
    executions += gen.executions;
    const spans = carry.concat(gen.spans);
    let at = 0;
    for (; at + options.batch <= spans.length && bodies.length < options.requests; ) {
      const body = ProtobufTraceSerializer.serializeRequest(spans.slice(at, at + options.batch));
      if (!body) throw new Error("ProtobufTraceSerializer returned nothing");
      bodies.push(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      at += options.batch;
    }
    carry = spans.slice(at);
  }
  return {
    bodies,
    spans: bodies.length * options.batch,
    seconds: (performance.now() - started) / 1000,
    executions,
  };
}

// --- the collector process ---------------------------------------------------------------------

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** RSS and peak RSS (KiB) of a process, from /proc. */
function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1]);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds per group of threads of a process: the main (JavaScript) thread, Node's other
 * threads (V8 GC and compiler helpers, libuv pool), and the embedded engine's threads by name.
 */
function threadCpuOf(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
      const group =
        tid === String(pid)
          ? "JS main thread"
          : comm === "node"
            ? "node helpers (GC, libuv)"
            : `ClickHouse ${comm}`;
      out.set(group, (out.get(group) ?? 0) + seconds);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

/** Whole-machine CPU jiffies: busy, iowait and total. */
function machineCpu(): { busy: number; iowait: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, iowait: iowait!, total: busy + idle! + iowait! };
}

interface Collector {
  child: ChildProcess;
  instrumented: boolean;
  pid: number;
  url: URL;
  samples: { at: number; rss: number }[];
  hwm: number;
  stop(): Promise<{ code: number | null; seconds: number }>;
}

async function startCollector(dataDir: string, options: Options): Promise<Collector> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNTRACE_DATA_DIR: dataDir,
    RUNTRACE_COLLECTOR_PORT: "0",
    RUNTRACE_HOST: "127.0.0.1",
  };
  // Embedded ClickHouse, no auth, the collector's own queue bound unless asked otherwise.
  delete env.CLICKHOUSE_URL;
  delete env.RUNTRACE_INGEST_TOKEN;
  delete env.RUNTRACE_MAX_QUEUE_ROWS;
  if (options.maxQueueRows) env.RUNTRACE_MAX_QUEUE_ROWS = options.maxQueueRows;
  const profile = options.collectorCpuProf
    ? ["--cpu-prof", `--cpu-prof-dir=${options.collectorCpuProf}`]
    : [];
  // `runtrace collector` itself, or the same collector with its ClickHouse calls timed.
  const command = options.instrumented
    ? ["--import", "tsx", ...profile, join(REPO, "bench/src/instrumented-collector.ts")]
    : [...profile, join(REPO, "cli/bin/runtrace.js"), "collector"];
  const child = spawn(process.execPath, command, {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the collector");
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    for (const line of text.split("\n")) if (line) console.error(`  [collector] ${line}`);
  });
  child.stdout!.setEncoding("utf8");
  let log = "";
  const url = await new Promise<URL>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`collector did not start:\n${log}`)), 60_000);
    child.stdout!.on("data", (text: string) => {
      log += text;
      const m = /OTLP\/HTTP collector on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(new URL(m[1]!));
      }
    });
    void exited.then((code) => fail(new Error(`collector exited (${code}):\n${log}`)));
  });
  for (;;) {
    const res = await fetch(new URL("/readyz", url)).catch(() => undefined);
    if (res?.ok) break;
    await sleep(100);
  }
  const collector: Collector = {
    child,
    instrumented: options.instrumented,
    pid,
    url,
    samples: [],
    hwm: 0,
    async stop() {
      clearInterval(sampler);
      const started = performance.now();
      child.kill("SIGTERM");
      const code = await exited;
      return { code, seconds: (performance.now() - started) / 1000 };
    },
  };
  const sample = () => {
    const m = memoryOf(pid);
    if (!m) return;
    collector.samples.push({ at: performance.now(), rss: m.rss });
    collector.hwm = m.hwm;
  };
  sample();
  const sampler = setInterval(sample, 200);
  return collector;
}

/** The collector's Prometheus counters (unlabelled samples and labelled ones by full name). */
async function scrape(collector: Collector): Promise<Map<string, number>> {
  const text = await (await fetch(new URL("/metrics", collector.url))).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

function sumMatching(metrics: Map<string, number>, prefix: string): number {
  let n = 0;
  for (const [name, value] of metrics) if (name.startsWith(prefix)) n += value;
  return n;
}

// --- the load generator ------------------------------------------------------------------------

interface Pool {
  bodies: Buffer[];
  batch: number;
  next: number;
  /** Acknowledged (200) requests, by index. */
  acknowledged: boolean[];
  acknowledgedSpans: number;
  acknowledgedRequests: number;
}

interface Phase {
  label: string;
  concurrency: number;
  seconds: number;
  windowSeconds: number;
  sustained: number;
  /** Every 200 of the phase, drain included. */
  spans: number;
  statuses: Map<string, number>;
  retries: number;
  requestsRetried: number;
  maxRetries: number;
  latencies: number[];
  exhaustedAt: number | undefined;
  drainSeconds: number;
  peakRss: number;
  collectorCores: number;
  loadCores: number;
  /** Cores used per thread group of the collector, busiest first. */
  threads: [string, number][];
  machineBusy: number;
  machineIowait: number;
  maxQueueRows: number;
  batches: number;
  insertSeconds: number;
  /** Peak RSS (KiB) per 5 s of the phase. */
  rssSteps: number[];
  /** With --instrumented: the collector's own call times over the phase. */
  times: CollectorTimes | undefined;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

function post(agent: Agent, url: URL, body: Buffer): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: "/v1/traces",
        method: "POST",
        agent,
        headers: { "content-type": "application/x-protobuf", "content-length": body.length },
      },
      (res) => {
        res.on("error", fail);
        res.on("end", () => {
          const retryAfter = res.headers["retry-after"];
          done({ status: res.statusCode ?? 0, retryAfter });
        });
        res.resume();
      },
    );
    req.on("error", fail);
    // Far past any answer the collector gives (it answers 503 within its retry budget).
    req.setTimeout(120_000, () => req.destroy(new Error("no answer in 120 s")));
    req.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Keeps `concurrency` requests in flight for `seconds`, each worker taking the next unsent
 * request; a 429 or 503 is resent after Retry-After (100 ms without one), as an OTLP exporter
 * does. At the deadline no new request starts; those in flight finish (retries included).
 */
async function runPhase(
  collector: Collector,
  pool: Pool,
  label: string,
  concurrency: number,
  seconds: number,
  warmupSeconds: number,
): Promise<Phase> {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: concurrency,
    maxFreeSockets: concurrency,
  });
  const before = await scrape(collector);
  const timesBefore = await collectorTimes(collector);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let windowStart = started + Math.min(warmupSeconds, seconds / 2) * 1000;
  const cpuBefore = cpuSecondsOf(collector.pid);
  const threadsBefore = threadCpuOf(collector.pid);
  const machineBefore = machineCpu();
  const loadBefore = process.cpuUsage();
  const completions: { at: number; spans: number }[] = [];
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let retries = 0;
  let requestsRetried = 0;
  let maxRetries = 0;
  let exhaustedAt: number | undefined;
  let maxQueueRows = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const m = await scrape(collector).catch(() => undefined);
      maxQueueRows = Math.max(maxQueueRows, m?.get("runtrace_writer_queue_rows") ?? 0);
      await sleep(500);
    }
  })();

  const worker = async () => {
    while (performance.now() < deadline) {
      if (pool.next >= pool.bodies.length) {
        exhaustedAt ??= performance.now();
        return;
      }
      const index = pool.next++;
      const body = pool.bodies[index]!;
      for (let attempt = 0; ; attempt++) {
        const sent = performance.now();
        let answer: Answer;
        try {
          answer = await post(agent, collector.url, body);
        } catch (error) {
          const key = `error ${(error as NodeJS.ErrnoException).code ?? "?"}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          answer = { status: 0, retryAfter: undefined };
        }
        const now = performance.now();
        if (answer.status !== 0) {
          const key = String(answer.status);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
        if (answer.status === 200) {
          latencies.push(now - sent);
          completions.push({ at: now, spans: pool.batch });
          pool.acknowledged[index] = true;
          pool.acknowledgedSpans += pool.batch;
          pool.acknowledgedRequests++;
          if (attempt > 0) requestsRetried++;
          maxRetries = Math.max(maxRetries, attempt);
          break;
        }
        if (answer.status !== 0 && answer.status !== 429 && answer.status !== 503) {
          throw new Error(`collector answered ${answer.status} to request ${index}`);
        }
        retries++;
        const after = Number(answer.retryAfter);
        await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : 100);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ended = performance.now();
  polling = false;
  await poller;
  const loadUsed = process.cpuUsage(loadBefore);
  const cpuUsed = cpuSecondsOf(collector.pid) - cpuBefore;
  const threadsAfter = threadCpuOf(collector.pid);
  const machineAfter = machineCpu();
  const machineTotal = machineAfter.total - machineBefore.total;
  agent.destroy();
  const after = await scrape(collector);
  const timesAfter = await collectorTimes(collector);

  // The steady window ends at the deadline, or, when the pool ran out first, at the last
  // acknowledgement (no request started after that, but the collector stayed busy until then).
  const lastAck = completions.at(-1)?.at ?? ended;
  let windowEnd = exhaustedAt === undefined ? deadline : Math.min(deadline, lastAck);
  if (windowEnd - windowStart < 1000) {
    // Too few requests for a warm-up: the whole phase.
    windowStart = started;
    windowEnd = Math.max(lastAck, started + 1);
  }
  let windowSpans = 0;
  for (const c of completions) if (c.at >= windowStart && c.at <= windowEnd) windowSpans += c.spans;
  const windowSeconds = (windowEnd - windowStart) / 1000;
  const phaseSamples = collector.samples.filter((s) => s.at >= started && s.at <= ended + 250);
  const peakRss = phaseSamples.reduce((max, s) => Math.max(max, s.rss), 0);
  const rssSteps: number[] = [];
  for (const s of phaseSamples) {
    const step = Math.floor((s.at - started) / 5000);
    rssSteps[step] = Math.max(rssSteps[step] ?? 0, s.rss);
  }
  const wall = (ended - started) / 1000;
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  return {
    label,
    concurrency,
    seconds: wall,
    windowSeconds,
    sustained: windowSpans / windowSeconds,
    spans: completions.length * pool.batch,
    statuses,
    retries,
    requestsRetried,
    maxRetries,
    latencies: latencies.sort((a, b) => a - b),
    exhaustedAt: exhaustedAt === undefined ? undefined : (exhaustedAt - started) / 1000,
    drainSeconds: Math.max(0, (ended - deadline) / 1000),
    peakRss,
    collectorCores: cpuUsed / wall,
    loadCores: (loadUsed.user + loadUsed.system) / 1e6 / wall,
    threads: [...threadsAfter]
      .map(([group, sec]): [string, number] => [
        group,
        (sec - (threadsBefore.get(group) ?? 0)) / wall,
      ])
      .sort((a, b) => b[1] - a[1]),
    machineBusy: (machineAfter.busy - machineBefore.busy) / machineTotal,
    machineIowait: (machineAfter.iowait - machineBefore.iowait) / machineTotal,
    maxQueueRows,
    batches: delta("runtrace_writer_insert_duration_seconds_count"),
    insertSeconds: delta("runtrace_writer_insert_duration_seconds_sum"),
    rssSteps: Array.from(rssSteps, (kib) => kib ?? 0),
    times: timesBefore && timesAfter ? diffTimes(timesAfter, timesBefore) : undefined,
  };
}

/** The instrumented collector's totals, or undefined for `runtrace collector` itself. */
async function collectorTimes(collector: Collector): Promise<CollectorTimes | undefined> {
  if (!collector.instrumented) return undefined;
  return (await (await fetch(new URL("/bench/times", collector.url))).json()) as CollectorTimes;
}

function diffTotals(a: CallTotals, b: CallTotals | undefined): CallTotals {
  return {
    ms: a.ms - (b?.ms ?? 0),
    calls: a.calls - (b?.calls ?? 0),
    chars: a.chars - (b?.chars ?? 0),
  };
}

function diffTimes(a: CollectorTimes, b: CollectorTimes): CollectorTimes {
  const inserts: Record<string, CallTotals> = {};
  for (const [table, t] of Object.entries(a.inserts))
    inserts[table] = diffTotals(t, b.inserts[table]);
  return {
    inserts,
    lookups: diffTotals(a.lookups, b.lookups),
    deletes: diffTotals(a.deletes, b.deletes),
    loopActiveMs: a.loopActiveMs - b.loopActiveMs,
    loopIdleMs: a.loopIdleMs - b.loopIdleMs,
    gcMs: a.gcMs - b.gcMs,
    gcCount: a.gcCount - b.gcCount,
    loopDelayP50: a.loopDelayP50,
    loopDelayP99: a.loopDelayP99,
    // Peaks are since the previous read: the phase's own.
    memory: a.memory,
  };
}

/** Where the instrumented collector's time went over a phase. */
function describeTimes(t: CollectorTimes, p: Phase): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const wall = p.seconds * 1000;
  let inserted = 0;
  const tables: string[] = [];
  for (const [table, x] of Object.entries(t.inserts)) {
    inserted += x.ms;
    if (x.calls > 0) {
      tables.push(`${table} ${s(x.ms)}/${x.calls} (${fmt(x.chars / 1e6 / (x.ms / 1000))} MB/s)`);
    }
  }
  const engine = inserted + t.lookups.ms + t.deletes.ms;
  return (
    `collector over ${s(wall)}: writer in ClickHouse calls ${s(engine)} (both lanes summed; ` +
    `${fmt((100 * engine) / wall)}% of wall; inserts ${s(inserted)}: ${tables.join(", ")}; ` +
    `look-ups ${s(t.lookups.ms)}/${t.lookups.calls}, deletes ${s(t.deletes.ms)}/${t.deletes.calls}); ` +
    `writer batch time (/metrics: look-ups, serializing, inserts) ${p.insertSeconds.toFixed(1)} s; ` +
    `main thread ${fmt((100 * t.loopActiveMs) / (t.loopActiveMs + t.loopIdleMs))}% busy ` +
    `(GC pauses ${s(t.gcMs)} in ${t.gcCount}), event-loop delay p99 ${fmt(t.loopDelayP99)} ms (since start); ` +
    `peak V8 heap ${fmt(t.memory.heapUsed)} MB used / ${fmt(t.memory.heapTotal)} MB reserved, ` +
    `outside the heap (Buffers) ${fmt(t.memory.external)} MB; engine memory tracked ` +
    `${fmt(t.memory.engineTracked)} MB`
  );
}

function statusText(p: Phase): string {
  const order = ["200", "429", "503"];
  const keys = [...new Set([...order, ...p.statuses.keys()])];
  return keys.map((k) => `${k}: ${p.statuses.get(k) ?? 0}`).join(", ");
}

function describePhase(p: Phase): string {
  const ms = (x: number) => `${fmt(x)} ms`;
  const exhausted =
    p.exhaustedAt === undefined ? "" : `; request pool ran out after ${p.exhaustedAt.toFixed(1)} s`;
  return (
    `  ${p.label}: ${fmt(p.sustained)} spans/s over ${p.windowSeconds.toFixed(1)} s ` +
    `(after warm-up; ${p.seconds.toFixed(1)} s incl. ${p.drainSeconds.toFixed(1)} s drain${exhausted}); ` +
    `latency p50 ${ms(percentile(p.latencies, 50))}, p99 ${ms(percentile(p.latencies, 99))}, ` +
    `max ${ms(p.latencies.at(-1) ?? Number.NaN)}; ${statusText(p)}; ` +
    `${p.retries} resends (${p.requestsRetried} requests, up to ${p.maxRetries} each); ` +
    `writer: ${p.batches} batches of ~${fmt(p.spans / Math.max(1, p.batches))} spans, ` +
    `${p.insertSeconds.toFixed(1)} s inserting, queue max ${fmt(p.maxQueueRows)} rows; ` +
    `collector ${p.collectorCores.toFixed(2)} cores, RSS peak ${mb(p.peakRss)}; ` +
    `load generator ${p.loadCores.toFixed(2)} cores; machine ${fmt(100 * p.machineBusy)}% busy ` +
    `(other processes ${Math.max(0, p.machineBusy * availableParallelism() - p.collectorCores - p.loadCores).toFixed(2)} cores), ` +
    `${fmt(100 * p.machineIowait)}% iowait\n    collector RSS peak per 5 s: ` +
    `${p.rssSteps.map(mb).join(", ")}\n    collector cores by thread: ` +
    p.threads
      .filter(([, cores]) => cores >= 0.01)
      .map(([group, cores]) => `${group} ${cores.toFixed(2)}`)
      .join(", ") +
    (p.times ? `\n    ${describeTimes(p.times, p)}` : "")
  );
}

/** The collector's counters must agree with what the load generator saw acknowledged. */
async function verifyCounters(collector: Collector, pool: Pool): Promise<string> {
  const m = await scrape(collector);
  const accepted = m.get("runtrace_collector_spans_accepted_total") ?? 0;
  const ok200 = m.get('runtrace_collector_requests_total{signal="traces",code="200"}') ?? 0;
  const rejected = sumMatching(m, "runtrace_collector_spans_rejected_total");
  const duplicates = m.get("runtrace_writer_duplicates_dropped_total") ?? 0;
  const failed = m.get("runtrace_writer_failed_batches_total") ?? 0;
  const text =
    `collector counts ${accepted} spans accepted in ${ok200} requests ` +
    `(acknowledged here: ${pool.acknowledgedSpans} in ${pool.acknowledgedRequests}); ` +
    `${rejected} rejected, ${duplicates} duplicates dropped, ${failed} failed batches`;
  if (
    accepted !== pool.acknowledgedSpans ||
    ok200 !== pool.acknowledgedRequests ||
    rejected !== 0 ||
    failed !== 0
  ) {
    throw new Error(`verification failed: ${text}`);
  }
  return text;
}

// --- after the collector: stored rows and the raw engine rate --------------------------------

interface RawInsert {
  table: string;
  columns: readonly string[];
  body: string | Buffer;
  rows: number;
  native: boolean;
}

interface Expected {
  spans: number;
  traces: number;
  executions: number;
  toolCalls: number;
  states: number;
}

/**
 * Decodes the acknowledged requests as the collector does and serializes their rows, in
 * batches of about `batchRows` rows, with the writer's line serializers. Snapshots are left
 * out (what the collector leaves stored is each run's final row); the snapshots whose run's
 * final span was never sent are counted, as they stay in `execution_states`.
 */
function planRaw(
  pool: Pool,
  cutoffMs: number,
  batchRows: number,
  spanFormat: "native" | "tsv",
): { inserts: RawInsert[]; expected: Expected } {
  const inserts: RawInsert[] = [];
  const expected: Expected = { spans: 0, traces: 0, executions: 0, toolCalls: 0, states: 0 };
  const finals = new Set<string>();
  const states = new Set<string>();
  const flush = (batch: SpanRows) => {
    const finalRows = batch.executions.filter((e) => e.final);
    for (const e of batch.executions) (e.final ? finals : states).add(e.executionId);
    const parts: [string, readonly string[], string[]][] = [
      ["executions", EXECUTION_COLUMNS, finalRows.map(executionLine)],
      ["tool_calls", TOOL_CALL_COLUMNS, batch.toolCalls.map(toolCallLine)],
    ];
    if (spanFormat === "tsv") {
      parts.unshift(["otel_traces", OTEL_TRACES_COLUMNS, batch.traces.map(otelTracesLine)]);
    } else if (batch.traces.length > 0) {
      const body = otelTracesNative(batch.traces);
      inserts.push({
        table: "otel_traces",
        columns: OTEL_TRACES_COLUMNS,
        body,
        rows: batch.traces.length,
        native: true,
      });
    }
    for (const [table, columns, lines] of parts) {
      if (lines.length > 0)
        inserts.push({ table, columns, body: lines.join(""), rows: lines.length, native: false });
    }
    expected.traces += batch.traces.length;
    expected.executions += finalRows.length;
    expected.toolCalls += batch.toolCalls.length;
    if (batch.rejected > 0) {
      throw new Error(`spans were rejected: ${JSON.stringify(batch.rejectReasons)}`);
    }
  };
  let batch = emptySpanRows();
  for (let i = 0; i < pool.bodies.length; i++) {
    if (!pool.acknowledged[i]) continue;
    const spans = decodeTracesProtobuf(pool.bodies[i]!);
    expected.spans += spans.length;
    mapSpans(spans, { retentionCutoffMs: cutoffMs }, batch);
    if (batch.traces.length + batch.executions.length + batch.toolCalls.length >= batchRows) {
      flush(batch);
      batch = emptySpanRows();
    }
  }
  flush(batch);
  for (const id of finals) states.delete(id);
  expected.states = states.size;
  return { inserts, expected };
}

/**
 * Bytes on disk per span after merges (every table optimized first), for `otel_traces` and for
 * all tables, and the compression ratio as ClickHouse reports it (uncompressed / compressed
 * bytes of the active parts' columns).
 */
async function spanStorage(ch: ClickHouse, spans: number): Promise<string> {
  const tables = await ch.select<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree'",
  );
  for (const t of tables) await ch.command(`OPTIMIZE TABLE \`${t.name}\` FINAL`);
  const rows = await partsByTable(ch);
  const traces = rows.find((r) => r.table === "otel_traces");
  const all = rows.reduce(
    (t, r) => ({
      bytes: t.bytes + Number(r.bytes),
      packed: t.packed + Number(r.packed),
      unpacked: t.unpacked + Number(r.unpacked),
    }),
    { bytes: 0, packed: 0, unpacked: 0 },
  );
  const ratio = (r: { packed: number; unpacked: number }) =>
    `${(Number(r.unpacked) / Math.max(1, Number(r.packed))).toFixed(1)}×`;
  return (
    `storage after OPTIMIZE … FINAL: otel_traces ${(Number(traces?.bytes ?? 0) / spans).toFixed(0)} B/span ` +
    `(compression ${traces ? ratio(traces) : "-"}), all tables ${(all.bytes / spans).toFixed(0)} B/span ` +
    `(compression ${ratio(all)}; ${(all.bytes / 1e6).toFixed(1)} MB on disk for ${spans} spans)`
  );
}

/** Fails unless the tables hold every acknowledged span's rows, each once. */
async function verifyStored(ch: ClickHouse, expected: Expected, withStates: boolean) {
  const [c] = await ch.select<{
    traces: number;
    span_ids: number;
    executions: number;
    execution_ids: number;
    tool_calls: number;
    states: number;
  }>(
    `SELECT (SELECT count() FROM otel_traces) AS traces,
            (SELECT uniqExact(TraceId, SpanId) FROM otel_traces) AS span_ids,
            -- A run's root stored before some of its spans gets a newer version once they come:
            -- the versions replaced are listed in superseded_executions.
            (SELECT count() FROM executions
              WHERE row_id NOT IN (SELECT row_id FROM superseded_executions)) AS executions,
            (SELECT uniqExact(execution_id) FROM executions) AS execution_ids,
            (SELECT count() FROM tool_calls) AS tool_calls,
            (SELECT uniqExact(execution_id) FROM execution_states) AS states`,
  );
  if (!c) throw new Error("count query returned no row");
  const n = (x: number) => Number(x);
  const stateSpans = expected.spans - expected.traces;
  const text =
    `otel_traces ${n(c.traces)} rows (${n(c.span_ids)} distinct span ids) + ${stateSpans} state ` +
    `spans = ${n(c.traces) + stateSpans}/${expected.spans} spans; executions ${n(c.executions)}/` +
    `${expected.executions}, tool_calls ${n(c.tool_calls)}/${expected.toolCalls}` +
    (withStates ? `, unfinished runs in execution_states ${n(c.states)}/${expected.states}` : "");
  const ok =
    n(c.traces) === expected.traces &&
    n(c.span_ids) === expected.traces &&
    n(c.executions) === expected.executions &&
    n(c.execution_ids) === expected.executions &&
    n(c.tool_calls) === expected.toolCalls &&
    (!withStates || n(c.states) === expected.states);
  if (!ok) throw new Error(`verification failed: ${text}`);
  return text;
}

function newestProfile(dir: string, pid: number): string | undefined {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
  const files = readdirSync(dir).filter(
    (f) => f.includes(`.${pid}.0.`) && f.endsWith(".cpuprofile"),
  );
  return files.length > 0 ? join(dir, files.sort().at(-1)!) : undefined;
}

export async function runIngestBenchmark(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const dataDir = mkdtempSync(join(tmpdir(), "runtrace-ingest-"));
  let collector: Collector | undefined;
  try {
    console.log(
      `encoding ${options.requests} OTLP protobuf requests of ${options.batch} spans ` +
        `(code ${options.codeBytes.join("-")} B, tool results ${options.resultBytes.join("-")} B)...`,
    );
    const encoded = encodeRequests(options);
    const bytes = encoded.bodies.reduce((sum, b) => sum + b.length, 0);
    const perRequest = bytes / encoded.bodies.length;
    const requestsLine =
      `requests: ${encoded.bodies.length} × ${options.batch} spans ` +
      `(${fmt(encoded.spans / 1000)}k spans, ${encoded.executions} executions), ` +
      `${kb(perRequest)} protobuf each (${fmt(perRequest / options.batch)} B/span; code ` +
      `${options.codeBytes.join("-")} B, tool results ${options.resultBytes.join("-")} B); ` +
      `generated in ${encoded.seconds.toFixed(1)} s`;
    console.log(requestsLine);

    collector = await startCollector(dataDir, options);
    const idleRss = collector.samples[0]?.rss ?? 0;
    console.log(
      `collector pid ${collector.pid} on ${collector.url.origin}, RSS ${mb(idleRss)} when ready, ` +
        `data in ${dataDir}` +
        (options.collectorCpuProf ? `, profiling into ${options.collectorCpuProf}` : ""),
    );
    const pool: Pool = {
      bodies: encoded.bodies,
      batch: options.batch,
      next: 0,
      acknowledged: [],
      acknowledgedSpans: 0,
      acknowledgedRequests: 0,
    };
    const phases: Phase[] = [];
    const plan: [string, number, number][] = [
      ...options.concurrency.map(
        (c) => [`phase A (${c} in flight)`, c, options.phaseSeconds] as [string, number, number],
      ),
      [
        `phase B (overload, ${options.overload} in flight)`,
        options.overload,
        options.overloadSeconds,
      ],
    ];
    for (const [label, concurrency, seconds] of plan) {
      if (pool.next >= pool.bodies.length) {
        console.log(`  ${label}: skipped, every request was sent already`);
        continue;
      }
      const phase = await runPhase(
        collector,
        pool,
        label,
        concurrency,
        seconds,
        options.warmupSeconds,
      );
      phases.push(phase);
      console.log(describePhase(phase));
      console.log(`    verified: ${await verifyCounters(collector, pool)}`);
    }

    const stopped = await collector.stop();
    const hwm = collector.hwm;
    const pid = collector.pid;
    collector = undefined;
    if (stopped.code !== 0) throw new Error(`collector exited with ${stopped.code}`);
    console.log(`collector stopped (SIGTERM) in ${stopped.seconds.toFixed(1)} s; VmHWM ${mb(hwm)}`);

    // The collector's settings (the same environment), on its data directory.
    const ch = await createClickHouse({
      ...readConfig(process.env).clickhouse,
      dataDir,
      url: undefined,
    });
    const raws: { batchRows: number; inserts: number; seconds: number }[] = [];
    let expected: Expected | undefined;
    let version = "?";
    const spanFormat = ch.config.insertFormat;
    try {
      const [v] = await ch.select<{ v: string }>("SELECT version() AS v");
      version = v?.v ?? "?";
      const cutoffMs = retentionCutoffMs(ch.config.retentionDays);
      for (const batchRows of options.rawBatchRows) {
        const t0 = performance.now();
        const planned = planRaw(pool, cutoffMs, batchRows, spanFormat);
        const planSeconds = (performance.now() - t0) / 1000;
        if (!expected) {
          expected = planned.expected;
          console.log(`stored by the collector: ${await verifyStored(ch, expected, true)}`);
          console.log(await spanStorage(ch, expected.spans));
        }
        await truncateRunTables(ch);
        const tsvBytes = planned.inserts.reduce((sum, i) => sum + i.body.length, 0);
        let seconds = 0;
        for (const insert of planned.inserts) {
          const t = performance.now();
          await (insert.native
            ? ch.insertNative(insert.table, insert.columns, insert.body as Buffer)
            : ch.insertTsv(insert.table, insert.columns, insert.body));
          seconds += (performance.now() - t) / 1000;
        }
        raws.push({ batchRows, inserts: planned.inserts.length, seconds });
        console.log(
          `raw, ${batchRows}-row batches: decoded, mapped and serialized in ${planSeconds.toFixed(1)} s ` +
            `(not timed); ${planned.inserts.length} inserts (${fmt(tsvBytes / 1e6)} MB; spans as ${spanFormat}) in ` +
            `${seconds.toFixed(1)} s = ${fmt(expected.spans / seconds)} spans/s; ` +
            `${await verifyStored(ch, expected, false)}`,
        );
      }
    } finally {
      await ch.close();
    }
    if (!expected) throw new Error("nothing was verified");

    let profileText: string | undefined;
    if (options.collectorCpuProf) {
      const file = newestProfile(options.collectorCpuProf, pid);
      profileText = file
        ? `collector CPU profile ${file}\n${formatProfileSummary(summarizeCpuProfile(file))}`
        : `no CPU profile of pid ${pid} in ${options.collectorCpuProf}`;
    }

    console.log("");
    console.log(
      `ingest benchmark (collector process on embedded ClickHouse ${version}, ` +
        `node ${process.version}, ${availableParallelism()} CPUs)`,
    );
    console.log(requestsLine);
    for (const p of phases) {
      const ms = (x: number) => `${fmt(x)} ms`;
      const overload = p.concurrency === options.overload;
      const retried = overload
        ? `429: ${p.statuses.get("429") ?? 0} (resent after Retry-After), 503: ${p.statuses.get("503") ?? 0}`
        : `200: ${p.statuses.get("200") ?? 0}, 429: ${p.statuses.get("429") ?? 0}, 503: ${p.statuses.get("503") ?? 0}`;
      console.log(
        `${p.label}: ${fmt(p.sustained)} spans/s sustained over ${p.windowSeconds.toFixed(0)} s; ` +
          `latency p50 ${ms(percentile(p.latencies, 50))}, p99 ${ms(percentile(p.latencies, 99))}; ` +
          `${retried}; collector ${p.collectorCores.toFixed(2)} cores, RSS peak ${mb(p.peakRss)}` +
          (overload ? ` (writer queue max ${fmt(p.maxQueueRows)} rows)` : ""),
      );
    }
    console.log(
      `verified: ${pool.acknowledgedSpans} spans acknowledged, ${expected.traces} otel_traces ` +
        `rows + ${expected.spans - expected.traces} state spans stored once ` +
        `(${expected.executions} executions, ${expected.toolCalls} tool calls); ` +
        `collector RSS ${mb(idleRss)} when ready, VmHWM ${mb(hwm)}`,
    );
    console.log(
      `raw engine rate of the same rows (spans as ${spanFormat}, the rest TSV, one insert at a time): ` +
        raws
          .map(
            (r) =>
              `${fmt(expected!.spans / r.seconds)} spans/s in ${fmt(r.batchRows / 1000)}k-row batches`,
          )
          .join(", "),
    );
    if (profileText) console.log(`\n${profileText}`);
  } finally {
    if (collector) {
      collector.child.kill("SIGKILL");
      await sleep(200);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

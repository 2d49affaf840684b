/**
 * @module
 * The load generator: phases of requests in flight, their answers and what the collector reports.
 */
import { Agent, request } from "node:http";
import { availableParallelism } from "node:os";
import { status } from "@grpc/grpc-js";
import {
  type OtlpGrpcClient,
  otlpGrpcClient,
  retryDelayMillis,
} from "@runtrace/testkit-harness/grpc";
import type { CallTotals, CollectorTimes } from "../instrumented-collector.ts";
import {
  type Collector,
  cpuSecondsOf,
  machineCpu,
  scrape,
  sumMatching,
  threadCpuOf,
} from "./collector-process.ts";
import { fmt, mb, sleep } from "./format.ts";

// --- the load generator ------------------------------------------------------------------------

export interface Pool {
  bodies: Buffer[];
  batch: number;
  next: number;
  /** Acknowledged (200) requests, by index. */
  acknowledged: boolean[];
  acknowledgedSpans: number;
  acknowledgedRequests: number;
}

export interface Phase {
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

export interface Answer {
  status: number;
  retryAfter: string | undefined;
}

export function post(agent: Agent, url: URL, body: Buffer): Promise<Answer> {
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

/**
 * The same request over OTLP/gRPC, its answer read as the HTTP one would be: OK as 200,
 * RESOURCE_EXHAUSTED as 429 and UNAVAILABLE as 503 with RetryInfo's delay as Retry-After, any
 * other status as 1000 + its code.
 */
export async function exportGrpc(client: OtlpGrpcClient, body: Buffer): Promise<Answer> {
  const { error } = await client.exportTraces(body);
  if (!error) return { status: 200, retryAfter: undefined };
  const mapped =
    error.code === status.RESOURCE_EXHAUSTED
      ? 429
      : error.code === status.UNAVAILABLE
        ? 503
        : 1000 + error.code;
  const delay = retryDelayMillis(error);
  return { status: mapped, retryAfter: delay === undefined ? undefined : String(delay / 1000) };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Keeps `concurrency` requests in flight for `seconds`, each worker taking the next unsent
 * request; a 429 or 503 is resent after Retry-After (100 ms without one), as an OTLP exporter
 * does. At the deadline no new request starts; those in flight finish (retries included).
 */
export async function runPhase(
  transport: "http" | "grpc",
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
  // One client for the phase: HTTP/2 carries every call in flight on one connection.
  const grpc = transport === "grpc" ? otlpGrpcClient(collector.grpcAddress) : undefined;
  const send = (body: Buffer) => (grpc ? exportGrpc(grpc, body) : post(agent, collector.url, body));
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
          answer = await send(body);
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
  grpc?.close();
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
export async function collectorTimes(collector: Collector): Promise<CollectorTimes | undefined> {
  if (!collector.instrumented) return undefined;
  return (await (await fetch(new URL("/bench/times", collector.url))).json()) as CollectorTimes;
}

export function diffTotals(a: CallTotals, b: CallTotals | undefined): CallTotals {
  return {
    ms: a.ms - (b?.ms ?? 0),
    calls: a.calls - (b?.calls ?? 0),
    chars: a.chars - (b?.chars ?? 0),
  };
}

export function diffTimes(a: CollectorTimes, b: CollectorTimes): CollectorTimes {
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
export function describeTimes(t: CollectorTimes, p: Phase): string {
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

export function statusText(p: Phase): string {
  const order = ["200", "429", "503"];
  const keys = [...new Set([...order, ...p.statuses.keys()])];
  return keys.map((k) => `${k}: ${p.statuses.get(k) ?? 0}`).join(", ");
}

export function describePhase(p: Phase): string {
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
export async function verifyCounters(collector: Collector, pool: Pool): Promise<string> {
  const m = await scrape(collector);
  const accepted = m.get("runtrace_collector_spans_accepted_total") ?? 0;
  // Requests answered OK, over whichever transport the phase used.
  const ok200 =
    (m.get('runtrace_collector_requests_total{signal="traces",code="200"}') ?? 0) +
    (m.get('runtrace_collector_grpc_requests_total{signal="traces",code="OK"}') ?? 0);
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

import { gzipSync } from "node:zlib";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  ATTR_EXECUTION_ID,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
} from "@runtrace/semconv";
import type { SeededRandom } from "@runtrace/testkit/random";
import type { Backend } from "./backend.ts";
import { isToolSpan, spanFacts, spanKey } from "./expected.ts";
import type { SeedRuns } from "./runs.ts";

/**
 * The delivery of a seed's spans: every span in a random order, split into requests of random
 * sizes (1–500 spans), some spans sent again in other requests, and a held-back part sent only
 * after `OPTIMIZE … FINAL` on every table and after one collector was replaced by a fresh one.
 * Requests go out several at a time, each to a random collector, as OTLP protobuf or JSON (some
 * gzipped), built by the real `@opentelemetry/otlp-transformer` serializers. A few seeds are
 * delivered together (a wave): their requests interleave, each seed keeping its own order.
 */

const MAX_REQUEST_SPANS = 500;
const CONCURRENCY = 16;
const HELD_BACK = 0.1;
const DUPLICATES = 0.1;

type Phase = "A" | "B" | "C";

/** One request of a schedule: its spans, encoding and which collector slot it goes to. */
export interface PlannedRequest {
  spans: ReadableSpan[];
  json: boolean;
  gzip: boolean;
  /** Index of the collector (its slot: after a restart, the fresh collector in its place). */
  collector: number;
}

/** What one seed sends, in order: the forced-early request alone, then phases A, B, C. */
export interface Schedule {
  seed: number;
  early: PlannedRequest | undefined;
  phases: Record<Phase, PlannedRequest[]>;
  duplicates: number;
  heldBack: number;
}

/** What a schedule amounts to, for the report. */
export function describeSchedule(s: Schedule) {
  const all = [...(s.early ? [s.early] : []), ...s.phases.A, ...s.phases.B, ...s.phases.C];
  return {
    requests: all.length,
    spans: all.reduce((n, r) => n + r.spans.length, 0),
    duplicates: s.duplicates,
    heldBack: s.heldBack,
    json: all.filter((r) => r.json).length,
    gzip: all.filter((r) => r.gzip).length,
    phases: {
      A: s.phases.A.length + (s.early ? 1 : 0),
      B: s.phases.B.length,
      C: s.phases.C.length,
    },
  };
}

const keyOf = (span: ReadableSpan) => spanKey(span.spanContext());

/** The spans a forced case sends first and the ones it sends last. */
function forcedSpans(runs: SeedRuns): { early: ReadableSpan[]; late: ReadableSpan[] } {
  const early: ReadableSpan[] = [];
  const late: ReadableSpan[] = [];
  for (const { runId, kind } of runs.forced) {
    const mine = runs.spans.filter((s) => s.attributes[ATTR_EXECUTION_ID] === runId);
    const tools = mine.filter((s) => isToolSpan(spanFacts(s)));
    const states = mine.filter((s) => s.name === SPAN_EXECUTION_STATE);
    const roots = mine.filter((s) => s.name === SPAN_EXECUTION);
    switch (kind) {
      case "root-first-tools-late":
        early.push(...roots);
        late.push(...tools);
        break;
      case "final-first-states-late":
        early.push(...roots);
        late.push(...states);
        break;
      case "running-tools-late":
        early.push(...states);
        late.push(...tools);
        break;
      case "resume-final-first":
        early.push(...mine.filter((s) => s.name === SPAN_EXECUTION_RESUME));
        late.push(...roots, ...states);
        break;
      case "seed-tools-first":
        early.push(...tools);
        late.push(...roots);
        break;
    }
  }
  return { early, late };
}

/** Random sizes, 1–500 spans each (log-uniform: many small requests, a few big ones). */
function chunk(rng: SeededRandom, spans: ReadableSpan[]): ReadableSpan[][] {
  const out: ReadableSpan[][] = [];
  for (let at = 0; at < spans.length; ) {
    const size = rng.logSize(Math.min(MAX_REQUEST_SPANS, spans.length - at));
    out.push(spans.slice(at, at + size));
    at += size;
  }
  return out;
}

async function pool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs one request, retrying 429 and 503; anything but 200 (or a rejected span) throws. */
async function post(
  url: string,
  request: PlannedRequest,
  stats: { retries: number },
): Promise<void> {
  const serializer = request.json ? JsonTraceSerializer : ProtobufTraceSerializer;
  const raw = serializer.serializeRequest(request.spans);
  if (!raw) throw new Error("the OTLP serializer returned nothing");
  const body = request.gzip ? gzipSync(raw) : Buffer.from(raw);
  const headers: Record<string, string> = {
    "content-type": request.json ? "application/json" : "application/x-protobuf",
  };
  if (request.gzip) headers["content-encoding"] = "gzip";
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/v1/traces`, { method: "POST", headers, body });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) {
      const answer = serializer.deserializeResponse(bytes) as {
        partialSuccess?: { rejectedSpans?: number | string; errorMessage?: string };
      };
      const rejected = Number(answer.partialSuccess?.rejectedSpans ?? 0);
      if (rejected > 0) {
        throw new Error(
          `${url}/v1/traces rejected ${rejected} of ${request.spans.length} spans: ${answer.partialSuccess?.errorMessage}`,
        );
      }
      return;
    }
    if ((res.status === 429 || res.status === 503) && attempt < 40) {
      stats.retries += 1;
      await sleep(250);
      continue;
    }
    throw new Error(
      `${url}/v1/traces answered ${res.status}: ${new TextDecoder().decode(bytes).slice(0, 500)}`,
    );
  }
}

/**
 * The delivery schedule of one seed, drawn from its PRNG: the forced-early spans alone in a
 * first request; the rest shuffled, ~10% held back for phases B and C (the forced-late spans
 * in C); requests of random sizes; ~10% of the spans sent again in another request of their
 * phase or a later one; each request's encoding and collector drawn too.
 */
export function schedule(runs: SeedRuns, rng: SeededRandom, collectors: number): Schedule {
  const { early, late } = forcedSpans(runs);
  const forcedKeys = new Set([...early, ...late].map(keyOf));
  const rest = rng.shuffle(runs.spans.filter((s) => !forcedKeys.has(keyOf(s))));
  const held = rest.splice(0, Math.round(rest.length * HELD_BACK));
  const pools: Record<Phase, ReadableSpan[]> = { A: rest, B: [], C: [...late] };
  for (const s of held) pools[rng.chance(0.5) ? "B" : "C"].push(s);
  rng.shuffle(pools.C);
  const phaseOf = new Map<string, Phase>();
  for (const s of early) phaseOf.set(keyOf(s), "A");
  for (const phase of ["A", "B", "C"] as const) {
    for (const s of pools[phase]) phaseOf.set(keyOf(s), phase);
  }
  const chunks: Record<Phase, ReadableSpan[][]> = {
    A: chunk(rng, pools.A),
    B: chunk(rng, pools.B),
    C: chunk(rng, pools.C),
  };
  // Duplicates: a span sent again, in another request of its own phase or of a later one.
  const later: Record<Phase, Phase[]> = { A: ["A", "B", "C"], B: ["B", "C"], C: ["C"] };
  let duplicates = 0;
  for (const s of runs.spans) {
    if (!rng.chance(DUPLICATES)) continue;
    const key = keyOf(s);
    const phase = rng.pick(later[phaseOf.get(key) ?? "A"]);
    const candidates = chunks[phase].filter(
      (r) => r.length < MAX_REQUEST_SPANS && !r.some((x) => keyOf(x) === key),
    );
    if (candidates.length > 0 && rng.chance(0.7)) {
      const target = rng.pick(candidates);
      target.splice(rng.int(0, target.length), 0, s);
    } else {
      chunks[phase].splice(rng.int(0, chunks[phase].length), 0, [s]);
    }
    duplicates += 1;
  }
  const plan = (spans: ReadableSpan[]): PlannedRequest => ({
    spans,
    json: rng.chance(0.25),
    gzip: rng.chance(0.2),
    collector: rng.int(0, collectors - 1),
  });
  return {
    seed: runs.seed,
    early: early.length > 0 ? plan(early) : undefined,
    phases: { A: chunks.A.map(plan), B: chunks.B.map(plan), C: chunks.C.map(plan) },
    duplicates,
    heldBack: pools.B.length + pools.C.length,
  };
}

export interface WaveReport {
  seeds: number[];
  retries: number;
  restarted: number;
  /** Milliseconds per step. */
  ms: Record<string, number>;
}

/**
 * Sends the schedules of a wave of seeds together: each seed's forced-early request (one per
 * seed, all at once); then every phase-A request of every seed, several at a time in a random
 * interleaving; `OPTIMIZE … FINAL` on every table; phase B; one collector replaced by a fresh
 * one; phase C. Each seed still sees its own order: early, A, B, C.
 */
export async function sendWave(
  schedules: Schedule[],
  backend: Backend,
  rng: SeededRandom,
): Promise<WaveReport> {
  const report: WaveReport = {
    seeds: schedules.map((s) => s.seed),
    retries: 0,
    restarted: -1,
    ms: {},
  };
  let mark = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    report.ms[step] = Math.round(now - mark);
    mark = now;
  };
  const send = async (requests: PlannedRequest[]) => {
    const tasks = rng.shuffle([...requests]).map((r) => async () => {
      const url = backend.collectorUrls[r.collector % backend.collectorUrls.length]!;
      await post(url, r, report);
    });
    await pool(tasks, CONCURRENCY);
  };
  await send(schedules.flatMap((s) => (s.early ? [s.early] : [])));
  lap("early");
  await send(schedules.flatMap((s) => s.phases.A));
  lap("A");
  // B: after every merge that can happen.
  await backend.optimizeAll();
  lap("optimize");
  await send(schedules.flatMap((s) => s.phases.B));
  lap("B");
  // C: after one collector was replaced by a fresh one (a new process, as far as it can tell).
  report.restarted = rng.int(0, backend.collectorUrls.length - 1);
  await backend.restart(report.restarted);
  lap("restart");
  await send(schedules.flatMap((s) => s.phases.C));
  lap("C");
  return report;
}

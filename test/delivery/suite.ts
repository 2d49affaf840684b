import { appendFileSync } from "node:fs";
import { SeededRandom } from "@runtrace/testkit/random";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Backend } from "./backend.ts";
import { Api, compareAll, Diffs } from "./compare.ts";
import { describeSchedule, type Schedule, schedule, sendWave, type WaveReport } from "./deliver.ts";
import { buildModel, type Model } from "./expected.ts";
import { generateSeed, type SeedRuns } from "./runs.ts";
import { runCountFromEnv, seedsFromEnv } from "./seeds.ts";

/**
 * Property: every stored answer depends only on WHICH spans were received, never on HOW.
 *
 * Per seed: runs of every shape (real @runtrace/sdk runs, including a pause in one "process"
 * resumed in another, and runs written with the plain OpenTelemetry API in the seed engine's
 * names), every span delivered in a random order and grouping, with duplicates, with a held-back
 * part sent after OPTIMIZE … FINAL and after a collector restart, to two collectors on one
 * embedded ClickHouse. Then each list (four sorts, paged), facet, timeline, detail, tool-call
 * list, trace tree and Jaeger trace is compared with what the oracle (expected.ts) computes from
 * the spans alone.
 *
 * Seeds go in waves (RUNTRACE_DELIVERY_WAVE, default 5; the first wave has 2): the spans of a
 * wave's seeds are sent together, interleaved, each seed keeping its own schedule (its first
 * request, phase A, OPTIMIZE, phase B, a collector restart, phase C). While a wave's answers are
 * compared, the next wave is delivered (OPTIMIZE and restart included): answers must not move.
 *
 * The seeds are split over two test files (order-independence.test.ts and
 * order-independence-2.test.ts, every other seed each): each file is a process with its own
 * embedded ClickHouse, and one process's main thread is what limits the speed, so two use both
 * cores.
 *
 * Environment:
 * - RUNTRACE_DELIVERY_SEEDS=n (default 20) seeds, from RUNTRACE_DELIVERY_SEED (default 1);
 * - RUNTRACE_DELIVERY_RUNS=lo-hi runs per seed (default 10-20, for time; 15-40 is the full size);
 * - RUNTRACE_DELIVERY_FILTERS=n filter cases per seed besides "no filter" (default 7, all: 99);
 * - RUNTRACE_DELIVERY_REPORT=<file> appends one JSON line per seed (timings, difference kinds);
 * - RUNTRACE_DELIVERY_SHOW=n differences spelled out in a failure (default 8).
 */

/**
 * The oracle must agree with what the generator meant each run to be; a disagreement is a bug
 * in this test, not in runtrace, and is reported as such.
 */
function checkOracle(runs: SeedRuns, model: Model): void {
  const problems: string[] = [];
  for (const intent of runs.intents) {
    const run = model.runs.get(intent.id);
    if (!run) {
      problems.push(`${intent.id} (${intent.shape}): no run in the model`);
      continue;
    }
    const compare: [string, unknown, unknown][] = [
      ["scope", intent.scope, run.scope],
      ["status", intent.status, run.status],
      ["createdAt", intent.createdAt, run.createdAt],
      ["startedAt", intent.startedAt, run.startedAt],
      ["completedAt", intent.completedAt, run.completedAt],
      ["trigger", intent.trigger, run.trigger.kind],
      ["code", intent.code, run.code],
      ["toolPaths", intent.toolPaths, run.toolCalls.map((c) => c.toolPath)],
      ["interactionCount", intent.interactionCount, run.interactionCount],
      ["hadElicitation", intent.hadElicitation, run.hadElicitation],
      ["pendingKind", intent.pendingKind, run.pendingInteraction?.kind ?? null],
      ["logs", intent.logs, run.logs.map((l) => l.message)],
      ["error", intent.error, run.error],
    ];
    for (const [field, want, got] of compare) {
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        problems.push(
          `${intent.id} (${intent.shape}) ${field}: generator ${JSON.stringify(want)}, oracle ${JSON.stringify(got)}`,
        );
      }
    }
  }
  for (const id of runs.orphanIds) {
    if (model.runs.has(id)) problems.push(`orphan ${id} became a run`);
  }
  if (model.runs.size !== runs.intents.length) {
    problems.push(`${model.runs.size} runs in the model, ${runs.intents.length} generated`);
  }
  if (problems.length > 0) {
    throw new Error(
      `test bug: the oracle disagrees with the generator:\n${problems.slice(0, 10).join("\n")}`,
    );
  }
}

interface PreparedSeed {
  rng: SeededRandom;
  runs: SeedRuns;
  model: Model;
  schedule: Schedule;
  generateMs: number;
}

interface PreparedWave {
  seeds: Map<number, PreparedSeed>;
  report: WaveReport;
}

/**
 * Seeds in waves: a wave's seeds are delivered together, then compared one by one. The first
 * wave is small, so that comparing starts early.
 */
function inWaves(seeds: number[], size: number): number[][] {
  const waves = [seeds.slice(0, Math.min(2, size))];
  for (let i = waves[0]!.length; i < seeds.length; i += size) waves.push(seeds.slice(i, i + size));
  return waves;
}

/** Defines the suite for the seeds at positions `part`, `part + parts`, … of the seed list. */
export function orderIndependenceSuite(part: number, parts: number): void {
  const seeds = seedsFromEnv().filter((_, i) => i % parts === part);
  const runCount = runCountFromEnv([10, 20]);
  const filterCount = 1 + Number(process.env.RUNTRACE_DELIVERY_FILTERS ?? 7);
  const reportFile = process.env.RUNTRACE_DELIVERY_REPORT;
  const shown = Number(process.env.RUNTRACE_DELIVERY_SHOW ?? 8);
  const waves = inWaves(seeds, Number(process.env.RUNTRACE_DELIVERY_WAVE ?? 5));
  const title = "stored answers depend only on which spans arrived, not on how";
  if (seeds.length === 0) {
    describe(title, () => it.skip("no seed falls to this part of the seed list", () => undefined));
    return;
  }

  let backend: Backend;
  const delivered = new Map<number, Promise<PreparedWave>>();
  beforeAll(async () => {
    backend = await Backend.start(2);
  }, 120_000);
  afterAll(async () => {
    // A wave delivered for seeds that never ran (an earlier failure) must end first.
    await Promise.allSettled(delivered.values());
    await backend?.close();
  });

  /** Generates each seed's runs, checks the oracle against them, delivers the wave's spans. */
  async function prepareWave(index: number): Promise<PreparedWave> {
    const prepared = new Map<number, PreparedSeed>();
    for (const seed of waves[index]!) {
      const started = performance.now();
      const rng = SeededRandom.spread(seed);
      const runs = await generateSeed(seed, rng, runCount);
      const model = buildModel(runs.spans);
      checkOracle(runs, model);
      prepared.set(seed, {
        rng,
        runs,
        model,
        schedule: schedule(runs, rng, backend.collectorUrls.length),
        generateMs: Math.round(performance.now() - started),
      });
    }
    const schedules = [...prepared.values()].map((p) => p.schedule);
    const report = await sendWave(
      schedules,
      backend,
      SeededRandom.spread(waves[index]![0]! * 7919 + 17),
    );
    return { seeds: prepared, report };
  }

  function waveOnce(index: number): Promise<PreparedWave> {
    let p = delivered.get(index);
    if (!p) {
      p = prepareWave(index);
      // Awaited by the wave's own tests; until then a failure must not be an unhandled rejection.
      p.catch(() => undefined);
      delivered.set(index, p);
    }
    return p;
  }

  describe(title, () => {
    it.each(seeds)("seed %i", async (seed) => {
      const index = waves.findIndex((w) => w.includes(seed));
      const wave = await waveOnce(index);
      // The next wave is delivered while this one's answers are compared.
      if (index + 1 < waves.length) waveOnce(index + 1);
      const { rng, runs, model, schedule: planned, generateMs } = wave.seeds.get(seed)!;
      const started = performance.now();
      const api = new Api(backend.api.url);
      const diffs = new Diffs(seed);
      await compareAll(api, model, runs, diffs, rng, filterCount);
      if (reportFile) {
        appendFileSync(
          reportFile,
          `${JSON.stringify({
            seed,
            runs: runs.intents.length,
            spans: runs.spans.length,
            delivery: describeSchedule(planned),
            wave: wave.report,
            apiRequests: api.requests,
            apiTimings: Object.fromEntries(
              [...api.timings].map(([k, t]) => [k, `${t.n} × ${Math.round(t.ms / t.n)} ms`]),
            ),
            ms: { generate: generateMs, compare: Math.round(performance.now() - started) },
            differences: diffs.items.length,
            kinds: Object.fromEntries(diffs.kinds()),
          })}\n`,
        );
      }
      // The same runs and schedule (without the other seeds' requests interleaved).
      const replay = [
        `RUNTRACE_DELIVERY_SEED=${seed} RUNTRACE_DELIVERY_SEEDS=1`,
        `RUNTRACE_DELIVERY_RUNS=${runCount.join("-")}`,
        "npx vitest run test/delivery/order-independence.test.ts",
      ].join(" ");
      expect(diffs.items.length, diffs.format(shown, replay)).toBe(0);
    });
  });
}

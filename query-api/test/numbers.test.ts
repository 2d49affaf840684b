/**
 * `GET /v1/executions/numbers`: count, failure rate, p50/p95 duration, failure rate over time and
 * per-tool calls, failures and p95 of every run a filter matches (more failed runs than a list
 * page holds), over a range of several hours so whole hours come from the rollups and the
 * partial ones from the run rows. Expected values come from the fixture's record of what it
 * sent; quantiles must hold the exact nearest-rank value in the bucket they name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";
import { type RecordedRun, RunFixture } from "./fixture.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field.
type Body = any;

let fixture: RunFixture;
let app: ReturnType<typeof createQueryApiApp>;
const RUNS = 330;
const OPEN = 12;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OLDER = 86;
// Five and a half hours before an unaligned "now": whole hours inside, partial ones at both ends.
const to = Math.floor(Date.now() / HOUR) * HOUR - 17 * 60_000 - 1234;
const from = to - 5.5 * HOUR;

beforeAll(async () => {
  fixture = await RunFixture.start();
  for (let i = 0; i < RUNS; i++) await fixture.run(i, from + 30_000 + i * 60_000);
  for (let i = 0; i < OPEN; i++)
    await fixture.run(RUNS + i, from + 45_000 + i * HOUR * 0.4, "open");
  // Older runs, one every 50 minutes over the three days before: whole days for the daily tables.
  for (let i = 0; i < OLDER; i++) await fixture.run(1000 + i, from - 3 * DAY + i * 50 * 60_000);
  await fixture.flush();
  app = createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: fixture.collector.ch });
}, 240_000);

afterAll(async () => {
  await fixture?.stop();
});

const FINISHED = new Set(["completed", "failed", "cancelled"]);

function nearestRank(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** The answer names a bucket that holds the exact value, and is within 6 % of it. */
function expectQuantile(answer: Body, exactMs: number | null): void {
  if (exactMs === null) {
    expect(answer).toBeNull();
    return;
  }
  expect(answer.fromMs).toBeLessThanOrEqual(exactMs);
  if (answer.toMs !== null) expect(exactMs).toBeLessThan(answer.toMs);
  expect(Math.abs(answer.ms - exactMs) / exactMs).toBeLessThanOrEqual(0.06);
}

/** `/numbers` and `/numbers/tools` of one query, side by side. */
async function numbers(query: string): Promise<Body> {
  const answers: Body[] = [];
  for (const path of ["/v1/executions/numbers", "/v1/executions/numbers/tools"]) {
    const response = await app.request(`${path}?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    answers.push(await response.json());
  }
  expect(answers[1].partial).toEqual(answers[0].partial);
  return { ...answers[0], ...answers[1] };
}

/** Every number the answer must hold for the recorded runs `runs`. */
function expectNumbers(body: Body, runs: RecordedRun[]): void {
  const finished = runs.filter((r) => FINISHED.has(r.status));
  const failed = finished.filter((r) => r.status === "failed");
  expect({ runs: body.runs, finished: body.finished, failed: body.failed }).toEqual({
    runs: runs.length,
    finished: finished.length,
    failed: failed.length,
  });
  expect(body.failureRate).toBeCloseTo(failed.length / finished.length, 12);
  const durations = finished.map((r) => r.durationMs!);
  expect(body.duration.runs).toBe(durations.length);
  expectQuantile(body.duration.p50, nearestRank(durations, 0.5));
  expectQuantile(body.duration.p95, nearestRank(durations, 0.95));

  const perTool = new Map<string, { calls: number; failures: number; durations: number[] }>();
  for (const run of runs) {
    for (const tool of run.tools) {
      const t = perTool.get(tool.path) ?? { calls: 0, failures: 0, durations: [] };
      t.calls++;
      if (tool.failed) t.failures++;
      t.durations.push(tool.durationMs);
      perTool.set(tool.path, t);
    }
  }
  const wantTools = [...perTool]
    .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1))
    .map(([toolPath, t]) => ({ toolPath, calls: t.calls, failures: t.failures }));
  expect(
    body.tools.map((t: Body) => ({ toolPath: t.toolPath, calls: t.calls, failures: t.failures })),
  ).toEqual(wantTools);
  expect(body.toolPathCount).toBe(perTool.size);
  for (const t of body.tools) {
    expect(t.failureRate).toBeCloseTo(t.failures / t.calls, 12);
    expectQuantile(t.p95, nearestRank(perTool.get(t.toolPath)!.durations, 0.95));
  }
}

/** Finished and failed runs per bucket start, for the answer's step. */
function expectSeries(body: Body, runs: RecordedRun[]): void {
  const step = body.failureRateSeries.bucketMs;
  expect(step).toBe(10 * 60_000);
  const points = body.failureRateSeries.points as Body[];
  expect(points[0].bucketStart).toBe(Math.floor(from / step) * step);
  expect(points.at(-1).bucketStart).toBe(Math.floor(to / step) * step);
  const want = new Map<number, { finished: number; failed: number }>();
  for (const r of runs.filter((r) => FINISHED.has(r.status))) {
    const start = Math.floor(r.createdAt / step) * step;
    const point = want.get(start) ?? { finished: 0, failed: 0 };
    point.finished++;
    if (r.status === "failed") point.failed++;
    want.set(start, point);
  }
  for (const p of points) {
    const w = want.get(p.bucketStart) ?? { finished: 0, failed: 0 };
    expect({ at: p.bucketStart, finished: p.finished, failed: p.failed }).toEqual({
      at: p.bucketStart,
      ...w,
    });
    expect(p.failureRate).toBe(w.finished > 0 ? w.failed / w.finished : null);
  }
}

const recorded = (keep: (r: RecordedRun) => boolean) =>
  [...fixture.runs.values()].filter((r) => r.createdAt >= from && r.createdAt <= to && keep(r));

describe("GET /v1/executions/numbers", () => {
  it("the whole range: more failed runs than a page, open runs counted, durations and tools", async () => {
    const runs = recorded(() => true);
    expect(runs.filter((r) => r.status === "failed").length).toBeGreaterThan(50);
    const body = await numbers(`from=${from}&to=${to}`);
    expectNumbers(body, runs);
    expectSeries(body, runs);
    expect(body.partial).toBeNull();
    // As the page asks: a start and no end (the runs all started before `to`).
    expectNumbers(await numbers(`from=${from}`), runs);
  });

  it("status, trigger and scope filters, read from the rollups", async () => {
    const runs = recorded(
      (r) =>
        ["failed", "cancelled"].includes(r.status) &&
        ["cli", "http"].includes(r.trigger ?? "") &&
        r.scope === "scope-a",
    );
    expect(runs.length).toBeGreaterThan(30);
    expectNumbers(
      await numbers(`from=${from}&to=${to}&status=failed,cancelled&trigger=cli,http&scope=scope-a`),
      runs,
    );
  });

  it("a tool filter (durations per tool-filter value, v13) and a code filter (the run rows)", async () => {
    const github = recorded((r) => r.tools.some((t) => t.path.startsWith("github.")));
    expectNumbers(await numbers(`from=${from}&to=${to}&tool=github.*`), github);
    expectNumbers(
      await numbers(`from=${from}&to=${to}&tool=slack.chat.postMessage&status=completed,failed`),
      recorded(
        (r) =>
          r.tools.some((t) => t.path === "slack.chat.postMessage") &&
          ["completed", "failed"].includes(r.status),
      ),
    );
    const marked = recorded((r) => r.code.includes("Marker1_Value"));
    expectNumbers(await numbers(`from=${from}&to=${to}&code=marker1_value`), marked);
  });

  it("several days: whole days, the whole hours around them and the partial hours", async () => {
    const start = from - 3 * DAY + 7 * 60_000 + 123;
    const inRange = (r: RecordedRun) => r.createdAt >= start && r.createdAt <= to;
    const all = [...fixture.runs.values()].filter(inRange);
    expect(all.length).toBeGreaterThan(RUNS + OLDER - 5);
    expectNumbers(await numbers(`from=${start}&to=${to}`), all);
    // Status filters read the tool-duration tables too; a trigger filter reads their rows.
    expectNumbers(
      await numbers(`from=${start}&to=${to}&status=failed,completed`),
      all.filter((r) => ["failed", "completed"].includes(r.status)),
    );
    expectNumbers(
      await numbers(`from=${start}&to=${to}&trigger=mcp&elicitation=false`),
      all.filter((r) => r.trigger === "mcp" && !r.elicitation),
    );
    // One tool-filter value reads the durations per value by day and hour; with a trigger, or
    // two values, the run rows.
    const calls = (r: RecordedRun, prefix: string) =>
      r.tools.some((t) => t.path.startsWith(prefix));
    expectNumbers(
      await numbers(`from=${start}&to=${to}&tool=github.*`),
      all.filter((r) => calls(r, "github.")),
    );
    expectNumbers(
      await numbers(`from=${start}&to=${to}&tool=github.repos.get&status=failed`),
      all.filter((r) => r.status === "failed" && calls(r, "github.repos.get")),
    );
    expectNumbers(
      await numbers(`from=${start}&to=${to}&tool=github.*&trigger=cli`),
      all.filter((r) => r.trigger === "cli" && calls(r, "github.")),
    );
    expectNumbers(
      await numbers(`from=${start}&to=${to}&tool=github.issues.create,slack.*`),
      all.filter((r) => calls(r, "github.issues.create") || calls(r, "slack.")),
    );
  });

  it("a range inside one hour, and no range at all", async () => {
    const start = from + HOUR + 7 * 60_000;
    const end = start + 20 * 60_000;
    expectNumbers(
      await numbers(`from=${start}&to=${end}`),
      recorded((r) => r.createdAt >= start && r.createdAt <= end),
    );
    const all = await numbers("scope=scope-b");
    expectNumbers(
      all,
      [...fixture.runs.values()].filter((r) => r.scope === "scope-b"),
    );
    expect(all.failureRateSeries).toEqual({ bucketMs: null, points: [] });
  });

  it("nothing matched: zeros and nulls, not errors", async () => {
    const body = await numbers(`from=${from}&to=${to}&code=no-such-word-anywhere`);
    expect(body).toMatchObject({
      runs: 0,
      finished: 0,
      failed: 0,
      failureRate: null,
      duration: { runs: 0, p50: null, p95: null },
      tools: [],
      toolPathCount: 0,
    });
  });

  it("a list-only parameter or a bad value is a 400 that names it", async () => {
    for (const [query, name] of [
      ["limit=10", "limit"],
      ["sort=durationMs,desc", "sort"],
      ["status=sideways", "status"],
      [`from=${to}&to=${from}`, "from"],
    ] as const) {
      for (const path of ["/v1/executions/numbers", "/v1/executions/numbers/tools"]) {
        const response = await app.request(`${path}?${query}`);
        expect(response.status, query).toBe(400);
        expect(JSON.stringify(await response.json()), query).toContain(name);
      }
    }
  });
});

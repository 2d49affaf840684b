import { type Listening, listen } from "@runtrace/collector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { parseListRequest } from "../src/executions/list-params.ts";
import { followLive } from "../src/executions/live.ts";
import { parseLivePosition, positionAt } from "../src/executions/live-cursor.ts";
import { chartBucketMs } from "../src/executions/timeline.ts";
import { contractCheck } from "./contract-check.ts";
import { type RecordedRun, RunFixture } from "./fixture.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Body = any;

const MIN = 60_000;
const HOUR = 60 * MIN;
const STATUSES = [
  "pending",
  "running",
  "waiting_for_interaction",
  "completed",
  "failed",
  "cancelled",
];

let fx: RunFixture;
let api: Listening;
let scoped: Listening;
/** The first run's start: six hours ago, one run a minute after it. */
let T0: number;
let openRun: RecordedRun;
let staleRun: RecordedRun;

async function get(path: string, server = api, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Body };
}

async function list(query: string, server = api, headers: Record<string, string> = {}) {
  const { status, body } = await get(`/v1/executions?${query}`, server, headers);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

const inScopeA = () => [...fx.runs.values()].filter((r) => r.scope === "scope-a");
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
const newestFirst = (a: RecordedRun, b: RecordedRun) =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

beforeAll(async () => {
  fx = await RunFixture.start();
  T0 = Math.floor((Date.now() - 6 * HOUR) / MIN) * MIN;
  for (let i = 0; i < 60; i++) await fx.run(i, T0 + i * MIN + (i % 3) * 7);
  // Unfinished: a stale one (silent since T0 + 61 min) and a fresh one, both running.
  staleRun = (await fx.run(61, T0 + 61 * MIN, "open")).run;
  openRun = (await fx.run(62, Date.now() - 2 * MIN, "open")).run;
  // A queued run and one waiting for an answer.
  fx.clock = T0 + 63 * MIN;
  const queued = fx.recorder.create({ scopeId: "scope-a", code: "queued()" }, { start: false });
  fx.runs.set(queued.id, {
    id: queued.id,
    scope: "scope-a",
    status: "pending",
    trigger: null,
    tools: [],
    createdAt: fx.clock,
    durationMs: null,
    code: "queued()",
    elicitation: false,
  });
  fx.clock = T0 + 64 * MIN;
  const waiting = fx.recorder.create({
    scopeId: "scope-a",
    code: "ask()",
    trigger: { kind: "mcp" },
  });
  fx.clock += 10;
  waiting.interaction({
    kind: "url",
    purpose: "sign in",
    payload: { url: "https://example.test" },
  });
  fx.runs.set(waiting.id, {
    id: waiting.id,
    scope: "scope-a",
    status: "waiting_for_interaction",
    trigger: "mcp",
    tools: [],
    createdAt: T0 + 64 * MIN,
    durationMs: null,
    code: "ask()",
    elicitation: true,
  });
  await fx.flush();
  const app = createQueryApiApp({
    checkAnswer: contractCheck(),
    clickhouse: fx.collector.ch,
    staleAfterMs: HOUR,
  });
  api = await listen(app, 0, "127.0.0.1");
  const scopedApp = createQueryApiApp({
    checkAnswer: contractCheck(),
    clickhouse: fx.collector.ch,
    staleAfterMs: HOUR,
    apiTokens: new Map([
      ["tok-a", ["scope-a"]],
      ["tok-all", null],
    ]),
  });
  scoped = await listen(scopedApp, 0, "127.0.0.1");
}, 120_000);

afterAll(async () => {
  await api?.close();
  await scoped?.close();
  await fx?.stop();
});

describe("GET /v1/executions", () => {
  it("lists a scope's runs newest first with every field", async () => {
    const body = await list("scope=scope-a&limit=200");
    const expected = inScopeA().sort(newestFirst);
    expect(ids(body.executions)).toEqual(ids(expected));
    const failed = expected.find((r) => r.status === "failed" && r.trigger === "cli")!;
    const row = body.executions.find((e: Body) => e.id === failed.id);
    expect(row).toMatchObject({
      scope: "scope-a",
      status: "failed",
      stale: false,
      trigger: { kind: "cli" },
      runtime: "quickjs",
      createdAt: failed.createdAt,
      startedAt: failed.createdAt,
      completedAt: failed.createdAt + failed.durationMs!,
      durationMs: failed.durationMs,
      toolCallCount: failed.tools.length,
      hadElicitation: failed.elicitation,
      pendingInteraction: null,
    });
    expect(row.codePreview).toBe(failed.code.replace(/\s+/g, " ").trim());
    expect(row.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("applies each filter, ANDed across and ORed within", async () => {
    const a = inScopeA();
    const cases: [string, (r: RecordedRun) => boolean][] = [
      ["status=failed,cancelled", (r) => r.status === "failed" || r.status === "cancelled"],
      ["status=running", (r) => r.status === "running"],
      ["trigger=cli,unknown", (r) => r.trigger === "cli" || r.trigger === null],
      [
        "tool=slack.chat.postMessage",
        (r) => r.tools.some((t) => t.path === "slack.chat.postMessage"),
      ],
      ["tool=github.*", (r) => r.tools.some((t) => t.path.startsWith("github."))],
      [
        "tool=github.*,jira.issue.get",
        (r) => r.tools.some((t) => t.path.startsWith("github.") || t.path === "jira.issue.get"),
      ],
      [
        `from=${T0 + 10 * MIN}&to=${new Date(T0 + 20 * MIN).toISOString()}`,
        (r) => r.createdAt >= T0 + 10 * MIN && r.createdAt <= T0 + 20 * MIN,
      ],
      ["code=marker1_VALUE", (r) => r.code.toLowerCase().includes("marker1_value")],
      ["code=%25", (r) => r.code.includes("%")],
      ["elicitation=true", (r) => r.elicitation],
      ["elicitation=false", (r) => !r.elicitation],
      [
        "status=completed&trigger=http&elicitation=false",
        (r) => r.status === "completed" && r.trigger === "http" && !r.elicitation,
      ],
    ];
    for (const [query, keep] of cases) {
      const body = await list(`scope=scope-a&limit=200&${query}`);
      const expected = a.filter(keep).sort(newestFirst);
      expect(ids(body.executions), query).toEqual(ids(expected));
      expect(body.meta.filterRowCount, query).toBe(expected.length);
    }
    // No scope parameter: every scope (open API).
    const all = await list("limit=200&meta=false");
    expect(all.executions).toHaveLength(fx.runs.size);
  });

  it("sorts by start and by duration in both directions, unfinished last, ties by id", async () => {
    const a = inScopeA();
    const byDuration = (dir: 1 | -1) => (x: RecordedRun, y: RecordedRun) => {
      if (x.durationMs === null || y.durationMs === null) {
        if (x.durationMs !== y.durationMs) return x.durationMs === null ? 1 : -1;
        return dir * (x.id < y.id ? -1 : 1);
      }
      return dir * (x.durationMs - y.durationMs) || dir * (x.id < y.id ? -1 : 1);
    };
    const expectations: [string, RecordedRun[]][] = [
      ["createdAt,desc", [...a].sort(newestFirst)],
      ["createdAt,asc", [...a].sort(newestFirst).reverse()],
      ["durationMs,desc", [...a].sort(byDuration(-1))],
      ["durationMs,asc", [...a].sort(byDuration(1))],
    ];
    for (const [sort, expected] of expectations) {
      // Page through with a small limit: every sort has a keyset cursor.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body = await list(
          `scope=scope-a&limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...ids(body.executions));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen, sort).toEqual(ids(expected));
    }
  });

  it("pages to the end without repeats or gaps while runs are inserted", async () => {
    const before = inScopeA().sort(newestFirst);
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const body = await list(
        `scope=scope-a&limit=9&meta=false${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...ids(body.executions));
      cursor = body.nextCursor;
      // New runs arrive between pages (newer than everything paged so far).
      await fx.run(100 + n, Date.now() - 60_000 + n * 10, "completed", "scope-a");
      await fx.flush();
      n++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(ids(before));
  });

  it("live mode returns the runs that arrived after the cursor, in arrival order", async () => {
    const first = await list("scope=scope-a&limit=5");
    expect(typeof first.liveCursor).toBe("string");
    const poll1 = await list(`scope=scope-a&after=${first.liveCursor}`);
    expect(poll1.executions).toEqual([]);
    expect(poll1.hasMore).toBe(false);
    const mark = Date.now();
    // Started an hour ago, arriving only now: new to live mode all the same.
    const late = (await fx.run(199, Date.now() - HOUR, "completed", "scope-a")).run;
    await fx.flush();
    const { run } = await fx.run(200, Date.now() - 1000, "completed", "scope-a");
    const other = await fx.run(201, Date.now() - 500, "failed", "scope-b");
    await fx.flush();
    const poll2 = await list(`scope=scope-a&after=${poll1.nextCursor}`);
    expect(ids(poll2.executions)).toEqual([late.id, run.id]);
    expect(poll2.meta).toBeUndefined();
    expect(poll2.hasMore).toBe(false);
    const poll3 = await list(`scope=scope-a&after=${poll2.nextCursor}`);
    expect(poll3.executions).toEqual([]);
    // One at a time: hasMore while more wait, each once.
    const one = await list(`scope=scope-a&limit=1&after=${poll1.nextCursor}`);
    expect([ids(one.executions), one.hasMore]).toEqual([[late.id], true]);
    const two = await list(`scope=scope-a&limit=1&after=${one.nextCursor}`);
    expect([ids(two.executions), two.hasMore]).toEqual([[run.id], false]);
    // A time works as well as a cursor: what arrived after it, in every scope.
    const byTime = await list(`after=${mark}`);
    expect(ids(byTime.executions)[0]).toBe(late.id);
    expect(new Set(ids(byTime.executions))).toEqual(new Set([late.id, run.id, other.run.id]));
    // A page cursor is not a live cursor, and live mode has one order.
    expect((await get(`/v1/executions?after=${first.nextCursor}`)).status).toBe(400);
    const sorted = await get(`/v1/executions?after=${mark}&sort=durationMs,desc`);
    expect([sorted.status, sorted.body.parameter]).toEqual([400, "sort"]);
  });

  it("reads a long way back in steps, with hasMore, in the same order as at once", async () => {
    const ch = fx.collector.ch;
    const signal = new AbortController().signal;
    for (const order of ["after", "updatedSince"] as const) {
      const req = parseListRequest({ limit: "200" });
      const once: string[] = [];
      let from = positionAt(0);
      for (;;) {
        const page = await followLive(order, ch, req, from, null, HOUR, signal);
        once.push(...ids(page.executions));
        from = parseLivePosition(page.nextCursor, "after");
        if (!page.hasMore) break;
      }
      expect(once.length).toBeGreaterThan(60);
      // At most 7 ledger rows (or snapshots) looked at per answer.
      const stepped: string[] = [];
      from = positionAt(0);
      for (let i = 0; i < 1000; i++) {
        const page = await followLive(order, ch, req, from, null, HOUR, signal, 7);
        stepped.push(...ids(page.executions));
        from = parseLivePosition(page.nextCursor, "after");
        if (!page.hasMore) break;
      }
      expect(stepped).toEqual(once);
    }
  });

  it("shows an in-progress run once, then replaced by its final state; updatedSince finds it", async () => {
    const { exec, run } = await fx.run(300, Date.now() - 30_000, "open", "scope-c");
    await fx.flush();
    const running = await list("scope=scope-c");
    expect(running.executions).toHaveLength(1);
    expect(running.executions[0]).toMatchObject({
      id: run.id,
      status: "running",
      stale: false,
      durationMs: null,
    });
    expect(running.meta.statusCounts.find((s: Body) => s.status === "running").count).toBe(1);
    const mark = Date.now() - 10_000;
    fx.clock = Date.now() - 5_000;
    exec.complete({ done: true });
    await fx.flush();
    const done = await list("scope=scope-c");
    expect(done.executions).toHaveLength(1);
    expect(done.executions[0]).toMatchObject({ id: run.id, status: "completed" });
    expect(done.meta.totalRowCount).toBe(1);
    expect(done.meta.statusCounts.find((s: Body) => s.status === "running").count).toBe(0);
    const updated = await list(`scope=scope-c&updatedSince=${mark}`);
    expect(ids(updated.executions)).toEqual([run.id]);
    const none = await list(`scope=scope-c&updatedSince=${Date.now() + 60_000}`);
    expect(none.executions).toEqual([]);
  });

  it("never sets a live cursor back, even to a boundary earlier than the position asked from", async () => {
    // A boundary can be read earlier than the one before it (an insert that started just
    // before that one was read): a cursor set back to it returns again what was returned.
    const ahead = Date.now() + 60_000;
    const cursors = new Map<string, string>();
    for (const order of ["after", "updatedSince"]) {
      const page = await list(`scope=scope-d&${order}=${ahead}`);
      expect(page.executions).toEqual([]);
      expect(parseLivePosition(page.nextCursor, order).atUs).toBeGreaterThanOrEqual(ahead * 1000);
      cursors.set(order, page.nextCursor);
    }
    // Stored now: before the position asked from, so not from the cursor it gave.
    await fx.run(310, Date.now() - 1000, "completed", "scope-d");
    await fx.flush();
    for (const [order, cursor] of cursors) {
      const page = await list(`scope=scope-d&${order}=${cursor}`);
      expect(page.executions, order).toEqual([]);
    }
  });

  it("marks a run that stopped reporting as stale", async () => {
    const body = await list("scope=scope-a&status=running&limit=200");
    const stale = body.executions.find((e: Body) => e.id === staleRun.id);
    const fresh = body.executions.find((e: Body) => e.id === openRun.id);
    expect(stale).toMatchObject({ status: "running", stale: true });
    expect(fresh).toMatchObject({ status: "running", stale: false });
    const waiting = (await list("scope=scope-a&status=waiting_for_interaction")).executions[0];
    expect(waiting.pendingInteraction).toMatchObject({ kind: "url", purpose: "sign in" });
  });
});

describe("meta", () => {
  it("counts each facet with every filter except its own", async () => {
    const a = inScopeA();
    const body = await list(
      "scope=scope-a&status=failed&trigger=cli&elicitation=false&tool=github.*",
    );
    const withTool = (r: RecordedRun) => r.tools.some((t) => t.path.startsWith("github."));
    const count = (keep: (r: RecordedRun) => boolean) => a.filter(keep).length;
    const m = body.meta;
    expect(m.filterRowCount).toBeGreaterThan(0);
    expect(m.totalRowCount).toBe(a.length);
    expect(m.filterRowCount).toBe(
      count((r) => r.status === "failed" && r.trigger === "cli" && !r.elicitation && withTool(r)),
    );
    for (const s of STATUSES) {
      expect(m.statusCounts.find((x: Body) => x.status === s)?.count, s).toBe(
        count((r) => r.status === s && r.trigger === "cli" && !r.elicitation && withTool(r)),
      );
    }
    expect(m.statusCounts).toHaveLength(6);
    for (const t of ["cli", "http", "mcp", null]) {
      const expected = count(
        (r) => r.trigger === t && r.status === "failed" && !r.elicitation && withTool(r),
      );
      expect(m.triggerCounts.find((x: Body) => x.triggerKind === t)?.count ?? 0, String(t)).toBe(
        expected,
      );
    }
    expect(m.interactionCounts).toEqual({
      withElicitation: count(
        (r) => r.elicitation && r.status === "failed" && r.trigger === "cli" && withTool(r),
      ),
      withoutElicitation: count(
        (r) => !r.elicitation && r.status === "failed" && r.trigger === "cli" && withTool(r),
      ),
    });
    // Tool facets: calls of the runs the other filters keep, and the runs calling each path.
    const calls = new Map<string, number>();
    const runs = new Map<string, number>();
    for (const r of a.filter(
      (r) => r.status === "failed" && r.trigger === "cli" && !r.elicitation,
    )) {
      for (const t of r.tools) calls.set(t.path, (calls.get(t.path) ?? 0) + 1);
      for (const path of new Set(r.tools.map((t) => t.path))) {
        runs.set(path, (runs.get(path) ?? 0) + 1);
      }
    }
    const facets = Object.fromEntries(
      m.toolFacets.map((f: Body) => [f.toolPath, [f.count, f.calls, f.runs]]),
    );
    expect(facets).toEqual(
      Object.fromEntries([...calls].map(([path, n]) => [path, [n, n, runs.get(path)]])),
    );
  });

  it("builds the timeline: bucket size, alignment, zero fill, sums", async () => {
    const from = T0 - 7 * MIN;
    const to = T0 + 2 * HOUR;
    const body = await list(`scope=scope-a&from=${from}&to=${to}&status=completed,failed`);
    const m = body.meta;
    // 2 h 7 min over at most 60 buckets: 2 min is too small (63.5), 5 min fits.
    expect(m.chartBucketMs).toBe(5 * MIN);
    expect(chartBucketMs(from, to)).toBe(5 * MIN);
    const starts = m.chartData.map((b: Body) => b.bucketStart);
    expect(starts[0]).toBe(Math.floor(from / (5 * MIN)) * 5 * MIN);
    expect(starts.at(-1)).toBe(Math.floor(to / (5 * MIN)) * 5 * MIN);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBe(5 * MIN);
    const expected = new Map<number, Record<string, number>>();
    for (const r of inScopeA()) {
      if (r.createdAt < from || r.createdAt > to || !["completed", "failed"].includes(r.status))
        continue;
      const b = Math.floor(r.createdAt / (5 * MIN)) * 5 * MIN;
      const c = expected.get(b) ?? Object.fromEntries(STATUSES.map((s) => [s, 0]));
      c[r.status]! += 1;
      expected.set(b, c);
    }
    let sum = 0;
    let zeros = 0;
    for (const bucket of m.chartData) {
      expect(Object.keys(bucket.counts).sort()).toEqual([...STATUSES].sort());
      const want =
        expected.get(bucket.bucketStart) ?? Object.fromEntries(STATUSES.map((s) => [s, 0]));
      expect(bucket.counts, String(bucket.bucketStart)).toEqual(want);
      const n = Object.values(bucket.counts as Record<string, number>).reduce((x, y) => x + y, 0);
      sum += n;
      if (n === 0) zeros++;
    }
    expect(sum).toBe(m.filterRowCount);
    expect(zeros).toBeGreaterThan(0);
    // No range: the filtered runs' first to last start.
    const open = (await list("scope=scope-a&trigger=http")).meta;
    const http = inScopeA().filter((r) => r.trigger === "http");
    const lo = Math.min(...http.map((r) => r.createdAt));
    const hi = Math.max(...http.map((r) => r.createdAt));
    expect(open.chartData[0].bucketStart).toBe(
      Math.floor(lo / open.chartBucketMs) * open.chartBucketMs,
    );
    expect(open.chartData.at(-1).bucketStart).toBe(
      Math.floor(hi / open.chartBucketMs) * open.chartBucketMs,
    );
    expect(open.chartData.length).toBeLessThanOrEqual(62);
  });

  it("zooms the timeline into the runs with chart=runs, and only when they fill little of it", async () => {
    const from = T0 - 7 * 24 * HOUR;
    const to = T0 + 2 * HOUR;
    const query = `scope=scope-a&from=${from}&to=${to}&status=completed,failed`;
    const matching = inScopeA().filter(
      (r) => r.createdAt >= from && r.createdAt <= to && ["completed", "failed"].includes(r.status),
    );
    const whole = (await list(query)).meta;
    expect(whole.chartZoomed).toBe(false);
    expect([whole.chartFrom, whole.chartTo]).toEqual([from, to]);
    const m = (await list(`${query}&chart=runs`)).meta;
    expect(m.chartZoomed).toBe(true);
    // Narrower and finer, inside the range, every matching run inside it.
    expect(m.chartTo - m.chartFrom).toBeLessThan((to - from) / 4);
    expect(m.chartBucketMs).toBeLessThan(whole.chartBucketMs);
    expect(m.chartFrom).toBeGreaterThanOrEqual(from);
    expect(m.chartTo).toBeLessThanOrEqual(to);
    for (const r of matching) {
      expect(r.createdAt).toBeGreaterThanOrEqual(m.chartFrom);
      expect(r.createdAt).toBeLessThanOrEqual(m.chartTo);
    }
    // The same counts, bucket by bucket, from this test's own record.
    const step = m.chartBucketMs;
    const starts = m.chartData.map((b: Body) => b.bucketStart);
    expect(starts[0]).toBe(Math.floor(m.chartFrom / step) * step);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBe(step);
    for (const bucket of m.chartData) {
      const want = Object.fromEntries(STATUSES.map((s) => [s, 0]));
      for (const r of matching) {
        if (Math.floor(r.createdAt / step) * step === bucket.bucketStart) want[r.status]! += 1;
      }
      expect(bucket.counts).toEqual(want);
    }
    const sum = m.chartData.reduce(
      (n: number, b: Body) =>
        n + Object.values(b.counts as Record<string, number>).reduce((x, y) => x + y, 0),
      0,
    );
    expect(sum).toBe(matching.length);
    expect(m.filterRowCount).toBe(matching.length);
    // Runs filling the range already: nothing to zoom into.
    const full = (await list(`scope=scope-a&from=${T0}&to=${T0 + 59 * MIN}&chart=runs`)).meta;
    expect(full.chartZoomed).toBe(false);
    expect(full.chartFrom).toBe(T0);
  });
});

describe("one execution", () => {
  it("returns a failed run's code, error, logs, trigger meta and interactions", async () => {
    const failed =
      inScopeA().find((r) => r.status === "failed" && r.elicitation && r.trigger !== null) ??
      inScopeA().find((r) => r.status === "failed")!;
    const { status, body } = await get(`/v1/executions/${failed.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: failed.id,
      status: "failed",
      code: failed.code,
      codeTruncated: false,
      error: failed.error,
      errorType: "TypeError",
    });
    expect(body.logs.map((l: Body) => l.message)).toContain(
      `starting ${failed.code.match(/run (\d+)/)![1]}`,
    );
    if (failed.trigger)
      expect(body.trigger.meta).toEqual({ n: Number(failed.code.match(/run (\d+)/)![1]) });
    if (failed.elicitation) {
      expect(body.interactions).toHaveLength(1);
      expect(body.interactions[0]).toMatchObject({
        kind: "form",
        status: "resolved",
        payload: { q: expect.any(Number) },
        response: { action: "accept", content: { ok: true } },
      });
    }
  });

  it("lists tool calls in start order with status, duration, args and result", async () => {
    const run =
      inScopeA().find((r) => r.tools.length === 3 && r.tools.some((t) => t.failed)) ??
      inScopeA().find((r) => r.tools.length === 3)!;
    const { status, body } = await get(`/v1/executions/${run.id}/tool-calls`);
    expect(status).toBe(200);
    expect(body.toolCalls.map((t: Body) => t.toolPath)).toEqual(run.tools.map((t) => t.path));
    expect(body.toolCalls.map((t: Body) => t.status)).toEqual(
      run.tools.map((t) => (t.failed ? "failed" : "completed")),
    );
    for (const [k, call] of body.toolCalls.entries()) {
      expect(call.durationMs).toBeGreaterThanOrEqual(10);
      expect(call.args).toEqual({ i: Number(run.code.match(/run (\d+)/)![1]) });
      if (run.tools[k]!.failed) expect(call.error).toContain("failed for");
      else expect(call.result).toEqual({ ok: Number(run.code.match(/run (\d+)/)![1]) });
    }
  });

  it("returns the trace as a tree without state spans", async () => {
    const run = inScopeA().find((r) => r.tools.length === 2 && r.status === "completed")!;
    const { status, body } = await get(`/v1/executions/${run.id}/trace`);
    expect(status).toBe(200);
    expect(body.roots).toHaveLength(1);
    const root = body.roots[0];
    expect(root.name).toBe("executor.execution");
    expect(root.children.map((c: Body) => c.name)).toEqual(
      run.tools.map((t) => `execute_tool ${t.path}`),
    );
    const names = JSON.stringify(body);
    expect(names).not.toContain("executor.execution.state");
    expect(body.spanCount).toBe(1 + run.tools.length);
  });

  it("answers 404 with a JSON error for an unknown id", async () => {
    for (const path of ["", "/tool-calls", "/trace"]) {
      const { status, body } = await get(`/v1/executions/no-such-run${path}`);
      expect(status).toBe(404);
      expect(body.error).toBe("not_found");
    }
  });
});

describe("scopes to pick from", () => {
  /** Runs per scope started within [from, to], from the fixture's own record, most first. */
  const expectedScopes = (from: number, to: number) => {
    const counts = new Map<string, number>();
    for (const r of fx.runs.values()) {
      if (r.createdAt >= from && r.createdAt <= to)
        counts.set(r.scope, (counts.get(r.scope) ?? 0) + 1);
    }
    return [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([scope, count]) => ({ scope, count }));
  };

  it("lists every scope with runs in the range, whatever the other filters, and scope= narrows to one", async () => {
    const from = T0 + 30 * MIN;
    const to = Date.now() + MIN;
    const want = expectedScopes(from, to);
    expect(want.length).toBeGreaterThan(1);
    const body = await list(`from=${from}&to=${to}&status=failed&scope=scope-a&limit=200`);
    expect(body.meta.scopeCounts).toEqual(want);
    expect(body.executions.every((e: Body) => e.scope === "scope-a")).toBe(true);
    const other = want.find((s) => s.scope !== "scope-a")!;
    const narrowed = await list(`from=${from}&to=${to}&scope=${other.scope}&limit=200`);
    expect(narrowed.meta.filterRowCount).toBe(other.count);
    expect(new Set(narrowed.executions.map((e: Body) => e.scope))).toEqual(new Set([other.scope]));
    // A range with no runs has no scopes to offer.
    expect((await list(`from=1000&to=2000`)).meta.scopeCounts).toEqual([]);
  });
});

describe("search by id", () => {
  it("finds a run by its execution id or its trace id, exactly, and only in the token's scopes", async () => {
    fx.clock = Date.now() - 5 * MIN;
    const exec = fx.recorder.create({ scopeId: "scope-b", code: "findMe()" });
    fx.clock += 40;
    exec.complete("found");
    // A second run in another trace, started the same minute: not found by the first's ids.
    fx.clock += 5;
    const other = fx.recorder.create({ scopeId: "scope-b", code: "notMe()" });
    other.complete("other");
    await fx.flush();
    expect(exec.traceId).not.toBe(other.traceId);

    for (const value of [exec.id, exec.traceId, exec.traceId.toUpperCase()]) {
      const body = await list(`id=${value}`);
      expect(ids(body.executions), value).toEqual([exec.id]);
      expect(body.meta.filterRowCount).toBe(1);
      expect(body.meta.statusCounts.find((c: Body) => c.status === "completed").count).toBe(1);
    }
    // Two ids, ORed; with another filter, ANDed.
    expect(ids((await list(`id=${exec.id},${other.id}`)).executions).sort()).toEqual(
      [exec.id, other.id].sort(),
    );
    expect((await list(`id=${exec.id}&status=failed`)).executions).toEqual([]);
    // Unknown ids and prefixes find nothing.
    for (const value of ["no-such-run", exec.id.slice(0, 8), "0".repeat(32)]) {
      const none = await list(`id=${value}`);
      expect(none.executions, value).toEqual([]);
      expect(none.meta.filterRowCount).toBe(0);
    }
    // Another scope's id: nothing, exactly like an unknown one.
    const auth = { authorization: "Bearer tok-a" };
    for (const value of [exec.id, exec.traceId]) {
      const hidden = await list(`id=${value}`, scoped, auth);
      expect(hidden.executions).toEqual([]);
      expect(hidden.meta.filterRowCount).toBe(0);
    }
    const tooMany = await get(
      `/v1/executions?id=${Array.from({ length: 21 }, (_, i) => `r${i}`).join(",")}`,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain("id");
  });
});

describe("access", () => {
  it("a token for scope A never sees scope B", async () => {
    const b = [...fx.runs.values()].find((r) => r.scope === "scope-b")!;
    const auth = { authorization: "Bearer tok-a" };
    expect((await get(`/v1/executions/${b.id}`, scoped, auth)).status).toBe(404);
    expect((await get(`/v1/executions/${b.id}/tool-calls`, scoped, auth)).status).toBe(404);
    expect((await get(`/v1/executions/${b.id}/trace`, scoped, auth)).status).toBe(404);
    const mine = await list("limit=200", scoped, auth);
    expect(mine.executions.every((e: Body) => e.scope === "scope-a")).toBe(true);
    expect(mine.meta.totalRowCount).toBe(inScopeA().length);
    const asked = await list("scope=scope-b", scoped, auth);
    expect(asked.executions).toEqual([]);
    expect(asked.meta.totalRowCount).toBe(0);
    expect(asked.meta.toolFacets).toEqual([]);
    // The scopes to pick from are the token's own, whatever scope was asked for.
    expect(asked.meta.scopeCounts).toEqual([{ scope: "scope-a", count: inScopeA().length }]);
    // Another token with every scope sees B; no token at all is a 401.
    expect(
      (await get(`/v1/executions/${b.id}`, scoped, { authorization: "Bearer tok-all" })).status,
    ).toBe(200);
    const anon = await get("/v1/executions", scoped);
    expect(anon.status).toBe(401);
    expect(anon.body.error).toBe("unauthorized");
    expect((await get("/v1/executions", scoped, { authorization: "Bearer nope" })).status).toBe(
      401,
    );
  });
});

describe("bad requests", () => {
  it("answers 400 naming the parameter", async () => {
    const cases: [string, string][] = [
      ["status=done", "status"],
      // An alias lookup must not find what every object has.
      ["status=constructor", "status"],
      ["status=__proto__", "status"],
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=abc", "limit"],
      ["sort=name,desc", "sort"],
      ["from=yesterday", "from"],
      [`from=${Date.now()}&to=${Date.now() - 1000}`, "from"],
      ["cursor=not-a-cursor", "cursor"],
      ["elicitation=maybe", "elicitation"],
      ["tool=github.*;DROP TABLE executions", "tool"],
      ["colour=red", "colour"],
      ["meta=nope", "meta"],
    ];
    for (const [query, parameter] of cases) {
      const { status, body } = await get(`/v1/executions?${query}`);
      expect(status, query).toBe(400);
      expect(body.parameter, query).toBe(parameter);
      expect(body.message).toContain(parameter);
    }
    // A cursor from another sort is refused.
    const page = await list("scope=scope-a&limit=2");
    const { status } = await get(
      `/v1/executions?scope=scope-a&sort=durationMs,desc&cursor=${page.nextCursor}`,
    );
    expect(status).toBe(400);
  });

  it("reads the filter bar's words: status aliases, bare namespaces, relative times", async () => {
    const sorted = (rows: { id: string }[]) => ids(rows).sort();
    const q = "scope=scope-a&limit=200&meta=false";
    // Status: `ok` is completed, `error` failed, in any case; the rest is refused, naming them.
    const completed = sorted((await list(`${q}&status=completed,failed`)).executions);
    expect(completed.length).toBeGreaterThan(10);
    expect(sorted((await list(`${q}&status=OK,error`)).executions)).toEqual(completed);
    const bad = await get("/v1/executions?status=done");
    expect([bad.status, bad.body.parameter]).toEqual([400, "status"]);
    expect(bad.body.message).toContain("completed");
    expect(bad.body.message).toContain("ok");
    // A bare namespace is the namespace and everything under it.
    const github = sorted((await list(`${q}&tool=github.*`)).executions);
    const expectedGithub = inScopeA()
      .filter((r) => r.tools.some((t) => t.path.startsWith("github.")))
      .map((r) => r.id)
      .sort();
    expect(github).toEqual(expectedGithub);
    expect(sorted((await list(`${q}&tool=github`)).executions)).toEqual(expectedGithub);
    // Relative times: `3h` is three hours before now, as epoch ms would say it.
    const since = Date.now() - 3 * HOUR;
    const expectedRecent = inScopeA()
      .filter((r) => r.createdAt >= since)
      .map((r) => r.id)
      .sort();
    expect(sorted((await list(`${q}&from=3h`)).executions)).toEqual(expectedRecent);
    const relative = await get("/v1/executions?from=3 hours");
    expect([relative.status, relative.body.parameter]).toEqual([400, "from"]);
    expect(relative.body.message).toContain("1h");
  });

  it("counts a code search back from the range's end while the budget lasts, and says so", async () => {
    const periodMs = 5 * MIN;
    const budget = 12;
    const budgeted = await listen(
      createQueryApiApp({
        checkAnswer: contractCheck(),
        clickhouse: fx.collector.ch,
        staleAfterMs: HOUR,
        codeCountBudget: budget,
      }),
      0,
      "127.0.0.1",
    );
    try {
      const from = T0 - MIN;
      const to = T0 + 70 * MIN;
      const q = `scope=scope-a&code=marker1_VALUE&from=${from}&to=${to}`;
      // The budget is spent on finished runs of the scope, by whole 5-minute periods from the
      // newest, whatever their code (the test's own record of what it sent).
      const finished = inScopeA().filter(
        (r) => ["completed", "failed", "cancelled"].includes(r.status) && r.createdAt <= to,
      );
      const perPeriod = new Map<number, number>();
      for (const r of finished) {
        const start = Math.floor(r.createdAt / periodMs) * periodMs;
        perPeriod.set(start, (perPeriod.get(start) ?? 0) + 1);
      }
      let spent = 0;
      let countedFrom: number | undefined;
      for (const [i, [start, n]] of [...perPeriod].sort((a, b) => b[0] - a[0]).entries()) {
        if (i > 0 && spent + n > budget) {
          countedFrom = start + periodMs;
          break;
        }
        spent += n;
      }
      expect(countedFrom).toBeDefined();
      const matching = inScopeA().filter(
        (r) => r.code.toLowerCase().includes("marker1_value") && r.createdAt <= to,
      );
      const counted = matching.filter((r) => r.createdAt >= countedFrom!);
      expect(counted.length).toBeGreaterThan(0);
      expect(counted.length).toBeLessThan(matching.length);

      const body = await list(q, budgeted);
      expect(body.meta.partial).toEqual({
        countedFrom,
        counts: [
          "filterRowCount",
          "statusCounts",
          "triggerCounts",
          "toolFacets",
          "interactionCounts",
          "chartData",
        ],
      });
      expect(body.meta.filterRowCount).toBe(counted.length);
      const statusSum = body.meta.statusCounts.reduce((n: number, s: Body) => n + s.count, 0);
      expect(statusSum).toBe(counted.length);
      // The timeline counts nothing before the cut; the total is exact all the same.
      for (const b of body.meta.chartData) {
        if (b.bucketStart + body.meta.chartBucketMs <= countedFrom!) {
          expect(Object.values(b.counts).every((n) => n === 0)).toBe(true);
        }
      }
      expect(body.meta.totalRowCount).toBe((await list(q)).meta.totalRowCount);
      // The list itself is not cut: every matching run is on it.
      expect(ids(body.executions).sort()).toEqual(ids(matching).sort());
      // The same stored runs, the same answer.
      expect((await list(q, budgeted)).meta).toEqual(body.meta);
      // Within the default budget: exact, and not marked.
      const exact = await list(q);
      expect(exact.meta.partial).toBeNull();
      expect(exact.meta.filterRowCount).toBe(matching.length);
      // Without a code filter nothing is cut.
      expect((await list(`scope=scope-a&from=${from}&to=${to}`, budgeted)).meta.partial).toBeNull();
    } finally {
      await budgeted.close();
    }
  });

  it("answers meta alone with meta=only, the same as beside a first page", async () => {
    const q = `scope=scope-a&from=${T0}&to=${T0 + 70 * MIN}&status=failed`;
    const full = await list(q);
    const only = await list(`${q}&meta=only`);
    expect(only.executions).toEqual([]);
    expect(only.nextCursor).toBeNull();
    expect(only.meta).toEqual(full.meta);
    expect(full.meta.filterRowCount).toBe(
      inScopeA().filter((r) => r.status === "failed" && r.createdAt <= T0 + 70 * MIN).length,
    );
    // Not for later pages or live mode.
    const bad = await get(`/v1/executions?${q}&meta=only&cursor=${full.nextCursor ?? "x"}`);
    expect([bad.status, bad.body.parameter]).toEqual([400, full.nextCursor ? "meta" : "cursor"]);
    const live = await get(`/v1/executions?${q}&meta=only&after=${Date.now()}`);
    expect([live.status, live.body.parameter]).toEqual([400, "meta"]);
  });

  it("treats SQL-looking text as plain data", async () => {
    const body = await list(`code=${encodeURIComponent("'); DROP TABLE executions; --")}`);
    expect(body.executions).toEqual([]);
    expect((await list("scope=scope-a&limit=1&meta=false")).executions).toHaveLength(1);
  });

  it("serves the OpenAPI document and its page", async () => {
    const doc = await get("/openapi.json");
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        "/v1/executions",
        "/v1/executions/{id}",
        "/v1/executions/{id}/tool-calls",
        "/v1/executions/{id}/trace",
        "/v1/stats/executions",
        "/v1/stats/tools",
      ]),
    );
    // The page: Swagger UI, its files served by the API itself from an allow-list.
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("<title>runtrace query API</title>");
    const bundle = /src="(\/docs\/assets\/swagger-ui-bundle\.js[^"]*)"/.exec(html)?.[1];
    expect(bundle, html).toBeDefined();
    const script = await fetch(`${api.url}${bundle}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    expect(script.headers.get("cache-control")).toContain("immutable");
    expect((await script.text()).length).toBeGreaterThan(100_000);
    const others = [
      "nope.js",
      "package.json",
      "index.html",
      "..%2Fpackage.json",
      "%2e%2e%2findex.js",
    ];
    for (const name of others) {
      const other = await fetch(`${api.url}/docs/assets/${name}`);
      await other.body?.cancel();
      expect(other.status, name).toBe(404);
    }
  });
});

describe("a first page after a quiet spell", () => {
  it("comes from the newest runs before it, a run with a clock ahead first, page after page", async () => {
    // Scope q: twelve runs three hours ago (nothing since), and one whose clock is 20 min
    // ahead. The page's windows end at the newest run started by now, not at now.
    const scope = "scope-q";
    const start = Math.floor((Date.now() - 3 * HOUR) / MIN) * MIN;
    for (let i = 0; i < 12; i++) await fx.run(100 + i, start + i * MIN, "completed", scope);
    await fx.run(112, Date.now() + 20 * MIN, "completed", scope);
    await fx.flush();
    const want = [...fx.runs.values()].filter((r) => r.scope === scope).sort(newestFirst);
    expect(want).toHaveLength(13);
    const from = Date.now() - 24 * HOUR;
    const first = await list(`scope=${scope}&from=${from}&limit=5`);
    expect(ids(first.executions)).toEqual(ids(want.slice(0, 5)));
    expect(first.nextCursor).not.toBeNull();
    const rest: string[] = [];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page = await list(`scope=${scope}&from=${from}&limit=5&cursor=${cursor}`);
      rest.push(...ids(page.executions));
      cursor = page.nextCursor;
    }
    expect([...ids(first.executions), ...rest]).toEqual(ids(want));
    // The range's end bounds where the windows end too: only the runs started by it.
    const to = start + 8 * MIN;
    const ended = await list(`scope=${scope}&from=${from}&to=${to}&limit=3`);
    expect(ids(ended.executions)).toEqual(ids(want.filter((r) => r.createdAt <= to).slice(0, 3)));
    // Newest first over every scope: the other scopes' newer runs come before scope q's.
    const everyScope = [...fx.runs.values()]
      .filter((r) => r.createdAt >= from)
      .sort(newestFirst)
      .slice(0, 5);
    expect(ids((await list(`from=${from}&limit=5`)).executions)).toEqual(ids(everyScope));
  });
});

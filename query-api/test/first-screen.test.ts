/**
 * The first screen the query API renders into the /runs page (src/ui/first-screen.ts), with the
 * page and renderer `npm run build` makes (query-api/ui/dist, dist-server), over real HTTP on
 * loopback. Runs come through the real OpenTelemetry SDK; what the page must hold is worked out
 * from the fixture's own record of them.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Listening, listen } from "@runtrace/collector";
import { maskErrorMessage } from "@runtrace/testkit/error-mask";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { contractCheck } from "./contract-check.ts";
import { type RecordedRun, RunFixture } from "./fixture.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Body = any;

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const RENDERER = fileURLToPath(new URL("../ui/dist-server/first-screen.js", import.meta.url));

let fx: RunFixture;
let open: Listening;
let guarded: Listening;
let unrendered: Listening;
let emptyDir: string;

beforeAll(async () => {
  if (!existsSync(RENDERER)) {
    throw new Error(`${RENDERER} is missing: build the page with \`npm run build\``);
  }
  fx = await RunFixture.start();
  // 60 runs over the last hour: more than the first page holds.
  const start = Date.now() - 61 * MIN;
  for (let i = 0; i < 60; i++) await fx.run(i, start + i * MIN);
  await fx.flush();
  const app = (options: Partial<Parameters<typeof createQueryApiApp>[0]> = {}) =>
    createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: fx.collector.ch, ...options });
  emptyDir = mkdtempSync(join(tmpdir(), "runtrace-no-renderer-"));
  [open, guarded, unrendered] = await Promise.all([
    listen(app(), 0, "127.0.0.1"),
    listen(app({ apiTokens: new Map([["tok-all", null]]) }), 0, "127.0.0.1"),
    listen(app({ firstScreenDir: emptyDir }), 0, "127.0.0.1"),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.close(), guarded?.close(), unrendered?.close()]);
  await fx?.stop();
  if (emptyDir) rmSync(emptyDir, { recursive: true, force: true });
});

interface Served {
  html: string;
  headers: Headers;
  now: number;
  /** Each answer delivered in the page, by path, in document order. */
  answers: { path: string; status: number; body: Body; at: number }[];
  /** The run rows of the first screen: id and start (ms) as the markup holds them. */
  rows: { id: string; localTime: number }[];
}

async function page(server: Listening, path = "/runs", cookie?: string): Promise<Served> {
  const res = await fetch(`${server.url}${path}`, cookie ? { headers: { cookie } } : {});
  expect(res.status).toBe(200);
  const html = await res.text();
  const now = Number(/__runtraceServed=\{now:(\d+)[,}]/.exec(html)?.[1] ?? Number.NaN);
  const answers = [...html.matchAll(/__runtraceDeliver\(("[^"]*"),(\d+),(.*?)\)<\/script>/g)].map(
    (m) => ({
      path: JSON.parse(m[1]!) as string,
      status: Number(m[2]),
      body: JSON.parse(m[3]!) as Body,
      at: m.index,
    }),
  );
  const screen =
    /<div id="first-screen" inert>([\s\S]*?)<\/div><div id="root"><\/div><script>__runtraceFirstScreen/.exec(
      html,
    )?.[1];
  const rows = [
    ...(screen ?? "").matchAll(
      /data-testid="run-row" data-id="([^"]+)"[\s\S]*?data-local-time="(\d+)"/g,
    ),
  ].map((m) => ({ id: m[1]!, localTime: Number(m[2]) }));
  return { html, headers: res.headers, now, answers, rows };
}

const newestFirst = (a: RecordedRun, b: RecordedRun) =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

async function api(path: string): Promise<Body> {
  const res = await fetch(`${open.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.json();
}

describe("the /runs page with its first screen", () => {
  it("holds the first page, its numbers and counts, read for one now, the first screen first", async () => {
    const served = await page(open);
    expect(served.headers.get("content-type")).toMatch(/^text\/html/);
    // It holds this request's data: never cached.
    expect(served.headers.get("cache-control")).toBe("no-store");
    expect(served.now).toBeGreaterThan(Date.now() - MIN);
    const from = served.now - DAY;
    // The paths the page's boot would ask for at that now, each delivered once.
    expect(served.answers.map((a) => a.path)).toEqual([
      `/v1/executions?from=${from}&chart=runs&limit=50&meta=false`,
      `/v1/executions/numbers?from=${from}`,
      "/v1/about",
      `/v1/executions?from=${from}&chart=runs&limit=50&meta=only`,
      `/v1/executions/errors?from=${from}`,
    ]);
    expect(served.answers.every((a) => a.status === 200)).toBe(true);
    const [list, numbers, about, counts, errors] = served.answers as [
      Served["answers"][0],
      Served["answers"][0],
      Served["answers"][0],
      Served["answers"][0],
      Served["answers"][0],
    ];
    // The first page: the newest 50 of the runs recorded, newest first, and more to come.
    const want = [...fx.runs.values()].filter((r) => r.createdAt >= from).sort(newestFirst);
    expect(want).toHaveLength(60);
    expect(list.body.executions.map((e: Body) => e.id)).toEqual(want.slice(0, 50).map((r) => r.id));
    expect(list.body.nextCursor).not.toBeNull();
    // The first screen shows those rows, each start kept for the browser's own clock.
    expect(served.rows).toEqual(
      want.slice(0, 50).map((r) => ({ id: r.id, localTime: r.createdAt })),
    );
    // Numbers and counts over every run of the filter, as recorded.
    const failed = want.filter((r) => r.status === "failed").length;
    expect(numbers.body.runs).toBe(60);
    expect(numbers.body.failed).toBe(failed);
    expect(counts.body.meta.filterRowCount).toBe(60);
    // The error groups: the failed runs by error type and masked message, as recorded.
    const groups = new Set(
      want
        .filter((r) => r.status === "failed")
        .map((r) => `${r.errorType}\u0000${maskErrorMessage(r.error!)}`),
    );
    expect(errors.body.failed).toBe(failed);
    expect(errors.body.groupCount).toBe(groups.size);
    expect(errors.body.groups.reduce((n: number, g: Body) => n + g.count, 0)).toBe(failed);
    expect(about.body).toEqual({ collectorUrl: null, jaegerUiUrl: null });
    // The same answers the API gives for those paths (the live cursor aside: a new boundary).
    const again = await api(list.path);
    expect({ ...list.body, liveCursor: null }).toEqual({ ...again, liveCursor: null });
    expect(numbers.body).toEqual(await api(numbers.path));
    expect(counts.body).toEqual(await api(counts.path));
    expect(errors.body).toEqual(await api(errors.path));
    // In the document: the first screen (saying it shows rows) and the app's root (the app can
    // start before the counts are here), its answers, then the counts.
    const screenAt = served.html.indexOf('<div id="first-screen" inert>');
    expect(screenAt).toBeGreaterThan(served.html.indexOf("</head>"));
    expect(served.html).toContain('<div id="root"></div><script>__runtraceFirstScreen(true)');
    const rootAt = served.html.indexOf('<div id="root"></div>');
    expect(screenAt).toBeLessThan(rootAt);
    expect(rootAt).toBeLessThan(list.at);
    expect(about.at).toBeLessThan(counts.at);
    expect(counts.at).toBeLessThan(errors.at);
    // The app's entry, which the first screen imports once painted, is the page's module script.
    const entry = /<script type="module" crossorigin src="([^"]+)"/.exec(served.html)?.[1];
    expect(entry).toMatch(/^\/runs\/assets\/index-.+\.js$/);
    expect(served.html).toContain(`__runtraceServed={now:${served.now},app:"${entry}"}`);
    // Before the boot script, which waits for these answers instead of asking.
    expect(served.html.indexOf("__runtraceServed=")).toBeLessThan(
      served.html.indexOf("__runtraceEarly"),
    );
  });

  it("renders the filter in the URL, and lays the list out as this browser keeps it", async () => {
    const hidden = encodeURIComponent(
      JSON.stringify({ hidden: ["trigger"], compact: true, railOpen: false }),
    );
    const served = await page(open, "/runs?status=failed", `runtrace_runs_prefs=${hidden}`);
    const failed = [...fx.runs.values()].filter((r) => r.status === "failed").sort(newestFirst);
    expect(failed.length).toBeGreaterThan(0);
    expect(served.rows.map((r) => r.id)).toEqual(failed.map((r) => r.id));
    const screen = served.html.slice(served.html.indexOf('<div id="first-screen"'));
    expect(screen).toMatch(/class="app rail-closed compact/);
    expect(screen).not.toContain('data-testid="filter-rail"');
    expect(screen).not.toContain('class="td col-trigger"');
    expect(screen).toContain('class="td col-scope"');
    // No cookie: the app's defaults (the rail open, the scope column hidden).
    const plain = await page(open, "/runs?status=failed");
    expect(plain.html).toContain('data-testid="filter-rail"');
    expect(plain.html).toContain('class="td col-trigger"');
    expect(plain.html).not.toContain('class="td col-scope"');
  });

  it("writes every value as data: markup escaped, answers kept as sent", async () => {
    const code = `</script><script>alert("x")</script><!-- ${"<b>"}`;
    const exec = fx.recorder.create({ scopeId: "scope-x", code });
    exec.complete({ ok: true });
    await fx.flush();
    const served = await page(open, "/runs?scope=scope-x");
    expect(served.rows.map((r) => r.id)).toEqual([exec.id]);
    const list = served.answers[0]!;
    expect(list.body.executions[0].codePreview).toContain('</script><script>alert("x")');
    expect(served.html).not.toContain('<script>alert("x")');
    expect(served.html).not.toContain("<!-- <b>");
  });

  it("sends a refusal of the filter inside the page for the app to show, without a first screen", async () => {
    const { html, answers } = await page(open, "/runs?status=bogus");
    const refused = answers.find((d) => d.path.includes("meta=false"));
    expect(refused?.status).toBe(400);
    expect(refused?.body.parameter).toBe("status");
    expect(html).not.toContain('id="first-screen"');
    // The app's root and scripts are all there: it shows the refusal itself.
    expect(html).toContain('<div id="root"></div>');
  });

  it("sends no first screen for what it cannot render as the browser would", async () => {
    // A date without a zone is the browser's own day; nothing matches: the counts would say why.
    for (const path of [
      "/runs?from=2026-04-10",
      "/runs?from=2026-04-10T08:00",
      "/runs?status=failed&scope=nobody",
    ]) {
      const html = await (await fetch(`${open.url}${path}`)).text();
      expect(html, path).not.toContain('id="first-screen"');
      // Nor the error groups, read after the counts: the app, started once the page has ended,
      // asks for them itself.
      expect(html, path).not.toContain('__runtraceDeliver("/v1/executions/errors');
    }
    // The empty filtered list still comes with its answers, the counts last.
    const empty = await page(open, "/runs?status=failed&scope=nobody");
    expect(empty.answers.at(-1)?.path).toMatch(/meta=only$/);
    expect(await (await fetch(`${open.url}/runs?from=2026-04-10`)).text()).not.toContain(
      "__runtraceServed=",
    );
    // A time with its zone, or epoch ms, is the same everywhere.
    for (const from of [`${Date.now() - DAY}`, new Date(Date.now() - DAY).toISOString()]) {
      const served = await page(open, `/runs?from=${encodeURIComponent(from)}`);
      expect(served.rows.length, from).toBe(50);
    }
    // HEAD: the plain page's headers, no reads behind them.
    const head = await fetch(`${open.url}/runs`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("cache-control")).toBe("no-cache");
  });

  it("comes without data when the API wants tokens, and without a renderer as the plain page until one is built", async () => {
    for (const server of [guarded, unrendered]) {
      const res = await fetch(`${server.url}/runs`);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).not.toContain("__runtraceServed=");
      expect(html).not.toContain("__runtraceDeliver(");
      expect(html).not.toContain('id="first-screen"');
      for (const run of fx.runs.values()) expect(html).not.toContain(run.id);
      // The page itself, whose boot asks the API (with the token it keeps).
      expect(html).toContain("__runtraceEarly");
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
    // A renderer built while the server runs is found on the next request.
    copyFileSync(RENDERER, join(emptyDir, "first-screen.js"));
    expect((await page(unrendered)).rows).toHaveLength(50);
  });
});

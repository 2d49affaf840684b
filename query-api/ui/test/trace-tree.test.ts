/**
 * The drawer's trace tree in Debian's Chromium (playwright-core) against the real all-in-one
 * server (`runtrace start`), with runs recorded through the real SDK: every span the API's own
 * `/v1/executions/:id/trace` answer holds is a row at its nesting, in start order, with its
 * name, its bar on the trace's axis, and its attributes, events and status when selected.
 * Screenshots go to query-api/ui/test/screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder } from "@runtrace/sdk";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionTrace, ToolCallList, TraceSpan } from "../src/api/types.ts";
import {
  type AllInOneServer,
  CHROMIUM_MISSING,
  findChromium,
  launchChromium,
  resumeRun,
  startAllInOne,
  submitRun,
} from "./harness/index.ts";

const UI_DIR = fileURLToPath(new URL("..", import.meta.url));
const SHOTS = `${UI_DIR}test/screenshots`;
/** What the operator sets; the page links without the trailing slash. */
const JAEGER_UI_URL = "http://jaeger.example.test:16686/";

const chromiumPath = findChromium();
const title = chromiumPath
  ? "the drawer's trace tree in Chromium"
  : `the drawer's trace tree in Chromium (skipped: ${CHROMIUM_MISSING})`;
if (!chromiumPath) console.warn(`trace tree browser tests skipped: ${CHROMIUM_MISSING}`);

/** A span of the API's answer as the tree should show it: depth first, children in order. */
interface ExpectedRow {
  id: string;
  depth: number;
  name: string;
  service: string;
  parentId: string | null;
  startMs: number;
  durationMs: number;
  status: string;
}

function flatten(spans: readonly TraceSpan[], depth = 0, parentId: string | null = null) {
  const rows: ExpectedRow[] = [];
  for (const s of spans) {
    rows.push({
      id: s.spanId,
      depth,
      name: s.name,
      service: s.serviceName,
      parentId,
      startMs: s.startMs,
      durationMs: s.durationMs,
      status: s.status.code,
    });
    rows.push(...flatten(s.children, depth + 1, s.spanId));
  }
  return rows;
}

/** Every span of the answer, by id. */
function byId(spans: readonly TraceSpan[], into = new Map<string, TraceSpan>()) {
  for (const s of spans) {
    into.set(s.spanId, s);
    byId(s.children, into);
  }
  return into;
}

/** A row as the page shows it. */
interface ShownRow {
  id: string | null;
  depth: number;
  level: number;
  name: string;
  service: string;
  expanded: string | null;
  status: string | null;
  /** The bar's start and end in fractions of its track's width. */
  barFrom: number;
  barTo: number;
}

const shownRows = (page: Page): Promise<ShownRow[]> =>
  page.$$eval('[data-testid="trace-tree"] [data-testid="trace-span"]', (rows) =>
    rows.map((r) => {
      const track = r.querySelector(".tt-track")?.getBoundingClientRect();
      const bar = r.querySelector('[data-testid="trace-bar"]')?.getBoundingClientRect();
      const width = track?.width || 1;
      return {
        id: r.getAttribute("data-span-id"),
        depth: Number(r.getAttribute("data-depth")),
        level: Number(r.getAttribute("aria-level")),
        name: r.querySelector('[data-testid="trace-span-name"]')?.textContent ?? "",
        service: r.querySelector('[data-testid="trace-span-service"]')?.textContent ?? "",
        expanded: r.getAttribute("aria-expanded"),
        status: r.getAttribute("data-status"),
        barFrom: ((bar?.left ?? 0) - (track?.left ?? 0)) / width,
        barTo: ((bar?.right ?? 0) - (track?.left ?? 0)) / width,
      };
    }),
  );

/** A key/value table of the detail area as pairs, in the page's order. */
const tablePairs = (page: Page, selector: string): Promise<[string, string][][]> =>
  page.$$eval(selector, (tables) =>
    tables.map((t) =>
      [...t.querySelectorAll("tr")].map(
        (tr) =>
          [
            tr.querySelector("th")?.textContent ?? "",
            tr.querySelector("td")?.textContent ?? "",
          ] as [string, string],
      ),
    ),
  );

const sortedPairs = (values: Record<string, string>): [string, string][] =>
  Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe.skipIf(!chromiumPath)(title, () => {
  let server: AllInOneServer;
  let browser: Browser;
  let page: Page;
  /** The run: two tool calls (the second one fails), a form answered from another process. */
  let runId: string;
  let traceId: string;

  async function api<T>(path: string, base = server.queryUrl): Promise<T> {
    const response = await fetch(`${base}${path}`);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async function openRun(id: string, base = server.queryUrl): Promise<void> {
    await page.goto(`${base}/runs?executionId=${id}`);
    await page.waitForSelector('[data-testid="trace-section"]:not([data-state="loading"])');
  }

  /** Selects the row of a span (a click on its row) and waits for its detail. */
  async function select(spanId: string): Promise<void> {
    await page.click(`[data-testid="trace-span"][data-span-id="${spanId}"] .tt-name`);
    await page.waitForSelector(`[data-testid="trace-detail"][data-span-id="${spanId}"]`);
  }

  /** The detail area holds exactly what the API says of the span. */
  async function expectDetailOf(span: TraceSpan): Promise<void> {
    expect(await page.getAttribute('[data-testid="trace-detail"]', "data-span-id")).toBe(
      span.spanId,
    );
    expect(await page.textContent('[data-testid="trace-status-code"]')).toBe(span.status.code);
    const message = await page.$('[data-testid="trace-status-message"]');
    if (span.status.message === "") expect(message).toBeNull();
    else expect(await message?.textContent()).toBe(span.status.message);
    const [attributes] = await tablePairs(page, '[data-testid="trace-attributes"]');
    expect(attributes ?? []).toEqual(sortedPairs(span.attributes));
    const events = await page.$$eval('[data-testid="trace-event-name"]', (names) =>
      names.map((n) => n.textContent),
    );
    expect(events).toEqual(span.events.map((e) => e.name));
    // An event without attributes shows none; the tables are those of the others, in order.
    expect(await tablePairs(page, '[data-testid="trace-event-attributes"]')).toEqual(
      span.events
        .filter((e) => Object.keys(e.attributes).length > 0)
        .map((e) => sortedPairs(e.attributes)),
    );
  }

  beforeAll(async () => {
    if (!existsSync(`${UI_DIR}dist/index.html`)) {
      throw new Error("query-api/ui/dist is missing: build the page with `npm run build`");
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startAllInOne({ env: { RUNTRACE_JAEGER_UI_URL: JAEGER_UI_URL } });
    const paused = await submitRun(server.collectorUrl, {
      code: [
        'const weather = await tools.http.fetch({ url: "https://api.weather.example/v1/forecast?city=Oslo" });',
        'let blocked = "";',
        "try {",
        '  await tools.http.fetch({ url: "http://169.254.169.254/latest/meta-data/" });',
        "} catch (error) {",
        "  blocked = String(error);",
        "}",
        'console.log("forecast", weather.body.city, blocked);',
        'const answer = await elicit({ kind: "form", message: "trace tree: go on?",',
        '  schema: { type: "object", properties: { approve: { type: "boolean" } } } });',
        "return answer;",
      ].join("\n"),
      pauseAtElicitation: true,
    });
    if (paused.status !== "paused" || !paused.state) {
      throw new Error(`the run did not pause at its question: ${paused.status}`);
    }
    await resumeRun(server.collectorUrl, paused.state, {
      content: { approve: true },
      code: "return { approved: resumed.content.approve };",
    });
    runId = paused.executionId;
    traceId = paused.traceId;
    browser = await launchChromium(chromiumPath as string);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it("shows every span of the API's trace once, at its nesting, in start order, on one axis", async () => {
    // The run is finished and stored: its detail says so (the resume ended it).
    await expect
      .poll(async () => (await api<{ status: string }>(`/v1/executions/${runId}`)).status, {
        timeout: 20_000,
      })
      .toBe("completed");
    const trace = await api<ExecutionTrace>(`/v1/executions/${runId}/trace`);
    const want = flatten(trace.roots);
    console.info(
      `trace of ${runId}: ${want.map((r) => `${"  ".repeat(r.depth)}${r.name} [${r.status}]`).join("\n")}`,
    );
    expect(trace.traceId).toBe(traceId);
    expect(want.length).toBe(trace.spanCount);
    // The test's own record is in it: both tool calls (one failed), the question, the resume.
    const { toolCalls } = await api<ToolCallList>(`/v1/executions/${runId}/tool-calls`);
    expect(toolCalls.map((c) => [c.toolPath, c.status])).toEqual([
      ["http.fetch", "completed"],
      ["http.fetch", "failed"],
    ]);
    const spans = byId(trace.roots);
    for (const call of toolCalls) expect(spans.has(call.spanId ?? "")).toBe(true);
    expect(want.some((r) => r.name === "executor.interaction")).toBe(true);
    expect(want.some((r) => r.name === "executor.execution.resume")).toBe(true);

    await openRun(runId);
    await page.waitForSelector('[data-testid="trace-tree"]');
    const rows = await shownRows(page);
    // Each span once, depth first, with its name and level: the API's tree, row by row.
    expect(rows.map((r) => r.id)).toEqual(want.map((r) => r.id));
    expect(new Set(rows.map((r) => r.id)).size).toBe(trace.spanCount);
    expect(rows.map((r) => [r.id, r.depth, r.level, r.name, r.service])).toEqual(
      want.map((r) => [r.id, r.depth, r.depth + 1, r.name, r.service]),
    );
    // Nesting read off the page alone: a row's parent is the nearest row above it one level
    // up, and that is the span's parent in the API's answer; siblings come in start order.
    const lastAt: string[] = [];
    const childrenOf = new Map<string | null, string[]>();
    for (const row of rows) {
      const parent = row.depth === 0 ? null : (lastAt[row.depth - 1] ?? "missing");
      lastAt[row.depth] = row.id as string;
      lastAt.length = row.depth + 1;
      const apiParent = spans.get(row.id as string)?.parentSpanId ?? null;
      if (row.depth > 0) expect(parent).toBe(apiParent);
      childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), row.id as string]);
    }
    for (const siblings of childrenOf.values()) {
      const starts = siblings.map((id) => spans.get(id)?.startMs ?? Number.NaN);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
    // Rows with children are open; leaves have no expanded state.
    for (const row of rows) {
      const hasChildren = (spans.get(row.id as string)?.children.length ?? 0) > 0;
      expect(row.expanded).toBe(hasChildren ? "true" : null);
    }
    // One axis: from the earliest start to the latest end of the whole trace.
    const start = Math.min(...want.map((r) => r.startMs));
    const end = Math.max(...want.map((r) => r.startMs + r.durationMs));
    for (const [i, row] of rows.entries()) {
      const span = want[i] as ExpectedRow;
      const from = (span.startMs - start) / (end - start);
      expect(Math.abs(row.barFrom - Math.min(from, 0.995))).toBeLessThan(0.01);
      const to = (span.startMs + span.durationMs - start) / (end - start);
      // Short spans get a sliver of 0.5 % to be seen.
      expect(Math.abs(row.barTo - Math.max(to, row.barFrom + 0.005))).toBeLessThan(0.01);
    }
    // Spans in error are marked, and only those.
    expect(rows.map((r) => r.status === "error")).toEqual(
      want.map((r) => r.status === "STATUS_CODE_ERROR"),
    );
    const failedCall = toolCalls.find((c) => c.status === "failed");
    const failedRow = page.locator(
      `[data-testid="trace-span"][data-span-id="${failedCall?.spanId}"]`,
    );
    expect(await failedRow.getAttribute("class")).toContain("failed");
    expect(await failedRow.locator(".tt-failed-mark").count()).toBe(1);
    expect(
      await failedRow.locator('[data-testid="trace-bar"]').evaluate((b) => b.className),
    ).toContain("bar-failed");
  });

  it("shows a selected span's status, attributes and events as the API has them", async () => {
    const trace = await api<ExecutionTrace>(`/v1/executions/${runId}/trace`);
    const spans = byId(trace.roots);
    const { toolCalls } = await api<ToolCallList>(`/v1/executions/${runId}/tool-calls`);
    const [done, failed] = toolCalls.map((c) => spans.get(c.spanId ?? "")) as [
      TraceSpan,
      TraceSpan,
    ];
    await openRun(runId);
    await page.waitForSelector('[data-testid="trace-tree"]');
    expect(await page.$('[data-testid="trace-detail"]')).toBeNull();

    // The failed call: its error status with the message, its attributes, its events.
    expect(failed.status.code).toBe("STATUS_CODE_ERROR");
    expect(failed.status.message).not.toBe("");
    await select(failed.spanId);
    await expectDetailOf(failed);
    expect(await page.getAttribute('[data-testid="trace-status"]', "class")).toContain("error-box");
    expect(
      await page.getAttribute(
        `[data-testid="trace-span"][data-span-id="${failed.spanId}"]`,
        "aria-selected",
      ),
    ).toBe("true");

    // The keyboard: ↑ from the failed call reaches the call before it, Enter selects it; the
    // page's own ↑ (the previous run) is not triggered meanwhile.
    await page.keyboard.press("ArrowUp");
    const focused = await page.evaluate('document.activeElement?.getAttribute("data-span-id")');
    expect(focused).toBe(done.spanId);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`[data-testid="trace-detail"][data-span-id="${done.spanId}"]`);
    await expectDetailOf(done);
    expect(new URL(page.url()).searchParams.get("executionId")).toBe(runId);
    expect(
      await page.getAttribute(
        `[data-testid="trace-span"][data-span-id="${failed.spanId}"]`,
        "aria-selected",
      ),
    ).toBe("false");

    // Every other span's detail matches too (the root, the code, the question, the resume).
    for (const span of spans.values()) {
      if (span.spanId === done.spanId || span.spanId === failed.spanId) continue;
      await select(span.spanId);
      await expectDetailOf(span);
    }
  });

  it("collapses a subtree, hiding its descendants, and opens it again", async () => {
    const trace = await api<ExecutionTrace>(`/v1/executions/${runId}/trace`);
    const want = flatten(trace.roots);
    const spans = byId(trace.roots);
    await openRun(runId);
    await page.waitForSelector('[data-testid="trace-tree"]');
    const descendants = (id: string): string[] =>
      (spans.get(id)?.children ?? []).flatMap((c) => [c.spanId, ...descendants(c.spanId)]);
    // The span with children deepest in the tree (the code's, under the run) and the root.
    const parents = want.filter((r) => (spans.get(r.id)?.children.length ?? 0) > 0);
    const inner = parents[parents.length - 1] as ExpectedRow;
    const hidden = new Set(descendants(inner.id));
    expect(hidden.size).toBeGreaterThan(0);

    await page.click(
      `[data-testid="trace-span"][data-span-id="${inner.id}"] [data-testid="trace-toggle"]`,
    );
    await expect
      .poll(async () => (await shownRows(page)).map((r) => r.id))
      .toEqual(want.filter((r) => !hidden.has(r.id)).map((r) => r.id));
    const row = `[data-testid="trace-span"][data-span-id="${inner.id}"]`;
    expect(await page.getAttribute(row, "aria-expanded")).toBe("false");
    expect(await page.textContent(`${row} [data-testid="trace-hidden"]`)).toBe(`+${hidden.size}`);
    // Opened again: all of them, in place.
    await page.click(`${row} [data-testid="trace-toggle"]`);
    await expect
      .poll(async () => (await shownRows(page)).map((r) => r.id))
      .toEqual(want.map((r) => r.id));

    // The keyboard: ← on a root closes it (only it shows), → opens it again.
    const root = want.find((r) => r.depth === 0 && descendants(r.id).length > 0) as ExpectedRow;
    const rootRow = `[data-testid="trace-span"][data-span-id="${root.id}"]`;
    await page.focus(rootRow);
    await page.keyboard.press("ArrowLeft");
    await expect
      .poll(async () => (await shownRows(page)).map((r) => r.id))
      .toEqual(want.filter((r) => !descendants(root.id).includes(r.id)).map((r) => r.id));
    expect(await page.getAttribute(rootRow, "aria-expanded")).toBe("false");
    await page.keyboard.press("ArrowRight");
    await expect
      .poll(async () => (await shownRows(page)).map((r) => r.id))
      .toEqual(want.map((r) => r.id));
  });

  it("links the trace in the operator's Jaeger UI, and keeps the raw trace link", async () => {
    const about = await api<{ jaegerUiUrl: string | null }>("/v1/about");
    expect(about.jaegerUiUrl).toBe("http://jaeger.example.test:16686");
    await openRun(runId);
    expect(await page.getAttribute('[data-testid="jaeger-link"]', "href")).toBe(
      `http://jaeger.example.test:16686/trace/${traceId}`,
    );
    expect(await page.textContent('[data-testid="jaeger-link"]')).toBe("Open in Jaeger UI");
    expect(await page.getAttribute('[data-testid="trace-link"]', "href")).toBe(
      `/v1/executions/${runId}/trace`,
    );
  });

  it("fits the drawer at 1280 and 1920 px wide (screenshots)", async () => {
    const { toolCalls } = await api<ToolCallList>(`/v1/executions/${runId}/tool-calls`);
    const failed = toolCalls.find((c) => c.status === "failed")?.spanId as string;
    const want = flatten((await api<ExecutionTrace>(`/v1/executions/${runId}/trace`)).roots);
    const parentService = (r: ExpectedRow) => want.find((p) => p.id === r.parentId)?.service;
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await openRun(runId);
      await page.waitForSelector('[data-testid="trace-tree"]');
      await select(failed);
      await page.locator('[data-testid="trace-section"]').evaluate((s) => s.scrollIntoView());
      const fit = (await page.evaluate(`(() => {
        const drawer = document.querySelector('[data-testid="drawer"]').getBoundingClientRect();
        const tree = document.querySelector(".trace-tree");
        const box = tree.getBoundingClientRect();
        const labels = [...document.querySelectorAll('[data-testid="trace-span"] .tt-label')];
        const tracks = [...document.querySelectorAll('[data-testid="trace-span"] .tt-track')];
        return {
          page: document.documentElement.scrollWidth - window.innerWidth,
          tree: tree.scrollWidth - tree.clientWidth,
          inDrawer: box.left >= drawer.left && box.right <= drawer.right + 0.5,
          // Every row's name column ends before its bar's track begins.
          apart: labels.every(
            (l, i) => l.getBoundingClientRect().right <= tracks[i].getBoundingClientRect().left,
          ),
          trackWidth: Math.min(...tracks.map((t) => t.getBoundingClientRect().width)),
          // Names whose text is cut (an ellipsis), and which rows show their service.
          cutNames: [...document.querySelectorAll('[data-testid="trace-span-name"]')]
            .filter((n) => n.scrollWidth > n.clientWidth)
            .map((n) => n.textContent),
          services: [...document.querySelectorAll('[data-testid="trace-span-service"]')].map(
            (n) => n.checkVisibility(),
          ),
        };
      })()`)) as {
        page: number;
        tree: number;
        inDrawer: boolean;
        apart: boolean;
        trackWidth: number;
        cutNames: string[];
        services: boolean[];
      };
      expect(fit).toMatchObject({ inDrawer: true, apart: true });
      expect(fit.page).toBeLessThanOrEqual(0);
      expect(fit.tree).toBeLessThanOrEqual(0);
      expect(fit.trackWidth).toBeGreaterThan(100);
      expect(fit.cutNames).toEqual([]);
      // Wide, every row names its service; narrow, where it changes (roots included).
      expect(fit.services).toEqual(
        want.map((r) => width === 1920 || r.parentId === null || r.service !== parentService(r)),
      );
      await page.screenshot({ path: `${SHOTS}/drawer-trace-${width}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("says when a live run has no spans stored yet, and grows its tree as they arrive (no Jaeger UI set)", async () => {
    // Another server, without RUNTRACE_JAEGER_UI_URL: no Jaeger link there.
    const plain = await startAllInOne();
    try {
      const url = `${plain.collectorUrl}/v1/traces`;
      const memory = new InMemorySpanExporter();
      const sdk = new BasicTracerProvider({
        resource: resourceFromAttributes({ "service.name": "trace-tree-live" }),
        spanProcessors: [new SimpleSpanProcessor(memory)],
      });
      const recorder = createExecutionRecorder({ tracer: sdk.getTracer("trace-tree-live") });
      const exec = recorder.create({ scopeId: "ws_acme", code: "return 1;" });
      await exec.toolCall(
        { path: "github.issues.list", args: { repo: "acme/web" } },
        async () => [],
      );
      exec.complete({ ok: true });
      const recorded = [...memory.getFinishedSpans()];
      const send = (spans: ReadableSpan[]) =>
        new Promise<void>((resolve, reject) =>
          new OTLPTraceExporter({ url }).export(spans, (r) =>
            r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error),
          ),
        );
      const states = recorded.filter((s) => s.name === SPAN_EXECUTION_STATE);
      const rest = recorded.filter((s) => s.name !== SPAN_EXECUTION_STATE);
      const toolSpans = rest.filter((s) => s.name.startsWith("execute_tool "));
      expect(toolSpans).toHaveLength(1);

      // First only the run's first state: the run is stored, running, with no span of its trace.
      await send(states.slice(0, 1));
      await openRun(exec.id, plain.queryUrl);
      await page.waitForSelector('[data-testid="trace-empty"]');
      expect(await page.textContent('[data-testid="trace-empty"]')).toContain(
        "No spans of this run are stored yet",
      );
      expect(await page.$('[data-testid="jaeger-link"]')).toBeNull();
      expect(await page.getAttribute('[data-testid="trace-link"]', "href")).toBe(
        `/v1/executions/${exec.id}/trace`,
      );

      // Its tool call arrives: the open drawer reads the run again and the tree shows it.
      await send(toolSpans);
      const toolSpanId = toolSpans[0]?.spanContext().spanId;
      await page.waitForSelector(`[data-testid="trace-span"][data-span-id="${toolSpanId}"]`, {
        timeout: 20_000,
      });

      // The rest: the run ends, and the tree becomes the API's whole tree.
      await send([...rest.filter((s) => !toolSpans.includes(s)), ...states.slice(1)]);
      const readTrace = () =>
        api<ExecutionTrace>(`/v1/executions/${exec.id}/trace`, plain.queryUrl);
      await expect
        .poll(async () => (await readTrace()).spanCount, { timeout: 20_000 })
        .toBe(rest.length);
      const trace = await readTrace();
      const want = flatten(trace.roots);
      await expect
        .poll(async () => (await shownRows(page)).map((r) => [r.id, r.depth, r.name]), {
          timeout: 20_000,
        })
        .toEqual(want.map((r) => [r.id, r.depth, r.name]));
      expect(await page.$('[data-testid="jaeger-link"]')).toBeNull();
      await sdk.shutdown();
    } finally {
      await plain.stop();
    }
  }, 120_000);
});

/**
 * The /runs page in Debian's Chromium (playwright-core) against the real all-in-one server
 * (`runtrace start`) filled by the real demo through the real OpenTelemetry SDK. Every
 * expectation about the list and its counts is checked against the public API's own answer
 * for the same filter. Screenshots go to query-api/ui/test/screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder } from "@runtrace/sdk";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { maskErrorMessage } from "@runtrace/testkit/error-mask";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ErrorGroups,
  ExecutionNumbers,
  ExecutionSummary,
  ListMeta,
  ListPage,
  ToolNumbers,
} from "../src/api/types.ts";
import {
  type AllInOneServer,
  CHROMIUM_MISSING,
  findChromium,
  launchChromium,
  pageTimings,
  RUN_ROW_SELECTOR,
  resumeRun,
  runDemo,
  startAllInOne,
  submitRun,
  waitForFirstData,
  waitForInteractive,
} from "./harness/index.ts";

/**
 * Every `/v1/` request `page` sends from now on (the browser's own record, through the Chrome
 * DevTools Protocol), with the script that asked: the last frame of its initiator's stack.
 */
async function recordApiRequests(
  context: BrowserContext,
  page: Page,
): Promise<{ askedBy: { path: string; by: string | undefined }[]; cdp: CDPSession }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const askedBy: { path: string; by: string | undefined }[] = [];
  cdp.on("Network.requestWillBeSent", (e) => {
    const url = new URL(e.request.url);
    if (!url.pathname.startsWith("/v1/")) return;
    askedBy.push({
      path: url.pathname + url.search,
      by: e.initiator.stack?.callFrames.at(-1)?.url,
    });
  });
  return { askedBy, cdp };
}

const UI_DIR = fileURLToPath(new URL("..", import.meta.url));
const SHOTS = `${UI_DIR}test/screenshots`;
const DAY_MS = 86_400_000;

/** A first page: the list with its meta. */
type Page1 = Required<Pick<ListPage, "executions" | "meta">>;
type Meta = ListMeta;
type Summary = ExecutionSummary;

const chromiumPath = findChromium();
const title = chromiumPath
  ? "the /runs page in Chromium"
  : `the /runs page in Chromium (skipped: ${CHROMIUM_MISSING})`;

// Said out loud as well: a skipped file's test titles are not printed by the default reporter.
if (!chromiumPath) console.warn(`/runs browser tests skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!chromiumPath)(title, () => {
  let server: AllInOneServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let all: Page1;

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${server.queryUrl}${path}`);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** The API's first page for a filter, over the page's default range (the last 24 h). */
  function expected(query: string, range = true): Promise<Page1> {
    const from = range ? `&from=${Date.now() - DAY_MS}` : "";
    return api<Page1>(`/v1/executions?limit=50${from}${query ? `&${query}` : ""}`);
  }

  const shownIds = () =>
    page.$$eval(RUN_ROW_SELECTOR, (rows) => rows.map((r) => r.getAttribute("data-id")));

  /** Every count the rail shows, by facet test id. */
  const railCounts = () =>
    page.$$eval('[data-testid^="facet-"]', (facets) =>
      Object.fromEntries(
        facets.map((f) => [
          f.getAttribute("data-testid"),
          f.querySelector('[data-testid="count"]')?.textContent ?? "",
        ]),
      ),
    );

  /** What the rail should show for an answer's meta (counts are below 10 000 here). */
  function countsOf(meta: Meta, current: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of meta.statusCounts) out[`facet-status-${s.status}`] = String(s.count);
    for (const key of Object.keys(current)) {
      if (key.startsWith("facet-trigger-")) out[key] = "0";
    }
    for (const t of meta.triggerCounts) {
      out[`facet-trigger-${t.triggerKind || "unknown"}`] = String(t.count);
    }
    out["facet-elicitation-true"] = String(meta.interactionCounts.withElicitation);
    out["facet-elicitation-false"] = String(meta.interactionCounts.withoutElicitation);
    for (const key of Object.keys(current)) {
      if (key.startsWith("facet-tool-")) out[key] = "";
    }
    // The rail shows the runs a tool was called in: what clicking it lists.
    for (const t of meta.toolFacets) out[`facet-tool-${t.toolPath}`] = String(t.runs);
    // The scopes on offer, whatever the other filters (the demo's three, all in the range).
    for (const key of Object.keys(current)) {
      if (key.startsWith("facet-scope-")) out[key] = "0";
    }
    for (const s of meta.scopeCounts) out[`facet-scope-${s.scope}`] = String(s.count);
    return out;
  }

  /** The counts of the current filter are on screen (or could not be read). */
  const countsSettled = () =>
    page.waitForSelector('[data-testid="app"]:not([data-counts="pending"])');

  async function open(path: string): Promise<void> {
    await page.goto(`${server.queryUrl}${path}`);
    await page.waitForSelector(`${RUN_ROW_SELECTOR}, [data-testid="empty"], [data-testid="error"]`);
    await countsSettled();
  }

  const search = () => new URL(page.url()).searchParams;

  beforeAll(async () => {
    if (!existsSync(`${UI_DIR}dist/index.html`)) {
      throw new Error("query-api/ui/dist is missing: build the page with `npm run build`");
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startAllInOne();
    await runDemo(server.collectorUrl);
    all = await expected("");
    browser = await launchChromium(chromiumPath as string);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 60_000);

  it("renders the newest runs with their counts and timeline, and scrolls to the rest", async () => {
    // Who asked for each API path while the page loaded: the browser's own record.
    const { askedBy, cdp } = await recordApiRequests(context, page);
    await page.goto(`${server.queryUrl}/runs`);
    const firstDataMs = await waitForFirstData(page);
    await waitForInteractive(page);
    // The error groups came in the page too, and every answer the boot waited for was taken
    // by the app (early.ts).
    expect(await page.content()).toContain('__runtraceDeliver("/v1/executions/errors?');
    await expect
      .poll(() => page.evaluate("[...globalThis.__runtraceEarly.started.keys()]"))
      .toEqual([]);
    await cdp.detach();
    // The first page, its counts, its numbers, /v1/about and the error groups came inside the
    // HTML with the first screen the query API rendered (first-screen.ts): the page asked for
    // none of them, and the app, taking over, started from those answers instead of asking again.
    const firstReads = askedBy.filter((a) =>
      /^\/v1\/(executions\?.*meta=(false|only)|executions\/(numbers|errors)\?|about$)/.test(a.path),
    );
    expect(firstReads).toEqual([]);
    const timings = await pageTimings(page);
    console.info(
      `first render with data (demo, ${all.meta.totalRowCount} runs): ${firstDataMs.toFixed(0)} ms ` +
        `(document ${timings.responseEndMs.toFixed(0)} ms, DOMContentLoaded ${timings.domContentLoadedMs.toFixed(0)} ms)`,
    );
    expect(all.meta.totalRowCount).toBeGreaterThan(50);
    expect(await shownIds()).toEqual(all.executions.map((r) => r.id));
    // The counts come on their own request, beside the page's.
    await countsSettled();
    expect(await page.textContent('[data-testid="totals"]')).toContain(
      `${all.meta.filterRowCount} of ${all.meta.totalRowCount} runs`,
    );
    const counts = await railCounts();
    expect(counts).toEqual(countsOf(all.meta, counts));
    const bars = await page.$$('[data-testid="timeline-bars"] .seg');
    expect(bars.length).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/list-1280.png` });
    // Every status dot stands out from the row behind it (WCAG's 3:1 for graphics), the
    // pending grey included. Read in the page: the computed colours, not the stylesheet's text.
    const contrasts = (await page.evaluate(`(() => {
      const rgb = (text) => text.match(/[0-9.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const panel = lum(rgb(getComputedStyle(document.querySelector(".table")).backgroundColor));
      return [...document.querySelectorAll('[data-testid="facet-status-pending"] .dot, .tr .dot')]
        .filter((d) => !d.classList.contains("dot-stale"))
        .map((d) => {
          const dot = lum(rgb(getComputedStyle(d).backgroundColor));
          return (Math.max(dot, panel) + 0.05) / (Math.min(dot, panel) + 0.05);
        });
    })()`)) as number[];
    expect(contrasts.length).toBeGreaterThan(0);
    expect(Math.min(...contrasts)).toBeGreaterThanOrEqual(3);

    // Infinite scroll: reaching the end of the list loads the next cursor page, until none is left.
    await expect
      .poll(async () => {
        await page.locator('[data-testid="list-end"]').scrollIntoViewIfNeeded();
        return (await shownIds()).length;
      })
      .toBe(all.meta.filterRowCount);
    const everything: string[] = [];
    let cursor: string | null = null;
    do {
      const next: { executions: Summary[]; nextCursor: string | null } = await api(
        `/v1/executions?limit=50&meta=false&from=${Date.now() - DAY_MS}${cursor ? `&cursor=${cursor}` : ""}`,
      );
      everything.push(...next.executions.map((r) => r.id));
      cursor = next.nextCursor;
    } while (cursor);
    expect(await shownIds()).toEqual(everything);

    // Usable at both widths: nothing runs off the side, the top bar stays one line.
    // Evaluated in the page (this file is type-checked without the DOM's types).
    const layout = () =>
      page.evaluate(`({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        topbar: document.querySelector(".topbar").getBoundingClientRect().height,
        code: document.querySelector(".tr .col-code").getBoundingClientRect().width,
      })`) as Promise<{ overflow: number; topbar: number; code: number }>;
    const at1280 = await layout();
    expect(at1280.overflow).toBe(0);
    expect(at1280.topbar).toBe(52);
    expect(at1280.code).toBeGreaterThan(300);
    await page.setViewportSize({ width: 1920, height: 1080 });
    const at1920 = await layout();
    expect(at1920.overflow).toBe(0);
    expect(at1920.topbar).toBe(52);
    expect(at1920.code).toBeGreaterThan(at1280.code);
    await page.screenshot({ path: `${SHOTS}/list-1920.png` });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  describe("each facet filters the list and recounts the others", () => {
    it.each([
      ["status", "facet-status-failed", "status", "failed"],
      ["trigger", "facet-trigger-mcp", "trigger", "mcp"],
      ["elicitation", "facet-elicitation-true", "elicitation", "true"],
      ["tool", "facet-tool-db.query", "tool", "db.query"],
    ])("%s", async (_name, testId, param, value) => {
      await open("/runs");
      const before = await railCounts();
      await page.click(`[data-testid="${testId}"] .facet-main`);
      await expect.poll(() => search().get(param)).toBe(value);
      const want = await expected(`${param}=${value}`);
      expect(want.meta.filterRowCount).toBeLessThan(all.meta.filterRowCount);
      await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
      await expect
        .poll(() => page.textContent('[data-testid="totals"]'))
        .toContain(`${want.meta.filterRowCount} of ${want.meta.totalRowCount} runs`);
      const after = await railCounts();
      expect(after).toEqual(countsOf(want.meta, after));
      expect(after).not.toEqual(before);
      expect(await page.getAttribute(`[data-testid="${testId}"] .facet-main`, "aria-pressed")).toBe(
        "true",
      );
      // The status dots follow the filter.
      if (param === "status") {
        const statuses = await page.$$eval(RUN_ROW_SELECTOR, (rows) =>
          rows.map((r) => r.getAttribute("data-status")),
        );
        expect(new Set(statuses)).toEqual(new Set(["failed"]));
      }
    });

    it("code contains (debounced)", async () => {
      await open("/runs");
      await page.fill('[data-testid="code-input"]', "github");
      await expect.poll(() => search().get("code"), { timeout: 5000 }).toBe("github");
      const want = await expected("code=github");
      expect(want.meta.filterRowCount).toBeGreaterThan(0);
      expect(want.meta.filterRowCount).toBeLessThan(all.meta.filterRowCount);
      await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
      // One history entry per search: Back returns to the list before it.
      await page.locator('[data-testid="code-input"]').blur();
      await page.goBack();
      await expect.poll(() => search().has("code")).toBe(false);
      await expect.poll(() => page.inputValue('[data-testid="code-input"]')).toBe("");
      await expect.poll(shownIds).toEqual(all.executions.map((r) => r.id));
    });

    it("time presets send the range to the API", async () => {
      await open("/runs");
      const asked: URL[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/v1/executions?")) asked.push(new URL(r.url()));
      });
      await page.click('[data-testid="preset-15m"]');
      await expect.poll(() => search().get("range")).toBe("15m");
      await expect.poll(() => asked.length).toBeGreaterThan(0);
      const from = Number(asked.at(-1)?.searchParams.get("from"));
      expect(Math.abs(Date.now() - 15 * 60_000 - from)).toBeLessThan(60_000);
      await page.click('[data-testid="preset-all"]');
      await expect.poll(() => search().get("range")).toBe("all");
      await expect.poll(() => asked.at(-1)?.searchParams.has("from")).toBe(false);
      await expect
        .poll(() => page.getAttribute('[data-testid="preset-all"]', "aria-pressed"))
        .toBe("true");
      page.removeAllListeners("request");
    });
  });

  it("sorts by duration from the column header", async () => {
    await open("/runs");
    await page.click('[data-testid="sort-durationMs"]');
    await expect.poll(() => search().get("sort")).toBe("durationMs,desc");
    const want = await expected("sort=durationMs,desc");
    await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
    const durations = want.executions.map((r) => r.durationMs ?? -1);
    expect(durations.slice(0, 10)).toEqual([...durations.slice(0, 10)].sort((a, b) => b - a));
    await page.click('[data-testid="sort-durationMs"]');
    await expect.poll(() => search().get("sort")).toBe("durationMs,asc");
    await page.click('[data-testid="sort-durationMs"]');
    await expect.poll(() => search().has("sort")).toBe(false);
  });

  it("exports every run of the filter as CSV, more than a page holds, and says the limit", async () => {
    // The default view's filter (its time range) matches every demo run: more than a page.
    await open("/runs");
    const want = await expected("");
    // More runs than the page shows (50): the export reads them all on the server.
    expect(want.meta.filterRowCount).toBeGreaterThan(50);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-testid="export"]'),
    ]);
    expect(download.suggestedFilename()).toBe("runs.csv");
    const path = await download.path();
    const text = readFileSync(path, "utf8");
    const [header, ...rows] = text.trimEnd().split("\r\n");
    expect(header?.split(",").slice(0, 3)).toEqual(["id", "scope", "status"]);
    expect(rows).toHaveLength(want.meta.filterRowCount);
    // The first page's runs lead the file, in the list's order.
    expect(rows.slice(0, 50).map((r) => r.split(",")[0])).toEqual(want.executions.map((r) => r.id));
    await expect
      .poll(() => page.textContent('[data-testid="export-state"]'))
      .toBe(`${want.meta.filterRowCount.toLocaleString("en")} runs exported (at most 10,000)`);
  });

  it("saves a view that survives a reload, opens it, and shares it as a link", async () => {
    await open("/runs?status=failed&sort=durationMs,desc");
    const want = await expected("status=failed&sort=durationMs,desc");
    // The view hides the trigger column (columns are part of a saved view).
    const triggerShown = () => page.isChecked('[data-testid="column-trigger"]');
    await page.click('[data-testid="columns-button"]');
    expect(await triggerShown()).toBe(true);
    await page.click('[data-testid="column-trigger"]');
    await page.click('[data-testid="columns-button"]');
    await page.click('[data-testid="views-button"]');
    await page.fill('[data-testid="view-name"]', "slow failures");
    await page.click('[data-testid="view-save"]');
    // Show the column again, open another view, reload: the saved one is still listed.
    await page.click('[data-testid="columns-button"]');
    await page.click('[data-testid="column-trigger"]');
    await page.click('[data-testid="columns-button"]');
    await open("/runs");
    await page.reload();
    await page.waitForSelector(RUN_ROW_SELECTOR);
    await page.click('[data-testid="views-button"]');
    expect(await page.textContent('[data-testid="view-item"]')).toContain("slow failures");
    const link = await page.getAttribute('[data-testid="view-open"]', "href");
    expect(link).toBe("/runs?status=failed&sort=durationMs,desc");
    await page.click('[data-testid="view-open"]');
    await expect.poll(() => search().get("status")).toBe("failed");
    expect(search().get("sort")).toBe("durationMs,desc");
    await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
    await page.click('[data-testid="columns-button"]');
    expect(await triggerShown()).toBe(false);
    // Back to the default columns for the tests after this one.
    await page.click('[data-testid="column-trigger"]');
    await page.click('[data-testid="columns-button"]');
    // The link alone, in a browser that saved nothing, shows the same runs.
    const other = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const shared = await other.newPage();
      await shared.goto(`${server.queryUrl}${link}`);
      await shared.waitForSelector(RUN_ROW_SELECTOR);
      await expect
        .poll(() =>
          shared.$$eval(RUN_ROW_SELECTOR, (rows) => rows.map((r) => r.getAttribute("data-id"))),
        )
        .toEqual(want.executions.map((r) => r.id));
    } finally {
      await other.close();
    }
    // Forgotten on request.
    await page.click('[data-testid="views-button"]');
    await page.click('[data-testid="view-delete"]');
    expect(await page.$$('[data-testid="view-item"]')).toHaveLength(0);
    await page.click('[data-testid="views-button"]');
  });

  it("shows and hides columns, and remembers the choice", async () => {
    await open("/runs");
    expect(await page.$$(".tr .col-trigger")).not.toHaveLength(0);
    await page.click('[data-testid="columns-button"]');
    await page.click('[data-testid="column-trigger"]');
    await expect.poll(() => page.$$(".tr .col-trigger").then((c) => c.length)).toBe(0);
    await page.reload();
    await page.waitForSelector(RUN_ROW_SELECTOR);
    expect(await page.$$(".tr .col-trigger")).toHaveLength(0);
    await page.click('[data-testid="columns-button"]');
    await page.click('[data-testid="column-trigger"]');
    await expect.poll(() => page.$$(".tr .col-trigger").then((c) => c.length)).toBeGreaterThan(0);

    // Compact rows: more runs on a screen, remembered too.
    const rowHeight = async () =>
      (await page.locator(RUN_ROW_SELECTOR).first().boundingBox())?.height;
    const listHeight = async () =>
      (await page.locator('[data-testid="run-list"]').boundingBox())?.height ?? 0;
    expect(await rowHeight()).toBe(34);
    const comfortable = Math.floor((await listHeight()) / 35);
    await page.click('[data-testid="density-compact"]');
    await expect.poll(rowHeight).toBe(26);
    expect(Math.floor((await listHeight()) / 27)).toBeGreaterThan(comfortable + 4);
    await page.reload();
    await page.waitForSelector(RUN_ROW_SELECTOR);
    expect(await rowHeight()).toBe(26);
    await page.click('[data-testid="columns-button"]');
    await page.click('[data-testid="density-compact"]');
    await expect.poll(rowHeight).toBe(34);
    await page.click('[data-testid="columns-button"]');
  });

  it("round-trips its whole state through the URL", async () => {
    const failed = await expected("status=failed&trigger=mcp&sort=durationMs,desc", false);
    const target = failed.executions[0];
    expect(target).toBeDefined();
    const link = `/runs?status=failed&trigger=mcp&range=all&sort=durationMs,desc&executionId=${target?.id}`;
    await open(link);
    const check = async () => {
      expect(
        await page.getAttribute('[data-testid="facet-status-failed"] .facet-main', "aria-pressed"),
      ).toBe("true");
      expect(
        await page.getAttribute('[data-testid="facet-trigger-mcp"] .facet-main', "aria-pressed"),
      ).toBe("true");
      expect(await page.getAttribute('[data-testid="preset-all"]', "aria-pressed")).toBe("true");
      expect(await page.inputValue('[data-testid="filter-bar"]')).toBe(
        "status:failed trigger:mcp after:all",
      );
      expect(await page.getAttribute('[data-testid="sort-durationMs"]', "data-sort")).toBe("desc");
      await expect.poll(shownIds).toEqual(failed.executions.map((r) => r.id));
      await page.waitForSelector('[data-testid="drawer"] [data-testid="properties"]');
      expect(await page.textContent('[data-testid="properties"]')).toContain(target?.id);
    };
    await check();
    await page.reload();
    await check();
    // What the page does goes back into the URL, and Back undoes it.
    await page.click('[data-testid="drawer-close"]');
    await expect.poll(() => search().has("executionId")).toBe(false);
    await page.click('[data-testid="facet-elicitation-false"] .facet-main');
    await expect.poll(() => search().get("elicitation")).toBe("false");
    await page.goBack();
    await expect.poll(() => search().has("elicitation")).toBe(false);
    await expect
      .poll(() =>
        page.getAttribute('[data-testid="facet-elicitation-false"] .facet-main', "aria-pressed"),
      )
      .toBe("false");
    await page.goBack();
    await expect.poll(() => search().get("executionId")).toBe(target?.id);
    await page.waitForSelector('[data-testid="drawer"]');
  });

  it("applies the typed filter bar and keeps it in step with the rail", async () => {
    await open("/runs");
    await page.keyboard.press("/");
    expect(await page.getAttribute(":focus", "data-testid")).toBe("filter-bar");
    await page.fill('[data-testid="filter-bar"]', "status:failed tool:http.* after:1h");
    await page.keyboard.press("Enter");
    await expect.poll(() => search().get("status")).toBe("failed");
    expect(search().get("tool")).toBe("http.*");
    expect(search().get("range")).toBe("1h");
    const want = await expected("status=failed&tool=http.*");
    expect(want.meta.filterRowCount).toBeGreaterThan(0);
    await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
    expect(
      await page.getAttribute('[data-testid="facet-status-failed"] .facet-main', "aria-pressed"),
    ).toBe("true");
    expect(await page.getAttribute('[data-testid="preset-1h"]', "aria-pressed")).toBe("true");

    // The rail writes back into the bar.
    await page.click('[data-testid="facet-status-cancelled"] .facet-main');
    await expect
      .poll(() => page.inputValue('[data-testid="filter-bar"]'))
      .toBe("status:failed,cancelled tool:http.* after:1h");

    // A mistake is explained and changes nothing.
    const before = page.url();
    await page.fill('[data-testid="filter-bar"]', "status:done");
    await page.keyboard.press("Enter");
    expect(await page.textContent('[data-testid="filter-bar-error"]')).toContain(
      'status: "done" is not one of',
    );
    expect(page.url()).toBe(before);
    await page.keyboard.press("Escape");
    expect(await page.$('[data-testid="filter-bar-error"]')).toBeNull();
  });

  it("finds a run by a pasted trace id or run id", async () => {
    const target = all.executions.find((r) => r.traceId !== null) as Summary;
    await open("/runs");
    for (const value of [target.traceId as string, target.id]) {
      await page.fill('[data-testid="filter-bar"]', value);
      await page.keyboard.press("Enter");
      await expect.poll(() => search().get("id")).toBe(value);
      expect(search().get("range")).toBe("all");
      const want = await api<Page1>(`/v1/executions?limit=50&id=${value}`);
      expect(want.executions.map((r) => r.id)).toContain(target.id);
      await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
      await countsSettled();
      expect(await page.textContent('[data-testid="totals"]')).toContain(
        `${want.meta.filterRowCount} of `,
      );
    }
  });

  it("narrows the time range when the timeline is dragged across", async () => {
    const times = all.executions.map((r) => r.createdAt);
    const from = Math.min(...times) - 2000;
    const to = Math.max(...times) + 2000;
    await open(
      `/runs?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&sort=createdAt,asc`,
    );
    const chart = await api<{
      meta: { chartBucketMs: number; chartData: { bucketStart: number }[] };
    }>(`/v1/executions?limit=1&from=${from}&to=${to}&chart=runs`);
    const buckets = chart.meta.chartData;
    expect(buckets.length).toBeGreaterThan(5);
    const box = await page.locator('[data-testid="timeline-bars"]').boundingBox();
    if (!box) throw new Error("no timeline");
    const y = box.y + box.height / 2;
    // A click is not a selection.
    await page.mouse.click(box.x + box.width * 0.5, y);
    expect(Date.parse(search().get("from") ?? "")).toBe(from);
    // Dragged from 31 % to 69 % of the chart: from the start of the bucket under the first
    // point to the end of the bucket under the last, inside the range shown.
    await page.mouse.move(box.x + box.width * 0.31, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.69, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => Date.parse(search().get("from") ?? "")).not.toBe(from);
    const first = buckets[Math.floor(buckets.length * 0.31)];
    const last = buckets[Math.floor(buckets.length * 0.69)];
    if (!first || !last) throw new Error("no buckets under the drag");
    const narrowedFrom = Date.parse(search().get("from") ?? "");
    const narrowedTo = Date.parse(search().get("to") ?? "");
    expect(narrowedFrom).toBe(Math.max(from, first.bucketStart));
    expect(narrowedTo).toBe(Math.min(to, last.bucketStart + chart.meta.chartBucketMs - 1));
    expect(search().has("range")).toBe(false);
    // The bar shows the new range; before: is the instant after it.
    await expect
      .poll(() => page.inputValue('[data-testid="filter-bar"]'))
      .toBe(
        `after:${new Date(narrowedFrom).toISOString().replace(".000Z", "Z")} before:${new Date(narrowedTo + 1).toISOString().replace(".000Z", "Z")}`,
      );
    const want = await api<Page1>(
      `/v1/executions?limit=50&sort=createdAt,asc&from=${narrowedFrom}&to=${narrowedTo}`,
    );
    expect(want.meta.filterRowCount).toBeGreaterThan(0);
    expect(want.meta.filterRowCount).toBeLessThan(all.meta.filterRowCount);
    await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
    expect(await page.textContent('[data-testid="custom-range-label"]')).toContain("custom");
  });

  it("opens a failed run with its error and tool-call waterfall", async () => {
    const failed = await expected("status=failed");
    let target: { id: string; calls: { status: string; error: string | null }[] } | undefined;
    for (const run of failed.executions) {
      const { toolCalls } = await api<{ toolCalls: { status: string; error: string | null }[] }>(
        `/v1/executions/${run.id}/tool-calls`,
      );
      if (toolCalls.some((c) => c.status === "failed")) {
        target = { id: run.id, calls: toolCalls };
        break;
      }
    }
    if (!target) throw new Error("the demo stored no failed run with a failed tool call");
    const detail = await api<{ error: string; errorType: string | null; code: string }>(
      `/v1/executions/${target.id}`,
    );
    await open("/runs?status=failed");
    await page.click(`${RUN_ROW_SELECTOR}[data-id="${target.id}"]`);
    await expect.poll(() => search().get("executionId")).toBe(target.id);
    await page.waitForSelector('[data-testid="run-error"]');
    expect(await page.textContent('[data-testid="run-error"]')).toContain(detail.error);
    expect(await page.textContent('[data-testid="run-code"]')).toBe(detail.code);
    const rows = await page.$$eval('[data-testid="waterfall-row"]', (r) =>
      r.map((e) => e.getAttribute("data-status")),
    );
    expect(rows).toEqual(target.calls.map((c) => c.status));
    expect(
      await page.$$('[data-testid="waterfall-row"].failed [data-testid="waterfall-bar"]'),
    ).not.toHaveLength(0);
    await page.click('[data-testid="waterfall-row"].failed .wf-head');
    const failedCall = target.calls.find((c) => c.status === "failed");
    expect(await page.textContent('[data-testid="waterfall-row"].failed .wf-detail')).toContain(
      failedCall?.error ?? "",
    );
    expect(await page.getAttribute('[data-testid="trace-link"]', "href")).toBe(
      `/v1/executions/${target.id}/trace`,
    );
    await page.screenshot({ path: `${SHOTS}/drawer.png` });
    await page.keyboard.press("Escape");
    await expect.poll(() => search().has("executionId")).toBe(false);
    expect(await page.$('[data-testid="drawer"]')).toBeNull();
  });

  it("zooms the timeline to the runs, with a count axis and readable ticks, and clears a selection", async () => {
    await open("/runs");
    const zoomed = await expected("chart=runs");
    // The demo's runs fill seconds of the default 24 h: the chart zooms into them.
    expect(zoomed.meta.chartZoomed).toBe(true);
    const buckets = () => page.$$('[data-testid="timeline-bucket"]');
    await expect.poll(async () => (await buckets()).length).toBe(zoomed.meta.chartData.length);
    await page.waitForSelector('[data-testid="timeline-zoom-note"]');
    expect(await page.textContent('[data-testid="timeline-unit"]')).toContain("runs per");
    // The count axis tops at the smallest 1, 2, 5 × 10^k at or above the busiest bucket.
    const busiest = Math.max(
      ...zoomed.meta.chartData.map((b) => Object.values(b.counts).reduce((x, y) => x + y, 0)),
    );
    const nice = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((n) => n >= busiest);
    const yLabels = await page.$$eval('[data-testid="timeline-yaxis"] span', (spans) =>
      spans.map((s) => s.textContent),
    );
    expect(yLabels[0]).toBe(String(nice));
    expect(yLabels.at(-1)).toBe("0");
    expect(await page.$$(".gridline")).not.toHaveLength(0);
    // Several time labels, none over another.
    const ticks = await page.$$eval('[data-testid="timeline-tick"]', (spans) =>
      spans.map((s) => {
        const r = s.getBoundingClientRect();
        return { left: r.left, right: r.right };
      }),
    );
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < ticks.length; i++) {
      expect(ticks[i]!.left).toBeGreaterThan(ticks[i - 1]!.right);
    }
    // The tooltip sits beside the hovered bar, never over it.
    const busiestIndex = zoomed.meta.chartData.findIndex(
      (b) => Object.values(b.counts).reduce((x, y) => x + y, 0) === busiest,
    );
    const bar = (await buckets())[busiestIndex];
    const barBox = await bar?.boundingBox();
    if (!barBox) throw new Error("no bar");
    await page.mouse.move(barBox.x + barBox.width / 2, barBox.y + barBox.height - 4);
    const tip = await (await page.waitForSelector('[data-testid="timeline-tip"]')).boundingBox();
    if (!tip) throw new Error("no tooltip");
    expect(tip.x >= barBox.x + barBox.width || tip.x + tip.width <= barBox.x).toBe(true);
    expect(await page.textContent('[data-testid="timeline-tip"]')).toContain(`${busiest} runs`);

    // The whole range on request, and back.
    await page.click('[data-testid="timeline-zoom"]');
    await expect.poll(() => search().get("chart")).toBe("range");
    const whole = await expected("chart=range");
    expect(whole.meta.chartZoomed).toBe(false);
    await expect.poll(async () => (await buckets()).length).toBe(whole.meta.chartData.length);
    expect(await page.$('[data-testid="timeline-zoom-note"]')).toBeNull();
    await page.click('[data-testid="timeline-zoom"]');
    await expect.poll(() => search().has("chart")).toBe(false);
    await expect.poll(async () => (await buckets()).length).toBe(zoomed.meta.chartData.length);

    // A drag selects; "clear selection" goes back to the range it was made in.
    expect(await page.$('[data-testid="timeline-clear"]')).toBeNull();
    const box = await page.locator('[data-testid="timeline-bars"]').boundingBox();
    if (!box) throw new Error("no timeline");
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => search().has("from")).toBe(true);
    await page.click('[data-testid="timeline-clear"]');
    await expect.poll(() => search().has("from") || search().has("to")).toBe(false);
    expect(search().has("range")).toBe(false);
    await expect.poll(shownIds).toEqual((await expected("")).executions.map((r) => r.id));
    expect(await page.$('[data-testid="timeline-clear"]')).toBeNull();
  });

  it("opens a run beside the list, not over it, at 1280 and 1920", async () => {
    // Element boxes, read in the page (this file is type-checked without the DOM's types).
    const boxes = () =>
      page.evaluate(`(() => {
        const box = (sel) => {
          const el = document.querySelector(sel);
          if (!el) return null;
          const r = el.getBoundingClientRect();
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
        };
        return {
          viewport: window.innerWidth,
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          main: box(".main"),
          row: box(".tr"),
          code: box(".tr .col-code"),
          drawer: box('[data-testid="drawer"]'),
          status: box(".drawer-title .status-text"),
          id: box(".drawer-id"),
          actions: box(".drawer-actions"),
          topbarActions: box(".topbar-actions"),
        };
      })()`) as Promise<
        Record<string, { left: number; right: number; width: number } | null> & {
          viewport: number;
          overflow: number;
        }
      >;
    const target = all.executions[3] as Summary;
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await open(`/runs?executionId=${target.id}`);
      await page.waitForSelector('[data-testid="run-code"]');
      const b = await boxes();
      const { main, row, code, drawer, status, id, actions, topbarActions } = b;
      if (!main || !row || !code || !drawer || !status || !id || !actions || !topbarActions) {
        throw new Error(`missing elements at ${width}: ${JSON.stringify(b)}`);
      }
      // Side by side: the list ends where the run begins, and keeps a readable code column.
      expect(b.overflow).toBe(0);
      expect(main.right).toBeLessThanOrEqual(drawer.left + 0.5);
      expect(row.right).toBeLessThanOrEqual(drawer.left + 0.5);
      expect(drawer.right).toBeLessThanOrEqual(b.viewport + 0.5);
      expect(code.width).toBeGreaterThan(90);
      // The drawer's header: status, id and buttons each in their own box.
      expect(status.right).toBeLessThanOrEqual(id.left);
      expect(id.right).toBeLessThanOrEqual(actions.left);
      // The top bar's buttons reach the right edge.
      expect(b.viewport - topbarActions.right).toBeLessThan(20);
      // The open run's row is still on screen, beside it.
      expect(await page.isVisible(`${RUN_ROW_SELECTOR}[data-id="${target.id}"]`)).toBe(true);
      await page.screenshot({ path: `${SHOTS}/drawer-${width}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("draws a run's wait for an interaction, a tool call still running, and their elapsed time", async () => {
    const url = `https://auth.example.test/oauth/authorize?client_id=runs-test&state=${Date.now()}`;
    const paused = await submitRun(server.collectorUrl, {
      code: [
        `const answer = await elicit({ kind: "url", message: "Sign in to continue", url: "${url}" });`,
        "return answer;",
      ].join("\n"),
      pauseAtElicitation: true,
    });
    expect(paused.status).toBe("paused");
    await open(`/runs?executionId=${paused.executionId}`);
    const waiting = await page.waitForSelector('[data-testid="waiting-for"]');
    expect(await waiting.textContent()).toContain("Sign in to continue");
    // The URL to open is a link, not JSON.
    expect(
      await page.getAttribute(
        '[data-testid="waiting-for"] [data-testid="interaction-link"]',
        "href",
      ),
    ).toBe(url);
    const detail = await api<{ pendingInteraction: { createdAt: number }; createdAt: number }>(
      `/v1/executions/${paused.executionId}`,
    );
    // The wait is on the time axis, as long as it has lasted.
    const waitMs = async () =>
      Number(await page.getAttribute('[data-testid="waterfall-wait"]', "data-ms"));
    const before = Date.now();
    const shown = await waitMs();
    expect(shown).toBeGreaterThanOrEqual(before - detail.pendingInteraction.createdAt - 1500);
    expect(shown).toBeLessThanOrEqual(Date.now() - detail.pendingInteraction.createdAt + 1500);
    expect(await page.textContent('[data-testid="waterfall-wait"]')).toContain("waiting");
    await expect.poll(waitMs, { timeout: 5000 }).toBeGreaterThan(shown + 900);
    // In the list, its elapsed time instead of "—", growing.
    const elapsedOf = (id: string) =>
      page.getAttribute(
        `${RUN_ROW_SELECTOR}[data-id="${id}"] [data-testid="elapsed"]`,
        "data-elapsed-ms",
      );
    const first = Number(await elapsedOf(paused.executionId));
    expect(first).toBeGreaterThan(0);
    expect(Math.abs(first - (Date.now() - detail.createdAt))).toBeLessThan(2500);
    await expect
      .poll(async () => Number(await elapsedOf(paused.executionId)))
      .toBeGreaterThan(first + 900);

    // A run the demo left running in `tools.ci.pipeline.wait`: the SDK reported the call in
    // flight, so it is drawn as running, from its start up to now, after the finished call.
    const running = (await expected("status=running")).executions.find((r) => !r.stale);
    if (!running) throw new Error("the demo left no running run");
    const { toolCalls } = await api<{
      toolCalls: { toolPath: string; status: string; startedAt: number }[];
    }>(`/v1/executions/${running.id}/tool-calls`);
    expect(toolCalls.map((c) => [c.toolPath, c.status])).toEqual([
      ["ci.pipeline.run", "completed"],
      ["ci.pipeline.wait", "running"],
    ]);
    const inFlight = toolCalls[1] as { startedAt: number };
    await page.click(`${RUN_ROW_SELECTOR}[data-id="${running.id}"]`);
    const row = await page.waitForSelector('[data-testid="waterfall-row"][data-status="running"]');
    expect(await row.textContent()).toContain("ci.pipeline.wait");
    expect(await page.textContent('[data-testid="drawer-elapsed"]')).toContain("so far");
    const rowMs = Number(await row.getAttribute("data-ms"));
    expect(Math.abs(rowMs - (Date.now() - inFlight.startedAt))).toBeLessThan(2500);
    const geometry = await page.$$eval('[data-testid="waterfall-row"]', (rows) =>
      rows.map((r) => {
        const bar = r.querySelector('[data-testid="waterfall-bar"]')?.getBoundingClientRect();
        const track = r.querySelector(".wf-track")?.getBoundingClientRect();
        return { left: bar?.left ?? 0, right: bar?.right ?? 0, trackRight: track?.right ?? 0 };
      }),
    );
    const [done, inFlightBar] = geometry as [
      { right: number },
      { left: number; right: number; trackRight: number },
    ];
    // After the finished call, reaching the axis' end (now).
    expect(inFlightBar.left).toBeGreaterThanOrEqual(done.right - 1);
    expect(inFlightBar.right).toBeGreaterThan(inFlightBar.trackRight - 2);
    // It grows while the page is open.
    await expect
      .poll(async () => Number(await row.getAttribute("data-ms")), { timeout: 5000 })
      .toBeGreaterThan(rowMs + 900);
    // And the open drawer reads the unfinished run again by itself.
    const reads: string[] = [];
    const count = (r: { url(): string }) => {
      if (r.url().includes(`/v1/executions/${running.id}/tool-calls`)) reads.push(r.url());
    };
    page.on("request", count);
    await expect.poll(() => reads.length, { timeout: 12_000 }).toBeGreaterThanOrEqual(1);
    page.off("request", count);
    await page.screenshot({ path: `${SHOTS}/drawer-running.png` });
  });

  it("keeps the last answer dimmed when the API fails, and recovers by itself", async () => {
    try {
      await open("/runs");
      const before = await shownIds();
      expect(before).toEqual((await expected("")).executions.map((r) => r.id));
      const countsBefore = await railCounts();
      const failing = "**/v1/executions?**";
      let refused = 0;
      await page.route(failing, (route) => {
        refused++;
        return route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ error: "unavailable", message: "storage is not answering" }),
        });
      });
      await page.click('[data-testid="refresh"]');
      const banner = await page.waitForSelector('[data-testid="error"]');
      expect(await banner.textContent()).toContain("storage is not answering");
      expect(await page.textContent('[data-testid="error-retry"]')).toMatch(/retrying/);
      // Nothing wiped: rows, counts and chart stay, dimmed.
      expect(await shownIds()).toEqual(before);
      expect(await railCounts()).toEqual(countsBefore);
      expect(await page.$$('[data-testid="timeline-bucket"] .seg')).not.toHaveLength(0);
      expect(await page.getAttribute('[data-testid="app"]', "class")).toContain("is-stale");
      const opacity = async () =>
        Number(
          await page.evaluate(
            `getComputedStyle(document.querySelector('[data-testid="run-list"]')).opacity`,
          ),
        );
      await expect.poll(opacity).toBeLessThan(0.6);
      await page.screenshot({ path: `${SHOTS}/error-1280.png` });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.screenshot({ path: `${SHOTS}/error-1920.png` });
      await page.setViewportSize({ width: 1280, height: 860 });
      // It asks again by itself…
      await expect.poll(() => refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      // …and once the API answers, the banner goes and the list is whole again, untouched by hand.
      await page.unroute(failing);
      await page.waitForSelector('[data-testid="error"]', { state: "detached", timeout: 25_000 });
      expect(await page.getAttribute('[data-testid="app"]', "class")).not.toContain("is-stale");
      expect(await shownIds()).toEqual(before);

      // An error that will not pass by itself (500) is not asked again until "Retry".
      let asked = 0;
      await page.route(failing, (route) => {
        // The page's own request; its counts are asked for beside it (meta=only).
        if (!route.request().url().includes("meta=only")) asked++;
        return route.fulfill({
          status: 500,
          contentType: "application/json",
          body: JSON.stringify({ error: "internal", message: "memory limit exceeded" }),
        });
      });
      await page.click('[data-testid="refresh"]');
      await page.waitForSelector('[data-testid="error"]');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(asked).toBe(1);
      expect(await page.textContent('[data-testid="error-retry"]')).not.toContain("retrying");
      expect(await shownIds()).toEqual(before);
      await page.unroute(failing);
      await page.click('[data-testid="error"] button');
      await page.waitForSelector('[data-testid="error"]', { state: "detached" });

      // A failed "load more" keeps the rows loaded and offers to try again at the list's end.
      await page.route("**/v1/executions?**cursor=**", (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ error: "unavailable", message: "storage is not answering" }),
        }),
      );
      await page.locator('[data-testid="list-end"]').scrollIntoViewIfNeeded();
      await page.waitForSelector('[data-testid="list-end"] .more-error');
      expect(await shownIds()).toEqual(before);
      expect(await page.getAttribute('[data-testid="app"]', "class")).not.toContain("is-stale");
      expect(await page.$('[data-testid="error"]')).toBeNull();
      await page.unrouteAll();
      await page.click('[data-testid="list-end"] .more-error button');
      await expect.poll(async () => (await shownIds()).length).toBeGreaterThan(before.length);
      await page.locator(RUN_ROW_SELECTOR).first().scrollIntoViewIfNeeded();

      // A filter change dims the old rows while the new ones load.
      const shownBefore = await shownIds();
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route(failing, async (route) => {
        await held;
        await route.continue();
      });
      await page.click('[data-testid="facet-status-failed"] .facet-main');
      await expect
        .poll(() => page.getAttribute('[data-testid="app"]', "class"))
        .toContain("is-stale");
      expect(await shownIds()).toEqual(shownBefore);
      release();
      const failed = await expected("status=failed");
      await expect.poll(shownIds).toEqual(failed.executions.map((r) => r.id));
      expect(await page.getAttribute('[data-testid="app"]', "class")).not.toContain("is-stale");
      await page.unroute(failing);
    } finally {
      // A failure above must not leave the API cut off for the tests after this one.
      await page.unrouteAll();
    }
  });

  it("paints the first screen from the HTML, in this browser's time zone, then hands over to the app", async () => {
    // A zone no server runs in by accident: the first screen's times are the browser's.
    const timeZone = "Asia/Kathmandu";
    const want = await expected("");
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      timezoneId: timeZone,
    });
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    try {
      // Without any script at all, the HTML holds the first page's rows.
      const bare = await noScript.newPage();
      await bare.goto(`${server.queryUrl}/runs`);
      const bareIds = await bare.$$eval(RUN_ROW_SELECTOR, (rows) =>
        rows.map((r) => r.getAttribute("data-id")),
      );
      expect(bareIds).toEqual(want.executions.map((r) => r.id));

      // The app's code held back: the first screen stays, inert, the app's root empty.
      const p = await context.newPage();
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await p.route("**/runs/assets/render-*.js", async (route) => {
        await held;
        await route.continue();
      });
      await p.goto(`${server.queryUrl}/runs`);
      await waitForFirstData(p);
      const rowsNow = () =>
        p.$$eval(RUN_ROW_SELECTOR, (rows) =>
          rows.map((r) => ({
            id: r.getAttribute("data-id"),
            started: r.querySelector('[data-testid="started"]')?.textContent ?? null,
            title: r.querySelector('[data-testid="started"]')?.getAttribute("title") ?? null,
          })),
        );
      const first = await rowsNow();
      expect(first.map((r) => r.id)).toEqual(want.executions.map((r) => r.id));
      expect(await p.$eval("#first-screen", (e) => e.hasAttribute("inert"))).toBe(true);
      expect(await p.$eval("#root", (e) => e.childElementCount)).toBe(0);
      await p.screenshot({ path: `${SHOTS}/first-screen-1280.png` });
      // Each start as a clock in Kathmandu reads it (UTC+05:45), and the tooltip's full time.
      const clock = new Intl.DateTimeFormat("en-GB", {
        timeZone,
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
      for (const [i, run] of want.executions.entries()) {
        expect(first[i]?.started).toContain(clock.format(run.createdAt));
        expect(first[i]?.title).toContain("+05:45 local");
      }
      // The app takes over with the same rows and the same times, and answers clicks.
      release();
      await waitForInteractive(p);
      expect(await p.$("#first-screen")).toBeNull();
      const app = await rowsNow();
      expect(app.map((r) => r.id)).toEqual(first.map((r) => r.id));
      expect(app.map((r) => r.started?.split(" · ")[0])).toEqual(
        first.map((r) => r.started?.split(" · ")[0]),
      );
      await p.click(RUN_ROW_SELECTOR);
      await p.waitForSelector('[data-testid="drawer"]');
      expect(new URL(p.url()).searchParams.get("executionId")).toBe(want.executions[0]?.id);
    } finally {
      await context.close();
      await noScript.close();
    }
  });

  it("shows the rows without waiting for the counts", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first page and its counts came with the HTML; a filter changed in the page asks for
    // both again. The counts are slow (a code search over a long history): hold them back.
    await open("/runs");
    await page.route("**/v1/executions?**meta=only**", async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.click('[data-testid="facet-status-failed"] .facet-main');
      await expect.poll(() => search().get("status")).toBe("failed");
      const want = await expected("status=failed");
      await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
      // The rows are this filter's; the counts on screen still the last filter's, dimmed.
      expect(await page.getAttribute('[data-testid="app"]', "data-counts")).toBe("pending");
      expect(await page.getAttribute('[data-testid="app"]', "class")).toContain("counts-stale");
      release();
      await countsSettled();
      expect(await page.textContent('[data-testid="totals"]')).toContain(
        `${want.meta.filterRowCount} of `,
      );
    } finally {
      release();
      await page.unrouteAll();
    }
  });

  it("filters by scope from the rail and the bar, as /v1/executions does", async () => {
    const fresh = await startAllInOne();
    const sent = new Map<string, string[]>();
    try {
      for (const [scope, n] of [
        ["team-a", 3],
        ["team-b", 2],
        ["team-c", 1],
      ] as const) {
        for (let i = 0; i < n; i++) {
          const run = await submitRun(fresh.collectorUrl, {
            code: `return "${scope}-${i}";`,
            scopeId: scope,
          });
          sent.set(scope, [...(sent.get(scope) ?? []), run.executionId]);
        }
      }
      await page.goto(`${fresh.queryUrl}/runs`);
      await page.waitForSelector(RUN_ROW_SELECTOR);
      // Every scope with runs, counted as sent.
      await expect
        .poll(async () => {
          const counts = await railCounts();
          return Object.fromEntries(
            Object.entries(counts).filter(([k]) => k.startsWith("facet-scope-")),
          );
        })
        .toEqual({
          "facet-scope-team-a": "3",
          "facet-scope-team-b": "2",
          "facet-scope-team-c": "1",
        });
      const idsOn = () =>
        page.$$eval(RUN_ROW_SELECTOR, (rows) => rows.map((r) => r.getAttribute("data-id")).sort());
      await page.click('[data-testid="facet-scope-team-b"] .facet-main');
      await expect.poll(() => new URL(page.url()).searchParams.get("scope")).toBe("team-b");
      await expect.poll(idsOn).toEqual([...(sent.get("team-b") ?? [])].sort());
      const fromApi = async (q: string) => {
        const r = await fetch(`${fresh.queryUrl}/v1/executions?${q}`);
        return ((await r.json()) as ListPage).executions.map((e) => e.id).sort();
      };
      expect(await fromApi("scope=team-b")).toEqual(await idsOn());
      // The bar: two scopes, ORed.
      await page.fill('[data-testid="filter-bar"]', "scope:team-a,team-c");
      await page.keyboard.press("Enter");
      await expect.poll(() => new URL(page.url()).searchParams.get("scope")).toBe("team-a,team-c");
      const want = [...(sent.get("team-a") ?? []), ...(sent.get("team-c") ?? [])].sort();
      await expect.poll(idsOn).toEqual(want);
      expect(await fromApi("scope=team-a,team-c")).toEqual(want);
      // The other scopes stay on offer, with their counts.
      await countsSettled();
      expect((await railCounts())["facet-scope-team-b"]).toBe("2");
    } finally {
      await fresh.stop();
    }
  }, 90_000);

  it("shows a run submitted while it is live, above the divider", async () => {
    await open("/runs?live=1");
    expect(await page.getAttribute('[data-testid="live-toggle"]', "aria-pressed")).toBe("true");
    const marker = `live-probe-${Date.now()}`;
    const run = await submitRun(server.collectorUrl, { code: `return "${marker}";` });
    const row = page.locator(`${RUN_ROW_SELECTOR}[data-id="${run.executionId}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect((await shownIds())[0]).toBe(run.executionId);
    expect(await row.textContent()).toContain(marker);
    await page.waitForSelector('[data-testid="live-divider"]');
    // The divider sits right below the new run; the older rows are dimmed.
    const order = await page.$$eval(".tbody > .row-wrap", (wraps) =>
      wraps.slice(0, 2).map((w) => ({
        divider: w.querySelector('[data-testid="live-divider"]') !== null,
        older: w.querySelector(".tr")?.classList.contains("older") ?? false,
      })),
    );
    expect(order).toEqual([
      { divider: false, older: false },
      { divider: true, older: true },
    ]);
    // The numbers follow the live counts: the panel's runs come to equal the list's count.
    const listed = async () =>
      Number((await page.textContent('[data-testid="filter-count"]'))?.replace(/\D/g, "") ?? "");
    const counted = async () =>
      Number(
        (await page.textContent('[data-testid="numbers-runs"] .number-value'))?.replace(/\D/g, ""),
      );
    await expect
      .poll(async () => (await counted()) === (await listed()), { timeout: 10_000 })
      .toBe(true);
    await page.screenshot({ path: `${SHOTS}/live.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/live-1920.png` });
    await page.setViewportSize({ width: 1280, height: 860 });

    // A run that is still waiting shows up as waiting, then the same row turns completed when
    // another process finishes it (updatedSince); nothing is listed twice.
    const status = (id: string) =>
      page
        .getAttribute(`${RUN_ROW_SELECTOR}[data-id="${id}"]`, "data-status", { timeout: 500 })
        .catch(() => null);
    const paused = await submitRun(server.collectorUrl, {
      code: [
        `const answer = await elicit({ kind: "form", message: "${marker}: go on?",`,
        '  schema: { type: "object", properties: { approve: { type: "boolean" } } } });',
        "return answer;",
      ].join("\n"),
      pauseAtElicitation: true,
    });
    expect(paused.status).toBe("paused");
    if (!paused.state) throw new Error("the paused run has no state to resume");
    await expect
      .poll(() => status(paused.executionId), { timeout: 20_000 })
      .toBe("waiting_for_interaction");
    await resumeRun(server.collectorUrl, paused.state, {
      content: { approve: true },
      code: "return { approved: resumed.content.approve };",
    });
    await expect.poll(() => status(paused.executionId), { timeout: 20_000 }).toBe("completed");
    const ids = await shownIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 2)).toEqual([paused.executionId, run.executionId]);
    const divider = await page.$$eval(".tbody > .row-wrap", (wraps) =>
      wraps.findIndex((w) => w.querySelector('[data-testid="live-divider"]') !== null),
    );
    expect(divider).toBe(2);

    // Switching live off removes the divider.
    await page.keyboard.press("j");
    await expect.poll(() => search().has("live")).toBe(false);
    expect(await page.$('[data-testid="live-divider"]')).toBeNull();
  });

  it("shows every run whose spans arrive late in live mode, once, as the rail counts them", async () => {
    const marker = `late-probe-${Date.now()}`;
    await open(`/runs?live=1&code=${marker}`);
    await page.waitForSelector('[data-testid="empty"]');
    const url = `${server.collectorUrl}/v1/traces`;
    const finalStatus = new Map<string, string>();
    // Through the real SDK with its default export delay (the BatchSpanProcessor's 5 s).
    const sdk = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "late-sdk" }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    });
    const recorder = createExecutionRecorder({ tracer: sdk.getTracer("late-sdk") });
    for (let i = 0; i < 4; i++) {
      const exec = recorder.create({ scopeId: "ws_acme", code: `return "${marker} sdk ${i}";` });
      if (i % 2 === 1)
        await exec.toolCall({ path: "github.issues.list", args: {} }, async () => []);
      if (i === 3) exec.fail(new Error("late and failed"));
      else exec.complete({ i });
      finalStatus.set(exec.id, i === 3 ? "failed" : "completed");
    }
    // By hand, later still: recorded now, each run's first state sent 8 s on, the rest 4 s after.
    const memory = new InMemorySpanExporter();
    const byHand = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "late-by-hand" }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const handRecorder = createExecutionRecorder({ tracer: byHand.getTracer("late-by-hand") });
    const held: ReadableSpan[][] = [];
    for (let i = 0; i < 3; i++) {
      const exec = handRecorder.create({
        scopeId: "ws_beta",
        code: `return "${marker} hand ${i}";`,
      });
      await exec.toolCall({ path: "slack.chat.postMessage", args: { i } }, async () => ({ ok: 1 }));
      exec.complete({ i });
      finalStatus.set(exec.id, "completed");
      held.push([...memory.getFinishedSpans()]);
      memory.reset();
    }
    const send = (spans: ReadableSpan[]) =>
      new Promise<void>((resolve, reject) =>
        new OTLPTraceExporter({ url }).export(spans, (r) =>
          r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error),
        ),
      );
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(8_000);
    for (const spans of held)
      await send(spans.filter((s) => s.name === SPAN_EXECUTION_STATE).slice(0, 1));
    await sleep(4_000);
    for (const spans of held) await send(spans);

    // Every run shows up, each once, with its final status; the rail counts exactly those rows.
    const shown = async () => {
      const rows = await page.$$eval(RUN_ROW_SELECTOR, (els) =>
        els.map((r) => [r.getAttribute("data-id"), r.getAttribute("data-status")]),
      );
      return rows;
    };
    await expect
      .poll(async () => Object.fromEntries(await shown()), { timeout: 30_000 })
      .toEqual(Object.fromEntries(finalStatus));
    const ids = await shownIds();
    expect(ids.length).toBe(finalStatus.size);
    const statusCount = (status: string) =>
      String([...finalStatus.values()].filter((s) => s === status).length);
    await expect
      .poll(
        async () => {
          const counts = await railCounts();
          return [counts["facet-status-completed"], counts["facet-status-failed"]];
        },
        { timeout: 15_000 },
      )
      .toEqual([statusCount("completed"), statusCount("failed")]);
    expect(await page.textContent('[data-testid="totals"]')).toContain(`${finalStatus.size} of `);
    await page.screenshot({ path: `${SHOTS}/live-late.png` });
    await sdk.shutdown();
    await byHand.shutdown();
  });

  it("answers its keyboard shortcuts", async () => {
    await open("/runs");
    const requests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/v1/executions?")) requests.push(r.url());
    });

    await page.keyboard.press("?");
    await page.waitForSelector('[data-testid="help"]');
    // Behind the help, other keys do nothing.
    await page.keyboard.press("b");
    expect(await page.$('[data-testid="filter-rail"]')).not.toBeNull();
    await page.keyboard.press("Escape");
    expect(await page.$('[data-testid="help"]')).toBeNull();
    // …and its close button.
    await page.keyboard.press("?");
    await page.click('[data-testid="help-close"]');
    expect(await page.$('[data-testid="help"]')).toBeNull();

    await page.keyboard.press("b");
    expect(await page.$('[data-testid="filter-rail"]')).toBeNull();
    await page.keyboard.press("b");
    await page.waitForSelector('[data-testid="filter-rail"]');

    await page.keyboard.press("r");
    await expect.poll(() => requests.length).toBeGreaterThan(0);

    const ids = await shownIds();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await page.getAttribute(`${RUN_ROW_SELECTOR}.selected`, "data-id")).toBe(ids[1]);
    await page.keyboard.press("Enter");
    await expect.poll(() => search().get("executionId")).toBe(ids[1]);
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => search().get("executionId")).toBe(ids[2]);
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => search().get("executionId")).toBe(ids[1]);
    await page.keyboard.press("Escape");
    await expect.poll(() => search().has("executionId")).toBe(false);

    // Enter on a focused control is that control's, not "open the selected run".
    await page.focus('[data-testid="columns-button"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="columns-menu"]');
    expect(search().has("executionId")).toBe(false);
    await page.keyboard.press("Escape");
    await page.click('[data-testid="columns-button"]');

    await page.keyboard.press("j");
    await expect.poll(() => search().get("live")).toBe("1");
    await page.keyboard.press("j");
    await expect.poll(() => search().has("live")).toBe(false);

    await page.keyboard.press("/");
    expect(await page.getAttribute(":focus", "data-testid")).toBe("filter-bar");
    // Letters typed into the bar are text, not shortcuts; Esc puts the filter back and leaves.
    await page.keyboard.type(" b");
    expect(await page.inputValue('[data-testid="filter-bar"]')).toBe("after:24h b");
    await page.waitForSelector('[data-testid="filter-rail"]');
    await page.keyboard.press("Escape");
    expect(await page.inputValue('[data-testid="filter-bar"]')).toBe("after:24h");
    expect(await page.evaluate("document.activeElement === document.body")).toBe(true);
    page.removeAllListeners("request");
  });

  it("narrows the range with the custom from/to fields", async () => {
    const times = all.executions.map((r) => r.createdAt).sort((a, b) => a - b);
    // Whole local minutes around the middle of the demo's runs (the fields are minute-precise).
    const middle = times[Math.floor(times.length / 2)] as number;
    const fromMs = Math.floor(middle / 60_000) * 60_000;
    const local = (ms: number) => {
      const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
      return d.toISOString().slice(0, 16);
    };
    await open("/runs");
    await page.fill('[data-testid="range-from"]', local(fromMs));
    await page.fill('[data-testid="range-to"]', local(fromMs));
    await page.click('[data-testid="rail-time"] button[type="submit"]');
    await expect.poll(() => search().has("range")).toBe(false);
    expect(Date.parse(search().get("from") ?? "")).toBe(fromMs);
    expect(Date.parse(search().get("to") ?? "")).toBe(fromMs + 59_999);
    // The label reads like the fields: local time, and names the time zone.
    const zone = (await page.evaluate(
      "Intl.DateTimeFormat().resolvedOptions().timeZone",
    )) as string;
    const label = await page.textContent('[data-testid="custom-range-label"]');
    expect(label).toContain(`${local(fromMs).replace("T", " ")}:00`);
    expect(label).toContain(zone);
    const want = await api<Page1>(`/v1/executions?limit=50&from=${fromMs}&to=${fromMs + 59_999}`);
    expect(want.meta.filterRowCount).toBeGreaterThan(0);
    await expect.poll(shownIds).toEqual(want.executions.map((r) => r.id));
    // A preset clears the custom range.
    await page.click('[data-testid="preset-24h"]');
    await expect.poll(() => search().has("from")).toBe(false);
  });

  it("asks for a token when the API wants one, and shows only that token's scope", async () => {
    const guarded = await startAllInOne({ env: { RUNTRACE_API_TOKENS: "tok-acme=ws_acme" } });
    const mine = await submitRun(guarded.collectorUrl, { code: 'return "mine";' });
    const theirs = await submitRun(guarded.collectorUrl, {
      code: 'return "theirs";',
      scopeId: "ws_globex",
    });
    expect(theirs.status).toBe("completed");
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const p = await fresh.newPage();
      const { askedBy, cdp } = await recordApiRequests(fresh, p);
      const html = await (await fetch(`${guarded.queryUrl}/runs`)).text();
      // With tokens the page comes without data (its request carries none)...
      expect(html).not.toContain("__runtraceServed=");
      expect(html).not.toContain('id="first-screen"');
      await p.goto(`${guarded.queryUrl}/runs`);
      await p.waitForSelector('[data-testid="token-input"]');
      // ...and its first requests leave from the script inlined in the HTML (vite.config.ts),
      // before any script file has loaded, once each.
      const boot = askedBy.filter((a) =>
        /^\/v1\/(executions\?.*meta=(false|only)|executions\/numbers\?|about$)/.test(a.path),
      );
      expect(boot.map((a) => a.path.replace(/\?.*meta=(false|only).*/, "?meta=$1")).sort()).toEqual(
        [
          "/v1/about",
          expect.stringMatching(/^\/v1\/executions\/numbers\?/),
          "/v1/executions?meta=false",
          "/v1/executions?meta=only",
        ],
      );
      for (const a of boot) expect(a.by, a.path).toBe(`${guarded.queryUrl}/runs`);
      await cdp.detach();
      expect(await p.textContent('[data-testid="error"]')).toContain("wants an API token");
      await p.fill('[data-testid="token-input"]', "tok-acme");
      await p.keyboard.press("Enter");
      await p.waitForSelector(RUN_ROW_SELECTOR);
      expect(
        await p.$$eval(RUN_ROW_SELECTOR, (rows) => rows.map((r) => r.getAttribute("data-id"))),
      ).toEqual([mine.executionId]);
      // The scopes on offer are the token's own.
      await p.waitForSelector('[data-testid="facet-scope-ws_acme"]');
      expect(
        await p.$$eval('[data-testid^="facet-scope-"]', (f) =>
          f.map((e) => e.getAttribute("data-testid")),
        ),
      ).toEqual(["facet-scope-ws_acme"]);
      // The drawer's requests carry the token too.
      await p.click(RUN_ROW_SELECTOR);
      await p.waitForSelector('[data-testid="run-code"]');
      expect(await p.textContent('[data-testid="run-code"]')).toBe('return "mine";');
      // Kept for the next visit.
      await p.reload();
      await p.waitForSelector(RUN_ROW_SELECTOR);
      expect(await p.$('[data-testid="token-input"]')).toBeNull();
    } finally {
      await fresh.close();
      await guarded.stop();
    }
  }, 90_000);

  it("tells how to send a first run on an empty database, naming the collector's address", async () => {
    const fresh = await startAllInOne();
    try {
      await page.goto(`${fresh.queryUrl}/runs?range=all`);
      const help = await page.waitForSelector('[data-testid="first-run-help"]');
      expect(await help.textContent()).toContain(
        `OTEL_EXPORTER_OTLP_ENDPOINT=${fresh.collectorUrl}`,
      );
      expect(await page.textContent('[data-testid="empty"]')).not.toContain("No runs match");
      await page.screenshot({ path: `${SHOTS}/empty-1280.png` });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.screenshot({ path: `${SHOTS}/empty-1920.png` });
      await page.setViewportSize({ width: 1280, height: 860 });
    } finally {
      await fresh.stop();
    }
  });

  it("says when a code search's counts stop at the budget, and from when they count", async () => {
    // A budget of two runs: four runs an hour apart, the newest two counted.
    const budgeted = await startAllInOne({ env: { RUNTRACE_CODE_COUNT_BUDGET: "2" } });
    try {
      let clock = 0;
      const sdk = new BasicTracerProvider({
        resource: resourceFromAttributes({ "service.name": "budget-sdk" }),
        spanProcessors: [
          new SimpleSpanProcessor(
            new OTLPTraceExporter({ url: `${budgeted.collectorUrl}/v1/traces` }),
          ),
        ],
      });
      const recorder = createExecutionRecorder({
        tracer: sdk.getTracer("budget-sdk"),
        now: () => clock,
      });
      const hour = 3_600_000;
      const base = Math.floor(Date.now() / hour) * hour - 4 * hour;
      const starts = [0, 1, 2, 3].map((i) => base + i * hour + 60_000);
      for (const [i, start] of starts.entries()) {
        clock = start;
        const exec = recorder.create({ scopeId: "ws_acme", code: `return "budgetword ${i}";` });
        clock += 50;
        exec.complete({ i });
      }
      await sdk.forceFlush();
      await sdk.shutdown();
      // Counted back from the range's end: the two newest runs' 5-minute periods.
      const countedFrom = Math.floor(starts[1]! / 300_000) * 300_000 + 300_000;
      const response = await fetch(
        `${budgeted.queryUrl}/v1/executions?code=budgetword&from=${Date.now() - DAY_MS}`,
      );
      const answer = (await response.json()) as Page1;
      expect(answer.meta.partial?.countedFrom).toBe(countedFrom);
      expect(answer.meta.filterRowCount).toBe(2);
      expect(answer.executions).toHaveLength(4);

      await page.goto(`${budgeted.queryUrl}/runs?code=budgetword`);
      await page.waitForSelector('[data-testid="partial-note"]');
      expect(await page.textContent('[data-testid="totals"] strong')).toBe("≥ 2");
      const when = await page.evaluate(
        ([ms]) => {
          const d = new Date(ms as number);
          const p = (n: number) => String(n).padStart(2, "0");
          const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
          return new Date().toDateString() === d.toDateString()
            ? time
            : `${d.toLocaleString("en", { month: "short" })} ${d.getDate()} ${time}`;
        },
        [countedFrom],
      );
      expect(await page.textContent('[data-testid="partial-note"]')).toContain(
        `counted back to ${when}`,
      );
      expect(await page.textContent('[data-testid="filter-count"]')).toContain(
        `≥ 2 runs (of 4) · counted back to ${when}`,
      );
      // The list is whole; the timeline marks what was not counted. (The rows may render a
      // moment after the note: wait for them, as a reader would, before counting.)
      await page
        .waitForFunction(
          `document.querySelectorAll(${JSON.stringify(RUN_ROW_SELECTOR)}).length >= 4`,
          undefined,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
      expect(await page.$$(RUN_ROW_SELECTOR)).toHaveLength(4);
      expect((await page.$$(".bucket.uncounted")).length).toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}/partial-counts-1280.png` });
    } finally {
      await budgeted.stop();
    }
  }, 90_000);

  it("explains an API error and an empty result", async () => {
    await open("/runs?status=bogus");
    expect(await page.textContent('[data-testid="error"]')).toContain("status");
    await open("/runs?code=no-such-code-anywhere-4f1c");
    expect(await page.textContent('[data-testid="empty"]')).toContain("No runs match");
    await page.click('[data-testid="empty"] button');
    await expect.poll(() => search().has("code")).toBe(false);
    await page.waitForSelector(RUN_ROW_SELECTOR);
  });

  // Last: its runs (a scope of their own) would change the other tests' counts.
  it("puts numbers on every filtered run, more failed ones than a page holds, as the API counts them", async () => {
    // 90 runs of a scope of their own, a minute apart, over the last two hours: 72 failed (more
    // than the page's 50), with tool calls of known durations, one path failing every third call.
    const scope = "ws_numbers";
    let clock = 0;
    const sdk = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "numbers-sdk" }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${server.collectorUrl}/v1/traces` }), {
          scheduledDelayMillis: 20,
          maxQueueSize: 10_000,
        }),
      ],
    });
    const recorder = createExecutionRecorder({
      tracer: sdk.getTracer("numbers-sdk"),
      now: () => clock,
    });
    const sent = {
      runs: 90,
      failed: 0,
      calls: new Map<string, { calls: number; failures: number }>(),
      errors: new Map<string, number>(),
    };
    const base = Date.now() - 2 * 3_600_000;
    for (let i = 0; i < sent.runs; i++) {
      clock = base + i * 60_000;
      const exec = recorder.create({ scopeId: scope, code: `return ${i};` });
      for (const [k, path] of ["crm.lookup", "mail.send"].entries()) {
        if (k === 1 && i % 2 === 0) continue;
        const failed = path === "mail.send" && i % 3 === 0;
        const tally = sent.calls.get(path) ?? { calls: 0, failures: 0 };
        tally.calls++;
        if (failed) tally.failures++;
        sent.calls.set(path, tally);
        await exec
          .toolCall({ path, args: { i } }, async () => {
            clock += 20 + (i % 7) * 30;
            if (failed) throw new Error("mailbox full");
            return { ok: true };
          })
          .catch(() => undefined);
      }
      clock += 100 + i * 10;
      if (i % 5 === 0) exec.complete({ i });
      else {
        // Errors differing in their values: three groups once numbers, ids and quotes are masked.
        const message = [`failure ${i}`, `timeout after ${i}s`, `user 'u${i}' missing`][i % 3]!;
        exec.fail(i % 3 === 1 ? new TypeError(message) : new Error(message));
        const key = `${i % 3 === 1 ? "TypeError" : "Error"}: ${maskErrorMessage(message)}`;
        sent.errors.set(key, (sent.errors.get(key) ?? 0) + 1);
        sent.failed++;
      }
    }
    await sdk.forceFlush();
    await sdk.shutdown();
    expect(sent.failed).toBeGreaterThan(50);

    await open(`/runs?scope=${scope}`);
    await page.waitForSelector('[data-testid="numbers"][data-state="shown"]');
    const answer = await api<ExecutionNumbers>(
      `/v1/executions/numbers?scope=${scope}&from=${Date.now() - DAY_MS}`,
    );
    const toolAnswer = await api<ToolNumbers>(
      `/v1/executions/numbers/tools?scope=${scope}&from=${Date.now() - DAY_MS}`,
    );
    // The API against the test's own record...
    expect(answer).toMatchObject({ runs: sent.runs, finished: sent.runs, failed: sent.failed });
    expect(
      Object.fromEntries(
        toolAnswer.tools.map((t) => [t.toolPath, { calls: t.calls, failures: t.failures }]),
      ),
    ).toEqual(Object.fromEntries(sent.calls));
    // ...and the panel against the API's answer for the same filter.
    const text = (id: string) => page.textContent(`[data-testid="${id}"] .number-value`);
    expect(await text("numbers-runs")).toBe(sent.runs.toLocaleString("en"));
    expect(await text("numbers-failure-rate")).toBe(
      `${Math.round((sent.failed / sent.runs) * 100)}%`,
    );
    for (const q of ["p50", "p95"] as const) {
      const ms = await page.getAttribute(`[data-testid="numbers-${q}"] .number-value`, "data-ms");
      expect(Number(ms)).toBe(answer.duration[q]!.ms);
    }
    expect(Number(await page.getAttribute('[data-testid="failure-line"]', "data-points"))).toBe(
      answer.failureRateSeries.points.length,
    );
    await page.click('[data-testid="numbers-tools-toggle"]');
    // Read when opened: the popover says so until the answer is there.
    await page.waitForSelector('[data-testid="numbers-tools"][data-state="shown"]');
    const rows = await page.$$eval('[data-testid="numbers-tool"]', (trs) =>
      trs.map((tr) => ({
        tool: tr.getAttribute("data-tool"),
        cells: [...tr.querySelectorAll("td")].map((td) => td.textContent),
        p95: tr.querySelector("td:last-child")?.getAttribute("data-ms"),
      })),
    );
    expect(rows.map((r) => r.tool)).toEqual(toolAnswer.tools.map((t) => t.toolPath));
    for (const [i, t] of toolAnswer.tools.entries()) {
      expect(rows[i]!.cells[1]).toBe(String(t.calls));
      expect(rows[i]!.cells[2]).toContain(String(t.failures));
      expect(Number(rows[i]!.p95)).toBe(t.p95!.ms);
    }
    await page.screenshot({ path: `${SHOTS}/numbers-panel-1280.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/numbers-panel-1920.png` });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.click('[data-testid="numbers-tools-toggle"]');

    // Error groups: the API against the record, the menu against the API, and one click filters.
    const errors = await api<ErrorGroups>(
      `/v1/executions/errors?scope=${scope}&from=${Date.now() - DAY_MS}`,
    );
    expect(
      Object.fromEntries(errors.groups.map((g) => [`${g.errorType}: ${g.pattern}`, g.count])),
    ).toEqual(Object.fromEntries(sent.errors));
    await page.click('[data-testid="error-groups-toggle"]');
    const menu = await page.$$eval('[data-testid="error-group"]', (buttons) =>
      buttons.map((b) => ({
        group: b.getAttribute("data-group"),
        count: b.querySelector('[data-testid="error-group-count"]')?.textContent,
      })),
    );
    expect(menu).toEqual(
      errors.groups.map((g) => ({ group: g.errorGroup, count: String(g.count) })),
    );
    await page.screenshot({ path: `${SHOTS}/error-groups-1280.png` });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: `${SHOTS}/error-groups-1920.png` });
    await page.setViewportSize({ width: 1280, height: 860 });
    const picked = errors.groups[1]!;
    await page.click(`[data-testid="error-group"][data-group="${picked.errorGroup}"]`);
    await expect.poll(() => search().get("errorGroup")).toBe(picked.errorGroup);
    await countsSettled();
    await page.waitForSelector('[data-testid="numbers"][data-state="shown"]');
    const filtered = await expected(`scope=${scope}&errorGroup=${picked.errorGroup}`);
    expect(filtered.meta.filterRowCount).toBe(picked.count);
    await expect
      .poll(() => page.textContent('[data-testid="filter-count"]'))
      .toContain(`${picked.count} runs`);
    await expect.poll(() => text("numbers-runs")).toBe(String(picked.count));
    await expect.poll(() => text("numbers-failure-rate")).toBe("100%");
    expect(await shownIds()).toEqual(filtered.executions.map((r) => r.id));
    expect(await page.inputValue('[data-testid="filter-bar"]')).toContain(
      `error:${picked.errorGroup}`,
    );
    // The panel's error groups for the filtered runs: that group alone.
    await expect
      .poll(() => page.textContent('[data-testid="error-groups-toggle"]'))
      .toContain("1 error group");

    // A new sort or timeline window reads a new page, not new numbers: over a fixed range the
    // panel keeps them (and the error groups) on screen.
    const fixed = `from=${new Date(base - 60_000).toISOString()}&to=${new Date(Date.now()).toISOString()}`;
    await open(`/runs?scope=${scope}&${fixed}`);
    await page.waitForSelector('[data-testid="numbers"][data-state="shown"]');
    await page.click('[data-testid="sort-durationMs"]');
    await expect.poll(() => search().get("sort")).toBe("durationMs,desc");
    await countsSettled();
    await expect.poll(() => text("numbers-runs")).toBe(String(sent.runs));
    expect(await page.getAttribute('[data-testid="numbers"]', "data-state")).toBe("shown");
    await page.waitForSelector('[data-testid="error-groups-toggle"]');
  }, 120_000);
});

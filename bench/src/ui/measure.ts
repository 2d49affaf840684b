import {
  pageTimings,
  type ResourceTiming,
  RUN_ROW_SELECTOR,
  waitForFirstData,
  waitForInteractive,
} from "@runtrace/testkit-harness/runs-page";
import type { Page, Response } from "playwright-core";

/** One API request of the page, as the browser timed it (ms since the navigation started). */
export interface ApiRequest {
  /** Path and query, e.g. `/v1/executions?limit=50`. */
  path: string;
  status: number;
  startTime: number;
  responseStart: number;
  responseEnd: number;
  encodedBodySize: number;
  /** Playwright's own timing of the request (request start to last byte), for a cross-check. */
  playwrightMs: number;
}

/** One navigation to the page, until its first page of runs was on screen. */
export interface Navigation {
  /** `runs:first-data` (ms since the navigation started). */
  firstDataMs: number;
  /**
   * `runs:interactive`: the app itself on screen (later than the first data when the query API
   * rendered a first screen, which the app then replaces).
   */
  interactiveMs: number;
  responseEndMs: number;
  domContentLoadedMs: number;
  /** `/v1/…` requests that ended before the first data was on screen, in start order. */
  api: ApiRequest[];
  /** First `/v1/` request's start: the time the HTML and scripts took to ask for data. */
  bootMs: number;
  /** From the first `/v1/` request's start to the last one's end before first data. */
  apiMs: number;
  /** From the last `/v1/` answer before first data to the mark: rendering the rows. */
  renderMs: number;
  rows: number;
  /** Bytes over the wire: the document and every resource fetched before first data. */
  transferBytes: number;
  /** Resources fetched, HTML included (the HTTP cache serves some on a warm navigation). */
  resources: number;
}

/** Page errors and failed console lines, for the message when the page never shows data. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? "?"})`),
  );
  return problems;
}

function isApi(url: string, base: string): boolean {
  return url.startsWith(`${base}/v1/`);
}

/**
 * Navigates `page` to `url` and waits for the page's first data; reads the browser's timings.
 * Every `/v1/` answer must be 200.
 */
export async function navigate(
  page: Page,
  url: string,
  timeoutMillis: number,
  problems: string[],
): Promise<Navigation> {
  const base = new URL(url).origin;
  const answers: Promise<{ url: string; status: number; ms: number }>[] = [];
  const navigatedAt = Date.now();
  const onResponse = (response: Response) => {
    if (!isApi(response.url(), base)) return;
    // A request of the page this navigation replaces (a poll, the error groups) can answer
    // after it began, and its body is then never read: waiting for it hung the benchmark.
    if (response.request().timing().startTime < navigatedAt) return;
    answers.push(
      finishedWithin(response, timeoutMillis).then(() => ({
        url: response.url(),
        status: response.status(),
        ms: response.request().timing().responseEnd,
      })),
    );
  };
  page.on("response", onResponse);
  problems.length = 0;
  try {
    const answer = await page.goto(url, { waitUntil: "commit", timeout: timeoutMillis });
    if (answer?.status() !== 200) throw new Error(`GET ${url} answered ${answer?.status()}`);
    let firstDataMs: number;
    try {
      firstDataMs = await waitForFirstData(page, timeoutMillis);
    } catch (error) {
      const rows = await page.locator(RUN_ROW_SELECTOR).count();
      throw new Error(
        `no runs:first-data mark within ${timeoutMillis} ms (${rows} run rows on the page)` +
          (problems.length ? `:\n  ${problems.join("\n  ")}` : ""),
        { cause: error },
      );
    }
    const rows = await page.locator(RUN_ROW_SELECTOR).count();
    // The next navigation starts from a page in the app's hands, as a reload by a user would.
    const interactiveMs = await waitForInteractive(page, timeoutMillis);
    await page.waitForLoadState("domcontentloaded");
    const timings = await pageTimings(page);
    const played = await Promise.all(answers);
    for (const a of played) {
      if (a.status !== 200) throw new Error(`the page's GET ${a.url} answered ${a.status}`);
    }
    const before = timings.resources.filter((r) => r.responseEnd <= firstDataMs);
    const api = before
      .filter((r) => isApi(r.url, base))
      .sort((a, b) => a.startTime - b.startTime)
      .map((r) => apiRequest(r, base, played));
    const first = api[0];
    const lastEnd = Math.max(...api.map((r) => r.responseEnd));
    return {
      firstDataMs,
      interactiveMs,
      responseEndMs: timings.responseEndMs,
      domContentLoadedMs: timings.domContentLoadedMs,
      api,
      bootMs: first?.startTime ?? Number.NaN,
      apiMs: first ? lastEnd - first.startTime : Number.NaN,
      renderMs: first ? firstDataMs - lastEnd : Number.NaN,
      rows,
      transferBytes:
        timings.documentTransferSize + before.reduce((sum, r) => sum + r.transferSize, 0),
      resources: 1 + before.length,
    };
  } finally {
    page.off("response", onResponse);
  }
}

function apiRequest(
  r: ResourceTiming,
  base: string,
  played: { url: string; status: number; ms: number }[],
): ApiRequest {
  const seen = played.find((p) => p.url === r.url);
  return {
    path: r.url.slice(base.length),
    status: seen?.status ?? 0,
    startTime: r.startTime,
    responseStart: r.responseStart,
    responseEnd: r.responseEnd,
    encodedBodySize: r.encodedBodySize,
    playwrightMs: seen?.ms ?? Number.NaN,
  };
}

/** The response's body has arrived; an error naming it after `timeoutMillis`. */
function finishedWithin(response: Response, timeoutMillis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${response.url()}: no end of its body within ${timeoutMillis} ms`)),
      timeoutMillis,
    );
  });
  return Promise.race([response.finished().then(() => undefined), late]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * The /runs page's test hooks, read through playwright-core: the `runs:first-data` performance
 * mark the page sets when its first page of rows is on screen, the rows' `data-testid`, and the
 * browser's own navigation and resource timings (all in ms since the navigation started).
 *
 * The functions passed to `page.evaluate` / `waitForFunction` run in the browser. The root
 * tsconfig has no DOM lib, so they use only what Node's types also declare (`performance`) and
 * cast the entries; and they define no named inner functions (tsx's `keepNames` would wrap them
 * in a `__name` helper the page does not have).
 */
import type { Page } from "playwright-core";

/** The performance mark the page sets when its first page of runs with data is on screen. */
export const FIRST_DATA_MARK = "runs:first-data";

/**
 * The mark the page sets once the app itself is on screen and answers clicks and keys: when the
 * query API rendered a first screen into the page, that is later than the first data (the app
 * replaces the first screen when its own first page and numbers are settled).
 */
export const INTERACTIVE_MARK = "runs:interactive";

/** One row of the runs list. */
export const RUN_ROW_SELECTOR = '[data-testid="run-row"]';

/** Waits until the page has set the performance mark `name`; resolves to its `startTime`. */
async function waitForMark(page: Page, name: string, timeoutMillis: number): Promise<number> {
  const handle = await page.waitForFunction(
    (mark) => {
      const entry = performance.getEntriesByName(mark)[0];
      // `startTime` 0 would read as "not yet": report at least 1 µs.
      return entry === undefined ? false : Math.max(entry.startTime, 0.001);
    },
    name,
    { timeout: timeoutMillis },
  );
  return (await handle.jsonValue()) as number;
}

/**
 * Waits until the page has set {@link FIRST_DATA_MARK}; resolves to its `startTime` (ms since
 * the navigation started).
 */
export function waitForFirstData(page: Page, timeoutMillis = 60_000): Promise<number> {
  return waitForMark(page, FIRST_DATA_MARK, timeoutMillis);
}

/**
 * Waits until the page has set {@link INTERACTIVE_MARK} (the app has replaced any first
 * screen); resolves to its `startTime`. After every navigation a test that clicks or types.
 */
export function waitForInteractive(page: Page, timeoutMillis = 60_000): Promise<number> {
  return waitForMark(page, INTERACTIVE_MARK, timeoutMillis);
}

/** One resource the page fetched (Resource Timing), ms since the navigation started. */
export interface ResourceTiming {
  url: string;
  /** `fetch`, `script`, `link`, `img`, … */
  initiatorType: string;
  startTime: number;
  /** First byte of the answer. */
  responseStart: number;
  responseEnd: number;
  /** Bytes over the wire (0 when served from the HTTP cache). */
  transferSize: number;
  /** Body bytes before decompression. */
  encodedBodySize: number;
}

/** The page's timings so far, ms since the navigation started. */
export interface PageTimings {
  /** `startTime` of {@link FIRST_DATA_MARK}, if set. */
  firstDataMs: number | undefined;
  /** The HTML document fully received. */
  responseEndMs: number;
  /** `DOMContentLoaded` handlers done. */
  domContentLoadedMs: number;
  /** The `load` event done (0 while it has not happened). */
  loadMs: number;
  /** Bytes of the HTML document over the wire. */
  documentTransferSize: number;
  resources: ResourceTiming[];
}

/** Reads the navigation timing, {@link FIRST_DATA_MARK} and every resource fetched so far. */
export function pageTimings(page: Page): Promise<PageTimings> {
  return page.evaluate((markName) => {
    interface Entry {
      name: string;
      initiatorType: string;
      startTime: number;
      responseStart: number;
      responseEnd: number;
      transferSize: number;
      encodedBodySize: number;
      domContentLoadedEventEnd: number;
      loadEventEnd: number;
    }
    // Node's types know only some entry types; the browser's entries have these fields.
    const perf = performance as unknown as {
      getEntriesByType(type: string): Entry[];
      getEntriesByName(name: string): Entry[];
    };
    const navigation = perf.getEntriesByType("navigation")[0];
    const mark = perf.getEntriesByName(markName)[0];
    const resources = perf.getEntriesByType("resource").map((r) => ({
      url: r.name,
      initiatorType: r.initiatorType,
      startTime: r.startTime,
      responseStart: r.responseStart,
      responseEnd: r.responseEnd,
      transferSize: r.transferSize,
      encodedBodySize: r.encodedBodySize,
    }));
    return {
      firstDataMs: mark?.startTime,
      responseEndMs: navigation?.responseEnd ?? Number.NaN,
      domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? Number.NaN,
      loadMs: navigation?.loadEventEnd ?? Number.NaN,
      documentTransferSize: navigation?.transferSize ?? Number.NaN,
      resources,
    };
  }, FIRST_DATA_MARK);
}

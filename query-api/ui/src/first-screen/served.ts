/**
 * The browser's half of a first screen the query API rendered (server.tsx is the other): the
 * page's HTML holds the first screen's markup and the answers it was rendered from, each in a
 * script that calls in here as it is parsed. Part of the boot, inlined into index.html.
 *
 * The protocol, in the order the query API writes it:
 * 1. `window.__runtraceServed = { now, app }` in <head>, before the boot: the "now" the answers
 *    were read for, and the app's entry script. The boot then waits for the answers instead of
 *    asking (`servedAnswer`).
 * 2. `#first-screen` with the markup, then `__runtraceFirstScreen(shown)`: local times are
 *    written in this browser's time zone, the first-data mark is set on the next frame when it
 *    shows rows and numbers, and the app's entry is imported once it has been painted — not when
 *    the page ends, which waits for the counts.
 * 3. `__runtraceDeliver(path, status, body)`: the first page, its numbers, `/v1/about`, then —
 *    after the app's root — the counts, then the error groups.
 * An answer the page ends without (none rendered, a broken stream) is asked for as usual.
 */
import { fetchResponse } from "../api/client.ts";
import { startedCell } from "../format.ts";
import { afterPaint } from "./after-paint.ts";
import { FIRST_DATA_MARK, FIRST_SCREEN_ID } from "./marks.ts";

interface ServedGlobals {
  __runtraceServed?: { now?: unknown; app?: unknown };
  __runtraceDeliver?: (path: string, status: number, body: unknown) => void;
  __runtraceFirstScreen?: (shown: boolean) => void;
}

const globals = globalThis as unknown as ServedGlobals;
const waiting = new Map<string, (answer: Promise<Response>) => void>();

/** The "now" of a first screen the query API is sending; undefined when it sends none. */
export function servedNow(): number | undefined {
  const now = globals.__runtraceServed?.now;
  return typeof now === "number" && Number.isFinite(now) ? now : undefined;
}

/** The answer for `path` the query API sends further down the page. */
export function servedAnswer(path: string): Promise<Response> {
  install();
  return new Promise((resolve) => waiting.set(path, resolve));
}

/** Gives the boot's promise for `path` its answer, once. */
function settle(path: string, answer: Promise<Response>): void {
  const resolve = waiting.get(path);
  waiting.delete(path);
  resolve?.(answer);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  globals.__runtraceDeliver = (path, status, body) => {
    const headers = { "content-type": "application/json" };
    settle(path, Promise.resolve(new Response(JSON.stringify(body), { status, headers })));
  };
  globals.__runtraceFirstScreen = (shown) => {
    const screen = document.getElementById(FIRST_SCREEN_ID);
    if (screen) writeLocalTimes(screen, Date.now());
    if (shown) requestAnimationFrame(() => performance.mark(FIRST_DATA_MARK));
    const app = globals.__runtraceServed?.app;
    // The same URL as the page's module script: the module runs once, whichever comes first.
    if (typeof app === "string") afterPaint(() => void import(/* @vite-ignore */ app));
  };
  document.addEventListener("DOMContentLoaded", () => {
    for (const path of [...waiting.keys()]) settle(path, fetchResponse(path));
  });
}

/**
 * The server wrote times in its own time zone: each element marked with `data-local-time` (ms)
 * gets this browser's, as the app writes them (`startedCell`).
 */
export function writeLocalTimes(screen: HTMLElement, nowMs: number): void {
  for (const cell of screen.querySelectorAll<HTMLElement>("[data-local-time]")) {
    const ms = Number(cell.dataset.localTime);
    if (!Number.isFinite(ms)) continue;
    const { text, ago, title } = startedCell(ms, nowMs);
    cell.title = title;
    const [first, agoElement] = [cell.firstChild, cell.querySelector(".ago")];
    if (first?.nodeType === Node.TEXT_NODE) first.textContent = text;
    if (agoElement) agoElement.textContent = ago;
  }
}

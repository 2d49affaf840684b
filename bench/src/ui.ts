import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CHROMIUM_MISSING, findChromium, launchChromium } from "@runtrace/testkit-harness/chromium";
import type { Browser } from "playwright-core";
import { integerOption } from "./options.ts";
import { type QueryApi, startQueryApi } from "./query/api.ts";
import { parseShare, prepareData } from "./query/prepare.ts";
import { type Navigation, navigate, watchProblems } from "./ui/measure.ts";

/**
 * How long does the /runs page take to show its first page of runs over a large run history?
 * Fills embedded ClickHouse like the `query` benchmark (same generator, same defaults, so one
 * `--data-dir` serves both), starts `runtrace query-api` on it, and opens the page in headless
 * Chromium: each repeat in a new browser context (empty HTTP cache), then once more in the same
 * context (warm cache). The page sets the `runs:first-data` performance mark when its first
 * page of rows is on screen; the time is that mark's `startTime`, from the navigation's start.
 */

const GOAL_MS = 1000;
/** Issue 22's goal at 1M runs: first data cold p50 ≤ 200 ms, warm p50 ≤ 150 ms. */
const COLD_GOAL_MS = 200;
const WARM_GOAL_MS = 150;
const VIEWPORT = { width: 1280, height: 800 };

interface Options {
  executions: number;
  repeat: number;
  warmups: number;
  dataDir: string | undefined;
  traces: number;
  chunk: number;
  writePathShare: number;
  writePathInFlight: number;
  path: string;
  timeoutMillis: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      executions: { type: "string", default: "1000000" },
      repeat: { type: "string", default: "10" },
      warmups: { type: "string", default: "1" },
      "data-dir": { type: "string" },
      traces: { type: "string", default: "20000" },
      chunk: { type: "string", default: "1000000" },
      "write-path-share": { type: "string", default: "0.05" },
      "write-path-in-flight": { type: "string", default: "32" },
      path: { type: "string", default: "/runs" },
      "timeout-ms": { type: "string", default: "60000" },
    },
    strict: true,
  });
  if (!values.path.startsWith("/")) throw new Error(`--path: starts with /: ${values.path}`);
  return {
    executions: integerOption(values.executions, "--executions"),
    repeat: integerOption(values.repeat, "--repeat"),
    warmups: integerOption(values.warmups, "--warmups", 0),
    dataDir: values["data-dir"] === undefined ? undefined : resolve(values["data-dir"]),
    traces: integerOption(values.traces, "--traces"),
    chunk: integerOption(values.chunk, "--chunk"),
    writePathShare: parseShare(values["write-path-share"]),
    writePathInFlight: integerOption(values["write-path-in-flight"], "--write-path-in-flight"),
    path: values.path,
    timeoutMillis: integerOption(values["timeout-ms"], "--timeout-ms"),
  };
}

const ms = (n: number) => (Number.isNaN(n) ? "?" : `${Math.round(n)}`);
const kB = (n: number) => `${Math.round(n / 1000).toLocaleString("en-US")} kB`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The page answers at all (the query API serves query-api/ui/dist only once it is built). */
async function checkPage(url: string): Promise<void> {
  const res = await fetch(url);
  const type = res.headers.get("content-type") ?? "";
  await res.body?.cancel();
  if (res.status !== 200 || !type.includes("text/html")) {
    throw new Error(
      `GET ${url} answered ${res.status} (${type || "no content type"}), not the page: build it ` +
        "with `npm run build` (query-api/ui/dist) and check that the query API serves it",
    );
  }
}

function line(label: string, n: Navigation): string {
  const api = n.api.length
    ? `API ${ms(n.bootMs)}→${ms(n.bootMs + n.apiMs)} ms (${ms(n.apiMs)} ms, ${n.api.length} request${n.api.length > 1 ? "s" : ""}, ${kB(n.api.reduce((s, r) => s + r.encodedBodySize, 0))})`
    : "no /v1 request before first data";
  return (
    `  ${label}: first data ${ms(n.firstDataMs)} ms, interactive ${ms(n.interactiveMs)} ms | HTML ${ms(n.responseEndMs)} ms, ` +
    `DOMContentLoaded ${ms(n.domContentLoadedMs)} ms | ${api} | render ${ms(n.renderMs)} ms | ` +
    `${n.rows} rows | ${n.resources} resources, ${kB(n.transferBytes)} over the wire`
  );
}

interface Runs {
  cold: Navigation[];
  warm: Navigation[];
}

async function measure(browser: Browser, url: string, options: Options): Promise<Runs> {
  const runs: Runs = { cold: [], warm: [] };
  for (let i = -options.warmups; i < options.repeat; i++) {
    const context = await browser.newContext({ viewport: VIEWPORT });
    try {
      const page = await context.newPage();
      const problems = watchProblems(page);
      const cold = await navigate(page, url, options.timeoutMillis, problems);
      const warm = await navigate(page, url, options.timeoutMillis, problems);
      if (i < 0) {
        console.log(line("warm-up (not counted)", cold));
        continue;
      }
      if (i === 0) {
        console.log("  the page's API requests before its first data (first cold run):");
        for (const r of cold.api) {
          console.log(
            `    GET ${r.path} → ${r.status}: ${ms(r.startTime)}→${ms(r.responseEnd)} ms ` +
              `(first byte after ${ms(r.responseStart - r.startTime)} ms; Playwright: ${ms(r.playwrightMs)} ms)`,
          );
        }
      }
      console.log(line(`cold #${i + 1}`, cold));
      console.log(line(`warm #${i + 1}`, warm));
      runs.cold.push(cold);
      runs.warm.push(warm);
    } finally {
      await context.close();
    }
  }
  return runs;
}

function summary(runs: Runs): string[] {
  const rows: [string, (n: Navigation) => number][] = [
    ["first data (runs:first-data)", (n) => n.firstDataMs],
    ["interactive (runs:interactive)", (n) => n.interactiveMs],
    ["  HTML received (responseEnd)", (n) => n.responseEndMs],
    ["  DOMContentLoaded", (n) => n.domContentLoadedMs],
    ["  first /v1 request sent", (n) => n.bootMs],
    ["  /v1 requests (first start → last end)", (n) => n.apiMs],
    ["  render after the last answer", (n) => n.renderMs],
  ];
  const out: string[] = [];
  const head = ["", "cold p50", "min", "max", "warm p50", "min", "max"];
  const table = rows.map(([label, pick]) => {
    const cells = [label];
    for (const list of [runs.cold, runs.warm]) {
      const sorted = list.map(pick).sort((a, b) => a - b);
      cells.push(
        ms(percentile(sorted, 50)),
        ms(sorted[0] ?? Number.NaN),
        ms(sorted.at(-1) ?? Number.NaN),
      );
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const format = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  out.push(`${format(head)}   (ms since the navigation started)`);
  for (const r of table) out.push(format(r));
  return out;
}

export async function runUiBenchmark(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const executablePath = findChromium();
  if (executablePath === undefined) {
    console.error(`ui benchmark skipped: ${CHROMIUM_MISSING}`);
    process.exitCode = 1;
    return;
  }
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "runtrace-ui-bench-"));
  if (!temporary) {
    console.log(`data directory ${dataDir} (${existsSync(dataDir) ? "exists" : "new"}; kept)`);
  }
  let api: QueryApi | undefined;
  let browser: Browser | undefined;
  try {
    const prepared = await prepareData(dataDir, options);
    for (const text of prepared.lines) console.log(text);

    api = await startQueryApi(dataDir);
    const url = new URL(options.path, api.url).href;
    await checkPage(url);
    browser = await launchChromium(executablePath);
    console.log(
      `query API pid ${api.pid} on ${api.url.origin}; Chromium ${browser.version()} (${executablePath}); ` +
        `opening ${url} ${options.warmups} + ${options.repeat} times...`,
    );
    const runs = await measure(browser, url, options);
    await browser.close();
    browser = undefined;
    const code = await api.stop();
    api = undefined;
    if (code !== 0) throw new Error(`the query API exited with ${code}`);

    const cold = runs.cold.map((n) => n.firstDataMs).sort((a, b) => a - b);
    const p50 = percentile(cold, 50);
    const warmP50 = percentile(
      runs.warm.map((n) => n.firstDataMs).sort((a, b) => a - b),
      50,
    );
    console.log("");
    console.log(
      `ui benchmark: /runs first render with data (runtrace query-api process on embedded ` +
        `ClickHouse, headless Chromium, ${VIEWPORT.width}×${VIEWPORT.height}, node ${process.version}, ` +
        `${availableParallelism()} CPUs)`,
    );
    for (const text of prepared.lines) console.log(text);
    console.log(
      `navigations: ${options.repeat} in a new browser context each (cold: empty HTTP cache), each ` +
        `followed by a second one in the same context (warm); ${options.warmups} untimed warm-up(s) first`,
    );
    for (const text of summary(runs)) console.log(text);
    console.log(
      `goal: first render with data < ${GOAL_MS} ms: cold p50 ${ms(p50)} ms, max ${ms(cold.at(-1) ?? Number.NaN)} ms — ` +
        `${p50 < GOAL_MS ? "met" : "MISSED"} at ${options.executions.toLocaleString("en-US")} executions`,
    );
    console.log(
      `goal at 1M runs: cold p50 ≤ ${COLD_GOAL_MS} ms (${ms(p50)}: ${p50 <= COLD_GOAL_MS ? "met" : "MISSED"}), ` +
        `warm p50 ≤ ${WARM_GOAL_MS} ms (${ms(warmP50)}: ${warmP50 <= WARM_GOAL_MS ? "met" : "MISSED"})`,
    );
  } finally {
    await browser?.close();
    if (api) await api.stop();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}

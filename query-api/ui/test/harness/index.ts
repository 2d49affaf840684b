/**
 * @module
 * Plumbing of the /runs browser tests: the real server as a process, the demo and single runs
 * through the real OpenTelemetry SDK, the system's Chromium, and the page's test hooks.
 */

/** Data: the demo's mix of runs (examples/src/demo/run-demo.ts). */
export type { RunDemoOptions } from "../../../../examples/src/demo/run-demo.ts";
export { runDemo } from "../../../../examples/src/demo/run-demo.ts";
/** Chromium through playwright-core. */
export {
  CHROMIUM_ARGS,
  CHROMIUM_MISSING,
  CHROMIUM_PATHS,
  findChromium,
  launchChromium,
} from "./chromium.ts";
/** The page's hooks: the first-data mark, run rows, timings. */
export type { PageTimings, ResourceTiming } from "./page.ts";
export {
  FIRST_DATA_MARK,
  pageTimings,
  RUN_ROW_SELECTOR,
  waitForFirstData,
} from "./page.ts";
/** `runtrace start` / `runtrace query-api` processes. */
export type { AllInOneServer, RuntraceServer, ServerOptions } from "./server.ts";
export { startAllInOne, startQueryApiOnly } from "./server.ts";
/** Data: one run through the real SDK. */
export type { SubmitRunOptions, SubmittedRun } from "./submit-run.ts";
export { resumeRun, submitRun } from "./submit-run.ts";

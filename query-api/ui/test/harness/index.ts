/**
 * @module
 * Plumbing of the /runs browser tests: the real server as a process, the demo and single runs
 * through the real OpenTelemetry SDK, the system's Chromium, and the page's test hooks.
 */

/** Data: the demo's mix of runs (@runtrace/examples). */
export { type RunDemoOptions, runDemo } from "@runtrace/examples";
/** Chromium through playwright-core. */
export {
  CHROMIUM_ARGS,
  CHROMIUM_MISSING,
  CHROMIUM_PATHS,
  findChromium,
  launchChromium,
} from "@runtrace/testkit-harness/chromium";
/** The page's hooks: the first-data mark, run rows, timings. */
export type { PageTimings, ResourceTiming } from "@runtrace/testkit-harness/runs-page";
export {
  FIRST_DATA_MARK,
  INTERACTIVE_MARK,
  pageTimings,
  RUN_ROW_SELECTOR,
  waitForFirstData,
  waitForInteractive,
} from "@runtrace/testkit-harness/runs-page";
/** `runtrace start` / `runtrace query-api` processes. */
export type {
  AllInOneServer,
  RuntraceServer,
  ServerOptions,
} from "@runtrace/testkit-harness/runtrace-process";
export { startAllInOne, startQueryApiOnly } from "@runtrace/testkit-harness/runtrace-process";
/** Data: one run through the real SDK. */
export type { SubmitRunOptions, SubmittedRun } from "./submit-run.ts";
export { resumeRun, submitRun } from "./submit-run.ts";

/**
 * @module
 * The example runtime as a package: the QuickJS sandbox and its tools, and the demo's runs,
 * for the tests and benchmarks that drive a real instrumented runtime (`npm run demo` is
 * `src/demo.ts`).
 */
export { pauseForLater } from "./demo/answers.ts";
export { type ResumedRun, resumeInAnotherProcess } from "./demo/handoff.ts";
export { type RunDemoOptions, runDemo } from "./demo/run-demo.ts";
export { createSandbox, type ExecuteResult } from "./sandbox/index.ts";
export { createTools } from "./tools.ts";

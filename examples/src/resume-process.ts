/**
 * Resumes a paused execution in a process of its own: `tsx --conditions=runtrace-source
 * examples/src/resume-process.ts
 * <stateFile> [--endpoint URL]`. It starts its own telemetry, answers the interaction pending
 * at the pause, runs the continuation code (more tool calls) and completes the execution. The
 * last stdout line is `RESUMED {json}` for the process that spawned it.
 */
import { readFile } from "node:fs/promises";
import { DiagConsoleLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import { startTelemetry } from "@runtrace/sdk-node";
import { type PausedRunFile, RESUMED_PREFIX, type ResumedRun } from "./demo/handoff.ts";
import { parseDemoOptions } from "./demo/options.ts";
import { createSandbox } from "./sandbox/index.ts";
import { createTools } from "./tools.ts";

async function main(): Promise<number> {
  const [stateFile, ...flags] = process.argv.slice(2);
  if (stateFile === undefined || stateFile.startsWith("--")) {
    console.error(
      "usage: tsx --conditions=runtrace-source examples/src/resume-process.ts <stateFile> [--endpoint URL]",
    );
    return 2;
  }
  const { endpoint } = parseDemoOptions(flags, process.env);
  const file = JSON.parse(await readFile(stateFile, "utf8")) as PausedRunFile;
  if (file.version !== 1) throw new Error(`${stateFile}: unknown version ${String(file.version)}`);

  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  const telemetry = startTelemetry({ serviceName: "quickjs-sandbox", otlpEndpoint: endpoint });
  const sandbox = createSandbox({
    tools: createTools(),
    recordToolArgs: true,
    recordToolResults: true,
  });
  const result = await sandbox.resume(file.state, file.resume);
  await telemetry.shutdown();

  const report: ResumedRun = {
    pid: process.pid,
    status: result.status,
    executionId: result.executionId,
    traceId: result.traceId,
  };
  if (result.status === "completed") report.result = result.result;
  if (result.status === "failed" || result.status === "cancelled") report.error = result.error;
  for (const log of result.logs) console.log(`[resumed ${result.executionId}] ${log.message}`);
  console.log(`${RESUMED_PREFIX}${JSON.stringify(report)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

/**
 * Runs the demo (`examples/src/demo.ts`) as its own process against a collector, for tests that
 * need realistic data: test/deploy/dashboard.test.ts and the /runs browser tests
 * (query-api/ui/test/harness).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EXECUTION_STATUSES, type ExecutionStatus } from "@runtrace/semconv";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface RunDemoOptions {
  /** @default 12 */
  concurrency?: number;
  /** @default the demo's (42) */
  seed?: number;
}

/**
 * Runs `npm run demo -- --endpoint URL` to the end (about 20 s); resolves to the per-status
 * counts of its closing summary. Every span the demo reported is stored once it exits: its
 * telemetry shutdown waits for the collector's 200s. Rejects with the demo's output when it
 * exits with an error.
 */
export function runDemo(
  endpoint: string,
  options: RunDemoOptions = {},
): Promise<Record<ExecutionStatus, number>> {
  const args = [
    // The workspaces' sources, as everywhere in this repository (not the SDK's dist/).
    "--conditions=runtrace-source",
    `${ROOT}examples/src/demo.ts`,
    "--endpoint",
    endpoint,
    "--concurrency",
    String(options.concurrency ?? 12),
  ];
  if (options.seed !== undefined) args.push("--seed", String(options.seed));
  return new Promise((resolve, reject) => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`the demo exited with ${code}:\n${stdout}\n${stderr}`));
        return;
      }
      const counts = {} as Record<ExecutionStatus, number>;
      for (const status of EXECUTION_STATUSES) {
        const m = new RegExp(`^\\s+${status}\\s+(\\d+)$`, "m").exec(stdout);
        if (!m) {
          reject(new Error(`no "${status}" count in the demo's summary:\n${stdout}`));
          return;
        }
        counts[status] = Number(m[1]);
      }
      resolve(counts);
    });
  });
}

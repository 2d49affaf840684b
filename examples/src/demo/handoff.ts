/**
 * Handing a paused execution to another process: the state goes to a temp file and a separate
 * Node process (`resume-process.ts`, with its own telemetry) resumes it. That is what a real
 * service does when an approval arrives hours later on another machine.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecutionState } from "@runtrace/sdk";
import type { ErrorInfo, ResumeRequest } from "../sandbox/index.ts";

/** The temp file's content. */
export interface PausedRunFile {
  version: 1;
  state: ExecutionState;
  /** The answer the resuming process gives, and the code it runs next. */
  resume: Pick<ResumeRequest, "action" | "content" | "code">;
}

/** What the resuming process reports on its last stdout line, after `RESUMED `. */
export interface ResumedRun {
  pid: number;
  status: string;
  executionId: string;
  traceId: string;
  result?: unknown;
  error?: ErrorInfo;
}

export const RESUMED_PREFIX = "RESUMED ";

const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const RESUME_SCRIPT = fileURLToPath(new URL("../resume-process.ts", import.meta.url));

export async function resumeInAnotherProcess(
  file: PausedRunFile,
  endpoint: string,
): Promise<ResumedRun> {
  const dir = await mkdtemp(join(tmpdir(), "runtrace-demo-"));
  const path = join(dir, "paused-execution.json");
  try {
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
    const output = await run(TSX, [
      "--conditions=runtrace-source",
      RESUME_SCRIPT,
      path,
      "--endpoint",
      endpoint,
    ]);
    const line = output
      .split("\n")
      .reverse()
      .find((text) => text.startsWith(RESUMED_PREFIX));
    if (line === undefined) throw new Error("the resuming process reported no result");
    return JSON.parse(line.slice(RESUMED_PREFIX.length)) as ResumedRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}`));
    });
  });
}

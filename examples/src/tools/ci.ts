/** `ci.*`: a fake CI system whose pipelines take seconds (and one that never finishes). */
import type { ToolHandler } from "../sandbox/index.ts";
import {
  hash,
  latency,
  longWait,
  optionalNumber,
  optionalString,
  requireString,
  ToolError,
} from "./support.ts";

export const ciTools: Record<string, ToolHandler> = {
  "ci.pipeline.run": async (args) => {
    const repo = requireString(args, "repo");
    const branch = optionalString(args, "branch") ?? "main";
    const started = Date.now();
    await latency(`ci.pipeline.run ${repo} ${branch}`, 1200, 3000);
    const id = `pl_${hash(`${repo}@${branch}`).toString(36)}`;
    if (branch === "broken-build") {
      throw new ToolError(
        "PipelineFailedError",
        `${id}: job "test" failed: 3 failing tests in checkout.spec.ts`,
      );
    }
    return {
      id,
      repo,
      branch,
      status: "passed",
      durationMs: Date.now() - started,
      jobs: ["lint", "test", "build"].map((name) => ({ name, status: "passed" })),
    };
  },

  /** Waits for a deploy pipeline that outlives the demo (in-progress runs). */
  "ci.pipeline.wait": async (args) => {
    const id = requireString(args, "id");
    const minutes = optionalNumber(args, "minutes", 30);
    await longWait(minutes * 60_000);
    return { id, status: "passed" };
  },
};

import { context } from "@opentelemetry/api";
import {
  type CreateExecutionOptions,
  createExecution,
  type StartOptions,
} from "./create-execution.ts";
import type { Execution } from "./execution.ts";
import { type ExecutionRecorderOptions, type RecorderCore, resolveOptions } from "./options.ts";
import { type ResumeOptions, resumeExecution } from "./resume-execution.ts";
import type { ExecutionState } from "./state.ts";

/** Records executions as OpenTelemetry spans and metrics. */
export interface ExecutionRecorder {
  /** Creates an execution, `running` unless `{ start: false }` makes it `pending`. */
  create(options: CreateExecutionOptions, startOptions?: StartOptions): Execution;
  /**
   * Runs `fn` as one execution, in the segment span's context. Completes it with `fn`'s value or
   * fails it with what `fn` throws (and rethrows it) — unless `fn` already ended or paused it.
   */
  run<T>(
    options: CreateExecutionOptions,
    fn: (execution: Execution) => T | PromiseLike<T>,
  ): Promise<Awaited<T>>;
  /** Continues an execution from the state `pause()` returned, possibly in another process. */
  resume(state: ExecutionState, options?: ResumeOptions): Execution;
}

/**
 * Creates a recorder. It uses only `@opentelemetry/api`: register an SDK (e.g. `startTelemetry`)
 * or pass a `tracer` and `meter`.
 *
 * @example
 * ```ts
 * const recorder = createExecutionRecorder({ runtime: "quickjs" });
 * const result = await recorder.run({ scopeId: "ws_1", code }, (exec) =>
 *   exec.toolCall({ path: "github.issues.create", args }, () => github.issues.create(args)),
 * );
 * ```
 */
export function createExecutionRecorder(options: ExecutionRecorderOptions = {}): ExecutionRecorder {
  const core = resolveOptions(options);
  return {
    create: (createOptions, startOptions) => createExecution(core, createOptions, startOptions),
    resume: (state, resumeOptions) => resumeExecution(core, state, resumeOptions),
    run: (createOptions, fn) => runExecution(core, createOptions, fn),
  };
}

async function runExecution<T>(
  core: RecorderCore,
  options: CreateExecutionOptions,
  fn: (execution: Execution) => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  const execution = createExecution(core, options);
  let result: Awaited<T>;
  try {
    result = await context.with(execution.context, fn, undefined, execution);
  } catch (error) {
    if (!execution.ended) execution.fail(error);
    throw error;
  }
  if (!execution.ended) execution.complete(result);
  return result;
}

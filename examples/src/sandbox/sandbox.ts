/**
 * The instrumented runtime: each submission is one runtrace execution, each `tools.*` call one
 * tool call, each `elicit` one interaction, and the QuickJS work one `executor.code.exec.quickjs`
 * span inside the execution.
 */
import { type Meter, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import {
  createExecutionRecorder,
  type Execution,
  type ExecutionRecorder,
  type ExecutionState,
} from "@runtrace/sdk";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXECUTION_ID,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  codeExecSpanName,
} from "@runtrace/semconv";
import { ExecutionCancelledError, ExecutionPausedSignal, errorInfo } from "./errors.ts";
import { createHost, RunLogs } from "./host.ts";
import type {
  ExecuteRequest,
  ExecuteResult,
  QueuedExecution,
  ResumeRequest,
  RunLimits,
  ToolRegistry,
} from "./types.ts";
import { runInVm, type VmControl, type VmOutcome } from "./vm.ts";

/** `executor.runtime` of every execution this sandbox records. */
export const RUNTIME = "quickjs";

export interface SandboxOptions {
  tools: ToolRegistry;
  /**
   * Tracer of the execution, tool, interaction and code spans.
   * @default the global tracer provider's
   */
  tracer?: Tracer;
  /** @default the global meter provider's (looked up at the first recording) */
  meter?: Meter;
  /** Record tool arguments on tool spans. @default false */
  recordToolArgs?: boolean;
  /** Record tool results on tool spans. @default false */
  recordToolResults?: boolean;
  /** @default 5000 */
  timeoutMillis?: number;
  /** QuickJS heap limit per run. @default 32 MiB */
  memoryLimitBytes?: number;
  /**
   * QuickJS stack limit per run. Kept well below V8's own stack, so runaway recursion is a
   * QuickJS `InternalError: stack overflow` rather than a host stack overflow.
   * @default 256 KiB
   */
  maxStackBytes?: number;
  /** Log lines kept per run (console spam must not flood the trace). @default 500 */
  maxLogLines?: number;
}

export interface Sandbox {
  readonly recorder: ExecutionRecorder;
  /** Runs the code as a new execution. Never rejects: failures are in the result. */
  execute(request: ExecuteRequest): Promise<ExecuteResult>;
  /** Accepts the code as a `pending` execution that runs when `start()` is called. */
  enqueue(request: ExecuteRequest): QueuedExecution;
  /** Continues a paused execution (its `state`), possibly in another process. */
  resume(state: ExecutionState, request: ResumeRequest): Promise<ExecuteResult>;
}

const ATTR_QUICKJS_TIMEOUT = "quickjs.timeout_ms";
const ATTR_QUICKJS_MEMORY_LIMIT = "quickjs.memory_limit_bytes";
const ATTR_QUICKJS_MEMORY_USED = "quickjs.memory_used_bytes";

export function createSandbox(options: SandboxOptions): Sandbox {
  const tracer = options.tracer ?? trace.getTracer("@runtrace/examples");
  const recorder = createExecutionRecorder({
    tracer,
    meter: options.meter,
    runtime: RUNTIME,
    recordToolArgs: options.recordToolArgs ?? false,
    recordToolResults: options.recordToolResults ?? false,
  });
  const tools = options.tools;
  const toolPaths = Object.keys(tools).sort();
  const memoryLimitBytes = options.memoryLimitBytes ?? 32 * 1024 * 1024;
  const maxStackBytes = options.maxStackBytes ?? 256 * 1024;
  const maxLogLines = options.maxLogLines ?? 500;

  async function runCode(
    execution: Execution,
    scopeId: string,
    code: string,
    limits: RunLimits,
    globals?: Record<string, unknown>,
  ): Promise<ExecuteResult> {
    const started = Date.now();
    const timeoutMillis = limits.timeoutMillis ?? options.timeoutMillis ?? 5000;
    const controller = new AbortController();
    const onCallerAbort = () =>
      controller.abort(new ExecutionCancelledError(reasonText(limits.signal?.reason)));
    if (limits.signal?.aborted) onCallerAbort();
    limits.signal?.addEventListener("abort", onCallerAbort, { once: true });

    const span = tracer.startSpan(
      codeExecSpanName(RUNTIME),
      {
        attributes: {
          [ATTR_EXECUTION_ID]: execution.id,
          [ATTR_SCOPE_ID]: scopeId,
          [ATTR_RUNTIME]: RUNTIME,
          [ATTR_QUICKJS_TIMEOUT]: timeoutMillis,
          [ATTR_QUICKJS_MEMORY_LIMIT]: memoryLimitBytes,
        },
      },
      execution.context,
    );

    const logs = new RunLogs(execution, maxLogLines);
    const host = (control: VmControl) =>
      createHost({
        execution,
        scopeId,
        tools,
        onElicitation: limits.onElicitation,
        control,
        stop: (reason: Error) => controller.abort(reason),
        logs,
      });

    let outcome: VmOutcome;
    try {
      outcome = await runInVm({
        code,
        toolPaths,
        globals,
        host,
        limits: { timeoutMillis, memoryLimitBytes, maxStackBytes },
        signal: controller.signal,
      });
    } catch (error) {
      // QuickJS itself could not start (the WebAssembly failed to load, no memory for a
      // runtime): still one failed execution, never a rejected `execute`.
      outcome = { ok: false, error };
    }
    limits.signal?.removeEventListener("abort", onCallerAbort);
    logs.close();

    if (outcome.memoryUsedBytes !== undefined) {
      span.setAttribute(ATTR_QUICKJS_MEMORY_USED, outcome.memoryUsedBytes);
    }
    const base = {
      executionId: execution.id,
      traceId: execution.traceId,
      logs: logs.entries,
      durationMillis: Date.now() - started,
    };
    if (outcome.ok) {
      span.end();
      execution.complete(outcome.value);
      return { ...base, status: "completed", result: outcome.value };
    }
    const { error } = outcome;
    // The code span ends before the execution: a child never outlives its parent.
    if (error instanceof ExecutionPausedSignal) {
      span.end();
      return { ...base, status: "paused", state: execution.pause() };
    }
    if (error instanceof ExecutionCancelledError) {
      span.end();
      execution.cancel(error.message);
      return { ...base, status: "cancelled", error: errorInfo(error) };
    }
    const info = errorInfo(error);
    span.setAttribute(ATTR_ERROR_TYPE, info.name);
    span.recordException(
      error instanceof Error ? error : { name: info.name, message: info.message },
    );
    span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
    span.end();
    execution.fail(error);
    return { ...base, status: "failed", error: info };
  }

  return {
    recorder,
    execute(request) {
      const execution = recorder.create(createOptions(request));
      return runCode(execution, request.scopeId, request.code, request);
    },
    enqueue(request) {
      const execution = recorder.create(createOptions(request), { start: false });
      let started = false;
      return {
        executionId: execution.id,
        traceId: execution.traceId,
        start() {
          if (started)
            return Promise.reject(new Error(`execution ${execution.id} already started`));
          started = true;
          execution.start();
          return runCode(execution, request.scopeId, request.code, request);
        },
      };
    },
    async resume(state, request) {
      const execution = recorder.resume(state, { action: request.action });
      const pending = execution.pendingInteraction;
      const answer = { action: request.action, content: request.content };
      if (request.action !== "accept") {
        pending?.cancel(answer);
        const cancelled = new ExecutionCancelledError();
        execution.cancel(cancelled.message);
        const base = { executionId: execution.id, traceId: execution.traceId, logs: [] };
        return { ...base, durationMillis: 0, status: "cancelled", error: errorInfo(cancelled) };
      }
      pending?.resolve(answer);
      return runCode(execution, state.scopeId, request.code, request, { resumed: answer });
    },
  };
}

function createOptions(request: ExecuteRequest) {
  return {
    scopeId: request.scopeId,
    code: request.code,
    trigger: request.trigger,
    id: request.id,
  };
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? "Execution cancelled" : String(reason);
}

/**
 * One new execution, recorded the way a real runtime records it: the example QuickJS sandbox
 * (examples/src/sandbox) with the demo's tools, instrumented by @runtrace/sdk, exported by the
 * OpenTelemetry Node SDK (`startTelemetry`) over OTLP/HTTP to a running collector.
 */
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import {
  createSandbox,
  createTools,
  type ExecuteResult,
  pauseForLater,
  type ResumedRun,
  resumeInAnotherProcess,
} from "@runtrace/examples";
import type { ExecutionState, ExecutionTrigger } from "@runtrace/sdk";
import { startTelemetry } from "@runtrace/sdk-node";

export interface SubmitRunOptions {
  /**
   * The run's JavaScript: the body of an async function, whose return value is the result.
   * It may call the demo's tools (`await tools.github.issues.list({ repo: "acme/web" })`),
   * `console.log`, and throw to fail. Make it distinctive (`return "live-probe-7"`) to find the
   * run with the list's `code` filter or on the page.
   */
  code: string;
  /** @default "ws_acme" (one of the demo's scopes) */
  scopeId?: string;
  /** @default { kind: "cli" } */
  trigger?: ExecutionTrigger;
  /** Time the code may run. @default 5000 */
  timeoutMillis?: number;
  /** `service.name` of the telemetry. @default "quickjs-sandbox" (the demo's) */
  serviceName?: string;
  /**
   * Nobody answers the code's `elicit(…)` here: the run pauses and is stored as
   * `waiting_for_interaction`; {@link resumeRun} finishes it later, from another process.
   */
  pauseAtElicitation?: boolean;
}

/** The finished run, as the sandbox reported it. */
export interface SubmittedRun {
  executionId: string;
  traceId: string;
  /** `completed`, `failed` or `cancelled` (`paused` only for code that elicits). */
  status: ExecuteResult["status"];
  durationMillis: number;
  /** The code's return value, when it completed. */
  result?: unknown;
  /** The paused execution, for {@link resumeRun}. */
  state?: ExecutionState;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `options.code` as one new execution in the QuickJS sandbox and sends its spans and
 * metrics to the collector at `collectorUrl` (`http://127.0.0.1:<port>`). Resolves once the
 * telemetry is shut down, that is once the collector answered 200 for every span: the run is
 * then stored and the query API lists it. Rejects when the export failed.
 *
 * It starts the OpenTelemetry SDK in this process for the duration of the call (the SDK
 * registers the global tracer and meter providers, the context manager and the propagator) and
 * unregisters it afterwards, so calls run one at a time and the calling process must not run
 * an OpenTelemetry SDK of its own. Takes about 0.25–0.35 s for a run without tools (SDK start,
 * QuickJS, the OTLP export and the collector's insert); tools add their own delays.
 */
export function submitRun(collectorUrl: string, options: SubmitRunOptions): Promise<SubmittedRun> {
  const run = queue.then(() => submitOne(collectorUrl, options));
  queue = run.catch(() => undefined);
  return run;
}

async function submitOne(collectorUrl: string, options: SubmitRunOptions): Promise<SubmittedRun> {
  const telemetry = startTelemetry({
    serviceName: options.serviceName ?? "quickjs-sandbox",
    otlpEndpoint: collectorUrl,
  });
  let outcome: ExecuteResult;
  try {
    // Built after the SDK is registered: the sandbox takes its tracer from the global provider.
    const sandbox = createSandbox({
      tools: createTools(),
      recordToolArgs: true,
      recordToolResults: true,
      timeoutMillis: options.timeoutMillis ?? 5000,
    });
    outcome = await sandbox.execute({
      scopeId: options.scopeId ?? "ws_acme",
      code: options.code,
      trigger: options.trigger ?? { kind: "cli" },
      ...(options.pauseAtElicitation ? { onElicitation: pauseForLater } : {}),
    });
  } finally {
    try {
      // Exports every ended span and the metrics; rejects when the collector refused them.
      await telemetry.shutdown();
    } finally {
      trace.disable();
      metrics.disable();
      context.disable();
      propagation.disable();
    }
  }
  return {
    executionId: outcome.executionId,
    traceId: outcome.traceId,
    status: outcome.status,
    durationMillis: outcome.durationMillis,
    ...(outcome.status === "completed" ? { result: outcome.result } : {}),
    ...(outcome.status === "paused" ? { state: outcome.state } : {}),
  };
}

/**
 * Answers a run paused by {@link submitRun} (`pauseAtElicitation`) with `content` and runs
 * `code` after it, in another Node process with telemetry of its own (the demo's
 * resume-process.ts), as a service does when an approval arrives later elsewhere. Resolves
 * once that process exported the run's end.
 */
export function resumeRun(
  collectorUrl: string,
  state: ExecutionState,
  resume: { content: Record<string, unknown>; code: string },
): Promise<ResumedRun> {
  return resumeInAnotherProcess(
    { version: 1, state, resume: { action: "accept", content: resume.content, code: resume.code } },
    collectorUrl,
  );
}

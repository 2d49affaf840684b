import {
  context,
  diag,
  isSpanContextValid,
  type Link,
  type SpanContext,
  trace,
} from "@opentelemetry/api";
import { isExecutionStatus, isTerminalStatus } from "@runtrace/semconv";
import { inertExecution } from "./create-execution.ts";
import { Execution } from "./execution.ts";
import { guard } from "./guard.ts";
import type { RecorderCore } from "./options.ts";
import type { ExecutionRecord } from "./record.ts";
import { emitState, startSegment } from "./segment.ts";
import { type ExecutionState, invalidStateReason } from "./state.ts";

/** How a paused execution continues. */
export interface ResumeOptions {
  /** The seed's resume action (`accept`, `decline`, `cancel`), recorded as `executor.resume.action`. */
  action?: string;
}

/**
 * Continues a paused execution in a new segment: an `executor.execution.resume` span that is a
 * child of, and links to, the paused segment's span (same trace), then a `running` state span.
 */
export function resumeExecution(
  core: RecorderCore,
  state: ExecutionState,
  options: ResumeOptions = {},
): Execution {
  const loose = state as unknown as Partial<Record<string, unknown>> | null | undefined;
  const reason = guard("checking the state", () => invalidStateReason(state), "unreadable");
  if (reason !== undefined) {
    diag.error(`@runtrace/sdk: cannot resume execution: ${reason}; it is not recorded`);
    const status = isExecutionStatus(loose?.status) ? loose.status : "running";
    return inertExecution(core, loose?.id, loose?.scopeId, status);
  }
  if (isTerminalStatus(state.status)) {
    diag.warn(`@runtrace/sdk: execution ${state.id} already ended (${state.status}); not resumed`);
    return inertExecution(core, state.id, state.scopeId, state.status);
  }
  try {
    const time = core.now();
    const record = recordFromState(state, time, options.action);
    const previous: SpanContext = { ...state.spanContext, isRemote: true };
    const valid = isSpanContextValid(previous);
    // The resume segment continues the paused one's trace as its child, even in another process.
    const parent = valid ? trace.setSpanContext(context.active(), previous) : context.active();
    const links: Link[] = valid ? [{ context: previous }] : [];
    const segment = startSegment(core, record, time, parent, links);
    const execution = new Execution(core, record, segment);
    guard("emitting the resumed state", () => emitState(core, record, segment, time), undefined);
    return execution;
  } catch (error) {
    diag.error("@runtrace/sdk: resuming an execution failed; it is not recorded", error);
    return inertExecution(core, state.id, state.scopeId, "running");
  }
}

function recordFromState(
  state: ExecutionState,
  time: number,
  action: string | undefined,
): ExecutionRecord {
  return {
    id: state.id,
    scopeId: state.scopeId,
    code: { ...state.code },
    triggerKind: state.triggerKind,
    triggerMeta: state.triggerMeta === undefined ? undefined : { ...state.triggerMeta },
    runtime: state.runtime,
    createdAt: state.createdAt,
    // A run paused before it ever started begins running now.
    startedAt: state.startedAt ?? time,
    status: "running",
    toolCallCount: state.toolCallCount,
    // States written before per-path counts existed have none: the paths start empty.
    toolPathCalls: new Map(state.toolPathCalls ?? []),
    activeToolCalls: new Map(),
    reports: { listed: new Set() },
    interactionCount: state.interactionCount,
    seq: state.seq,
    segment: state.segment + 1,
    priorLogs: state.logs.map((line) => ({ ...line })),
    logs: [],
    resumeAction: action === undefined ? undefined : String(action),
    pendingInteraction:
      state.pendingInteraction === undefined
        ? undefined
        : {
            ...state.pendingInteraction,
            ...(state.pendingInteraction.payload === undefined
              ? {}
              : { payload: { ...state.pendingInteraction.payload } }),
          },
  };
}

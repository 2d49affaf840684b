import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXECUTION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  MAX_RECORDED_TOOL_PATHS,
  type ToolCallStatus,
  toolNamespace,
  toolSpanName,
} from "@runtrace/semconv";
import { guard } from "./guard.ts";
import { recordToolCallOutcome } from "./instruments.ts";
import type { RecorderCore } from "./options.ts";
import type { ExecutionRecord } from "./record.ts";
import { emitState, type Segment, segmentParent } from "./segment.ts";
import {
  encodeJson,
  errorMessage,
  errorType,
  setEncoded,
  toException,
  truncateUtf8,
} from "./values.ts";

/** A tool invocation made by the execution's code. */
export interface ToolCallOptions {
  /** Dotted tool path, e.g. `github.issues.create`. */
  path: string;
  /** Arguments, recorded as JSON only when the recorder has `recordToolArgs`. */
  args?: unknown;
  /**
   * Tool namespace.
   * @default toolNamespace(path): the first dotted segment of the path
   */
  namespace?: string;
}

interface StartedToolCall {
  readonly id: string;
  readonly span: Span;
  readonly path: string;
  readonly namespace: string;
  readonly scopeId: string;
  readonly startTime: number;
}

/**
 * Runs `fn` as one tool call of the execution: an `execute_tool {path}` span (the child of the
 * segment span) around it, `fn` running in that span's context so its own spans nest below.
 * The tool's result or error passes through untouched; recording failures are swallowed.
 */
export async function recordToolCall<T>(
  core: RecorderCore,
  record: ExecutionRecord,
  segment: Segment,
  call: ToolCallOptions,
  fn: () => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  const started = guard(
    "tool call start",
    () => startToolCall(core, record, segment, call),
    undefined,
  );
  if (started === undefined) return await fn();
  scheduleReport(core, record, segment);
  let result: Awaited<T>;
  try {
    result = await context.with(trace.setSpan(context.active(), started.span), fn);
  } catch (error) {
    callEnded(record, started.id);
    guard("tool call end", () => endToolCall(core, started, "failed", { error }), undefined);
    throw error;
  }
  callEnded(record, started.id);
  guard("tool call end", () => endToolCall(core, started, "completed", { result }), undefined);
  return result;
}

/**
 * A call's span is exported only when it ends. Calls still running `reportRunningToolCallsAfterMs`
 * after the first of them started get one state span listing every call in flight, so history
 * shows what the run is doing now: one timer per run, so a burst of slow calls costs one
 * snapshot, and short calls cost nothing.
 */
function scheduleReport(core: RecorderCore, record: ExecutionRecord, segment: Segment): void {
  const after = core.reportRunningToolCallsAfterMs;
  if (after === null || record.reports.timer !== undefined) return;
  const timer = setTimeout(() => {
    record.reports.timer = undefined;
    guard(
      "reporting a running tool call",
      () => {
        const unreported = [...record.activeToolCalls.keys()].filter(
          (id) => !record.reports.listed.has(id),
        );
        if (segment.ended || unreported.length === 0) return;
        for (const id of record.activeToolCalls.keys()) record.reports.listed.add(id);
        emitState(core, record, segment, core.now());
      },
      undefined,
    );
  }, after);
  // A sandbox waiting only for this report must not be kept alive by it.
  timer.unref?.();
  record.reports.timer = timer;
}

/** Takes an ended call off the run's calls in flight; the last one cancels a pending report. */
function callEnded(record: ExecutionRecord, id: string): void {
  record.activeToolCalls.delete(id);
  record.reports.listed.delete(id);
  if (record.activeToolCalls.size === 0 && record.reports.timer !== undefined) {
    clearTimeout(record.reports.timer);
    record.reports.timer = undefined;
  }
}

function startToolCall(
  core: RecorderCore,
  record: ExecutionRecord,
  segment: Segment,
  call: ToolCallOptions,
): StartedToolCall {
  const path = String(call.path);
  const namespace = call.namespace ?? toolNamespace(path);
  const startTime = core.now();
  const id = globalThis.crypto.randomUUID();
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
    [ATTR_GEN_AI_TOOL_NAME]: path,
    [ATTR_GEN_AI_TOOL_CALL_ID]: id,
    [ATTR_TOOL_PATH]: path,
    [ATTR_TOOL_NAMESPACE]: namespace,
    [ATTR_EXECUTION_ID]: record.id,
    [ATTR_SCOPE_ID]: record.scopeId,
  };
  if (core.recordToolArgs) {
    setEncoded(attributes, ATTR_TOOL_ARGS, encodeJson(call.args, core.maxValueBytes));
  }
  const span = core.tracer.startSpan(
    toolSpanName(path),
    { kind: SpanKind.INTERNAL, startTime, attributes },
    segmentParent(segment),
  );
  record.toolCallCount += 1;
  countToolPath(record, path);
  record.activeToolCalls.set(id, { path, startedAt: startTime });
  return { id, span, path, namespace, scopeId: record.scopeId, startTime };
}

/** Counts a call of `path`; a path beyond the first `MAX_RECORDED_TOOL_PATHS` is not recorded. */
function countToolPath(record: ExecutionRecord, path: string): void {
  const calls = record.toolPathCalls.get(path);
  if (calls !== undefined) record.toolPathCalls.set(path, calls + 1);
  else if (record.toolPathCalls.size < MAX_RECORDED_TOOL_PATHS) record.toolPathCalls.set(path, 1);
}

function endToolCall(
  core: RecorderCore,
  call: StartedToolCall,
  status: ToolCallStatus,
  outcome: { result?: unknown; error?: unknown },
): void {
  const endTime = core.now();
  const { span } = call;
  const attributes: Attributes = { [ATTR_TOOL_STATUS]: status };
  if (status === "failed") {
    const message = truncateUtf8(errorMessage(outcome.error), core.maxValueBytes);
    setEncoded(attributes, ATTR_TOOL_ERROR, message);
    attributes[ATTR_ERROR_TYPE] = errorType(outcome.error);
    span.recordException(toException(outcome.error), endTime);
    span.setStatus({ code: SpanStatusCode.ERROR, message: message.value });
  } else if (core.recordToolResults) {
    setEncoded(attributes, ATTR_TOOL_RESULT, encodeJson(outcome.result, core.maxValueBytes));
  }
  span.setAttributes(attributes);
  span.end(endTime);
  recordToolCallOutcome(core.instruments(), {
    path: call.path,
    namespace: call.namespace,
    status,
    scopeId: call.scopeId,
    durationMs: endTime - call.startTime,
  });
}

import type { SpanContext } from "@opentelemetry/api";
import {
  type ExecutionStatus,
  INTERACTION_KINDS,
  isExecutionStatus,
  MAX_RECORDED_TOOL_PATHS,
} from "@runtrace/semconv";
import type { ExecutionRecord, LogLine, PendingInteraction } from "./record.ts";
import type { EncodedValue } from "./values.ts";

/** Format version of {@link ExecutionState}. */
export const EXECUTION_STATE_VERSION = 1;

/**
 * A paused execution, as returned by `pause()` and taken by `resume()`: a plain, JSON-serializable
 * object the runtime stores with its own continuation (possibly for another process). Treat it as
 * opaque; `version` lets a later SDK refuse a format it does not know.
 */
export interface ExecutionState {
  version: typeof EXECUTION_STATE_VERSION;
  id: string;
  scopeId: string;
  /** Code as recorded (already cut at `maxValueBytes`). */
  code: EncodedValue;
  triggerKind?: string;
  /** Trigger metadata JSON as recorded. */
  triggerMeta?: EncodedValue;
  runtime?: string;
  /** Status at the pause: `waiting_for_interaction` with a pending interaction, else `running`. */
  status: ExecutionStatus;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; absent if it never ran. */
  startedAt?: number;
  toolCallCount: number;
  /**
   * `[path, calls]` per tool path, in order of first call (at most `MAX_RECORDED_TOOL_PATHS`).
   * Absent in states written before it existed; they resume with no recorded paths.
   */
  toolPathCalls?: [path: string, calls: number][];
  interactionCount: number;
  /** Last snapshot sequence number; the next segment continues above it. */
  seq: number;
  /** Number of the paused segment. */
  segment: number;
  /** Every log line so far, oldest first. */
  logs: LogLine[];
  /** The paused segment's span: parent of, and linked from, the resume span. */
  spanContext: { traceId: string; spanId: string; traceFlags: number };
  /** The interaction the execution was waiting on, if any. */
  pendingInteraction?: PendingInteraction;
}

/** The paused state of `record`, whose current segment span is `spanContext`. */
export function toState(record: ExecutionRecord, spanContext: SpanContext): ExecutionState {
  // Fresh copies only: the state must not change if the paused handle keeps being used.
  const state: ExecutionState = {
    version: EXECUTION_STATE_VERSION,
    id: record.id,
    scopeId: record.scopeId,
    code: { ...record.code },
    status: record.status,
    createdAt: record.createdAt,
    toolCallCount: record.toolCallCount,
    toolPathCalls: [...record.toolPathCalls],
    interactionCount: record.interactionCount,
    seq: record.seq,
    segment: record.segment,
    logs: [...record.priorLogs, ...record.logs].map((line) => ({ ...line })),
    spanContext: {
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      traceFlags: spanContext.traceFlags,
    },
  };
  if (record.triggerKind !== undefined) state.triggerKind = record.triggerKind;
  if (record.triggerMeta !== undefined) state.triggerMeta = { ...record.triggerMeta };
  if (record.runtime !== undefined) state.runtime = record.runtime;
  if (record.startedAt !== undefined) state.startedAt = record.startedAt;
  const pending = record.pendingInteraction;
  if (pending !== undefined) {
    state.pendingInteraction = { id: pending.id, kind: pending.kind, createdAt: pending.createdAt };
    if (pending.purpose !== undefined) state.pendingInteraction.purpose = pending.purpose;
    if (pending.payload !== undefined) state.pendingInteraction.payload = { ...pending.payload };
  }
  return state;
}

/** Why `value` is not a usable {@link ExecutionState}, or undefined when it is. */
export function invalidStateReason(value: unknown): string | undefined {
  if (!isObject(value)) return "not an object";
  if (value.version !== EXECUTION_STATE_VERSION) {
    return `unsupported version ${String(value.version)} (expected ${EXECUTION_STATE_VERSION})`;
  }
  const problems: string[] = [];
  const check = (ok: boolean, field: string) => ok || problems.push(field);
  check(isString(value.id), "id");
  check(isString(value.scopeId), "scopeId");
  check(isEncoded(value.code), "code");
  check(value.triggerKind === undefined || isString(value.triggerKind), "triggerKind");
  check(value.triggerMeta === undefined || isEncoded(value.triggerMeta), "triggerMeta");
  check(value.runtime === undefined || isString(value.runtime), "runtime");
  check(isExecutionStatus(value.status), "status");
  check(isNumber(value.createdAt), "createdAt");
  check(value.startedAt === undefined || isNumber(value.startedAt), "startedAt");
  for (const field of ["toolCallCount", "interactionCount", "seq", "segment"] as const) {
    check(Number.isInteger(value[field]), field);
  }
  check(value.toolPathCalls === undefined || isToolPathCalls(value.toolPathCalls), "toolPathCalls");
  check(Array.isArray(value.logs) && value.logs.every(isLogLine), "logs");
  check(isSpanContext(value.spanContext), "spanContext");
  check(
    value.pendingInteraction === undefined || isPendingInteraction(value.pendingInteraction),
    "pendingInteraction",
  );
  return problems.length === 0 ? undefined : `invalid ${problems.join(", ")}`;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isString(value: unknown): value is string {
  return typeof value === "string";
}
function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
function isEncoded(value: unknown): value is EncodedValue {
  return isObject(value) && isString(value.value) && typeof value.truncated === "boolean";
}
function isLogLine(value: unknown): value is LogLine {
  return (
    isObject(value) && isNumber(value.time) && isString(value.severity) && isString(value.message)
  );
}
/** At most `MAX_RECORDED_TOOL_PATHS` distinct paths, each with a positive integer count. */
function isToolPathCalls(value: unknown): value is [string, number][] {
  if (!Array.isArray(value) || value.length > MAX_RECORDED_TOOL_PATHS) return false;
  const paths = new Set<string>();
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2) return false;
    const [path, calls] = entry as unknown[];
    if (!isString(path) || paths.has(path)) return false;
    if (!Number.isInteger(calls) || (calls as number) < 1) return false;
    paths.add(path);
  }
  return true;
}
function isSpanContext(value: unknown): boolean {
  return (
    isObject(value) &&
    isString(value.traceId) &&
    isString(value.spanId) &&
    Number.isInteger(value.traceFlags)
  );
}
function isPendingInteraction(value: unknown): value is PendingInteraction {
  return (
    isObject(value) &&
    isString(value.id) &&
    (INTERACTION_KINDS as readonly unknown[]).includes(value.kind) &&
    (value.purpose === undefined || isString(value.purpose)) &&
    (value.payload === undefined || isEncoded(value.payload)) &&
    isNumber(value.createdAt)
  );
}

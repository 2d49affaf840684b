import type { SpanInput } from "@runtrace/model";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT,
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_PRIOR_LOGS,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEGMENT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  EVENT_LOG,
  type ExecutionStatus,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  isExecutionStatus,
  isTerminalStatus,
  MAX_EPOCH_MS,
  MIN_EPOCH_MS,
  SEED_INTERACTION_KIND_ALIASES,
  SEED_SPAN_TOOL_PREFIX,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
  SPAN_INTERACTION,
  SPAN_TOOL_PREFIX,
  TRIGGER_UNKNOWN,
  toolNamespace,
  truncatedFlag,
} from "@runtrace/semconv";
import type { ExecutionRow, InteractionRow, RejectReason, SpanRows, ToolCallRow } from "./rows.ts";

/** The scope of a run that names none. */
export const DEFAULT_SCOPE = "default";

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = "0".repeat(32);
const ZERO16 = "0".repeat(16);
const NS_PER_MS = 1_000_000n;
const NS_PER_US = 1_000n;

export interface MapOptions {
  /** Spans that started before this epoch ms are past retention and rejected. */
  retentionCutoffMs: number;
}

export function emptySpanRows(): SpanRows {
  return {
    traces: [],
    executions: [],
    toolCalls: [],
    interactions: [],
    snapshots: [],
    accepted: 0,
    rejected: 0,
    rejectReasons: {},
  };
}

/**
 * The one span → rows mapping, used by every write path. Spans are recognised by their
 * attributes as well as their names, so the seed's own names (`executor.tool.<path>`) and any
 * runtime that follows the span model map to the same rows as our SDK's spans.
 */
export function mapSpans(
  spans: Iterable<SpanInput>,
  options: MapOptions,
  out = emptySpanRows(),
): SpanRows {
  const cutoffNs = BigInt(Math.trunc(options.retentionCutoffMs)) * NS_PER_MS;
  for (const span of spans) {
    const reason = invalidReason(span, cutoffNs);
    if (reason) {
      out.rejected++;
      out.rejectReasons[reason] = (out.rejectReasons[reason] ?? 0) + 1;
      continue;
    }
    out.accepted++;
    mapSpan(span, out);
  }
  return out;
}

function invalidReason(span: SpanInput, cutoffNs: bigint): RejectReason | undefined {
  if (!HEX32.test(span.traceId) || span.traceId === ZERO32) return "invalid_trace_id";
  if (!HEX16.test(span.spanId) || span.spanId === ZERO16) return "invalid_span_id";
  if (span.name === "") return "missing_name";
  if (span.startNs < cutoffNs) return "past_retention";
  return undefined;
}

function mapSpan(span: SpanInput, out: SpanRows): void {
  const a = span.attributes.values;
  if (span.name === SPAN_EXECUTION_STATE) {
    // State spans feed only the run tables: no trace view shows them.
    const row = executionRow(span);
    if (row) {
      out.executions.push(row);
      snapshotOrder(span, row, out);
    }
    return;
  }
  out.traces.push(span);
  if (isToolSpan(span)) {
    const row = toolCallRow(span);
    if (row) out.toolCalls.push(row);
  } else if (span.name === SPAN_INTERACTION) {
    const row = interactionRow(span);
    if (row) out.interactions.push(row);
  } else if (
    span.name === SPAN_EXECUTION ||
    (span.name === SPAN_EXECUTION_RESUME && a[ATTR_EXECUTION_STATUS] !== undefined)
  ) {
    const row = executionRow(span);
    if (row) {
      out.executions.push(row);
      snapshotOrder(span, row, out);
    }
  }
}

/** A snapshot's order facts, when it carries a sequence number. */
function snapshotOrder(span: SpanInput, row: ExecutionRow, out: SpanRows): void {
  const seq = intAttr(span.attributes.values[ATTR_EXECUTION_SEQ]);
  // Beyond 2^53 a number is no longer exact (and prints as 1e+21, which the column refuses).
  if (seq === undefined || seq < 0 || seq > Number.MAX_SAFE_INTEGER) return;
  out.snapshots.push({
    serviceName: row.serviceName,
    scopeId: row.scopeId,
    executionId: row.executionId,
    spanId: row.spanId,
    traceId: row.traceId,
    spanName: span.name,
    seq,
    final: row.final,
    endedAtMs: row.updatedAt,
  });
}

function isToolSpan(span: SpanInput): boolean {
  const a = span.attributes.values;
  return (
    a[ATTR_TOOL_PATH] !== undefined ||
    a[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_EXECUTE_TOOL
  );
}

function nsToMs(ns: bigint): number {
  return Number(ns / NS_PER_MS);
}

function nsToUs(ns: bigint): number {
  return Number(ns / NS_PER_US);
}

function intAttr(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * An epoch-ms time attribute, or undefined when it is missing, not an integer, or outside
 * [MIN_EPOCH_MS, MAX_EPOCH_MS) (seconds sent for milliseconds): the caller then falls back to
 * the span's own times. The column could not hold it either (DateTime64(3) reads a small
 * number of seconds as a date and refuses the whole batch).
 */
function timeAttr(value: string | undefined): number | undefined {
  const ms = intAttr(value);
  return ms !== undefined && ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : undefined;
}

const UINT16_MAX = 65_535;
const UINT32_MAX = 4_294_967_295;

/**
 * A count a runtime sent, within its column's range (0 to `max`): written as it came, a value
 * out of range makes ClickHouse refuse the whole batch.
 */
function bounded(n: number, max: number): number {
  return Math.min(max, Math.max(0, n));
}

function flag(values: Record<string, string>, key: string): boolean {
  return values[truncatedFlag(key)] === "true";
}

/** An execution snapshot: final when its status is terminal, else an in-progress state. */
function executionRow(span: SpanInput): ExecutionRow | undefined {
  const a = span.attributes.values;
  const executionId = a[ATTR_EXECUTION_ID];
  if (!executionId) return undefined;
  const status = executionStatus(span);
  const final = isTerminalStatus(status);
  const spanStartMs = nsToMs(span.startNs);
  const spanEndMs = nsToMs(span.endNs);
  const createdAt =
    timeAttr(a[ATTR_EXECUTION_CREATED_AT]) ?? timeAttr(a[ATTR_EXECUTION_STARTED_AT]) ?? spanStartMs;
  const startedAt =
    timeAttr(a[ATTR_EXECUTION_STARTED_AT]) ?? (status === "pending" ? null : createdAt);
  const completedAt = final ? (timeAttr(a[ATTR_EXECUTION_COMPLETED_AT]) ?? spanEndMs) : null;
  const trigger = a[ATTR_TRIGGER_KIND] ?? "";
  const pendingId = status === "waiting_for_interaction" ? (a[ATTR_INTERACTION_ID] ?? "") : "";
  const rawKind = a[ATTR_INTERACTION_KIND] ?? "";
  // The seed marks an elicitation only by annotating the root span with its kind.
  const reportedInteractions =
    intAttr(a[ATTR_EXECUTION_INTERACTION_COUNT]) ?? (rawKind !== "" && !pendingId ? 1 : 0);
  const seq = intAttr(a[ATTR_EXECUTION_SEQ]);
  return {
    final,
    scopeId: a[ATTR_SCOPE_ID] || DEFAULT_SCOPE,
    executionId,
    rowId: 0n,
    createdAt,
    startedAt,
    completedAt,
    durationMs:
      completedAt !== null && startedAt !== null ? Math.max(0, completedAt - startedAt) : null,
    updatedAt: spanEndMs,
    status,
    triggerKind: trigger === TRIGGER_UNKNOWN ? "" : trigger,
    triggerMeta: a[ATTR_TRIGGER_META] ?? "",
    runtime: a[ATTR_RUNTIME] ?? "",
    code: a[ATTR_EXECUTION_CODE] ?? "",
    codeTruncated: flag(a, ATTR_EXECUTION_CODE),
    result: a[ATTR_EXECUTION_RESULT] ?? "",
    resultTruncated: flag(a, ATTR_EXECUTION_RESULT),
    error: a[ATTR_EXECUTION_ERROR] ?? (status === "failed" ? span.statusMessage : ""),
    errorType: a[ATTR_ERROR_TYPE] ?? "",
    logs: logsOf(span),
    // What the run's stored child spans give is derived by the writer (derive-runs.ts).
    toolCallCount: 0,
    reportedToolCallCount: bounded(intAttr(a[ATTR_EXECUTION_TOOL_CALL_COUNT]) ?? 0, UINT32_MAX),
    toolPaths: [],
    toolPathCalls: [],
    toolCallStats: [],
    interactionCount: 0,
    reportedInteractionCount: bounded(reportedInteractions, UINT32_MAX),
    hasElicitation: reportedInteractions > 0 || pendingId !== "",
    pendingInteractionId: pendingId,
    pendingInteractionKind: pendingId ? (SEED_INTERACTION_KIND_ALIASES[rawKind] ?? rawKind) : "",
    pendingInteractionPurpose: pendingId ? (a[ATTR_INTERACTION_PURPOSE] ?? "") : "",
    pendingInteractionPayload: pendingId ? (a[ATTR_INTERACTION_PAYLOAD] ?? "") : "",
    pendingInteractionCreatedAt: pendingId
      ? (timeAttr(a[ATTR_INTERACTION_CREATED_AT]) ?? null)
      : null,
    activeToolCalls: final ? "" : activeToolCallsOf(a),
    traceId: span.traceId,
    spanId: span.spanId,
    serviceName: span.resource.serviceName,
    segment: bounded(intAttr(a[ATTR_EXECUTION_SEGMENT]) ?? 1, UINT16_MAX),
    // Without a sequence number (a runtime not using our SDK), later snapshots win.
    rootVersion: Math.max(0, seq ?? spanEndMs),
    version: 0n,
  };
}

/** A JSON array attribute's items, or [] when it is missing or not an array. */
function jsonArray(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

/**
 * The calls in flight a snapshot lists, as the row stores them: `[{id, path, startedAt}]`
 * JSON, "" for none. Entries without a string id and path, or whose start is not epoch ms
 * from MIN_EPOCH_MS to MAX_EPOCH_MS, are left out.
 */
function activeToolCallsOf(a: Record<string, string>): string {
  const ids = jsonArray(a[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS]);
  if (ids.length === 0) return "";
  const paths = jsonArray(a[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS]);
  const starts = jsonArray(a[ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT]);
  const calls: { id: string; path: string; startedAt: number }[] = [];
  ids.forEach((id, i) => {
    const path = paths[i];
    // Epoch ms like the other time attributes: a start outside the range is no start.
    const startedAt = Number(starts[i]);
    if (typeof id !== "string" || typeof path !== "string") return;
    if (!(startedAt >= MIN_EPOCH_MS && startedAt < MAX_EPOCH_MS)) return;
    calls.push({ id, path, startedAt: Math.trunc(startedAt) });
  });
  return calls.length === 0 ? "" : JSON.stringify(calls);
}

function executionStatus(span: SpanInput): ExecutionStatus {
  const value = span.attributes.values[ATTR_EXECUTION_STATUS];
  if (isExecutionStatus(value)) return value;
  if (span.name === SPAN_EXECUTION_STATE) return "running";
  return span.statusCode === "STATUS_CODE_ERROR" ? "failed" : "completed";
}

interface LogLine {
  time: number;
  severity: string;
  message: string;
}

function logsOf(span: SpanInput): string {
  const prior = span.attributes.values[ATTR_EXECUTION_PRIOR_LOGS];
  let lines: LogLine[] | undefined;
  for (const event of span.events) {
    if (event.name !== EVENT_LOG) continue;
    lines ??= [];
    lines.push({
      time: nsToMs(event.timeNs),
      severity: event.attributes.values[ATTR_LOG_SEVERITY] ?? "info",
      message: event.attributes.values[ATTR_LOG_MESSAGE] ?? "",
    });
  }
  if (!lines) return prior ?? "";
  if (prior) {
    try {
      const earlier = JSON.parse(prior) as unknown;
      if (Array.isArray(earlier)) lines = [...(earlier as LogLine[]), ...lines];
    } catch {
      // A malformed prior-logs value is kept out rather than failing the row.
    }
  }
  return JSON.stringify(lines);
}

function toolPathOf(span: SpanInput): string {
  const a = span.attributes.values;
  const path = a[ATTR_TOOL_PATH] ?? a[ATTR_GEN_AI_TOOL_NAME];
  if (path) return path;
  if (span.name.startsWith(SPAN_TOOL_PREFIX)) return span.name.slice(SPAN_TOOL_PREFIX.length);
  if (span.name.startsWith(SEED_SPAN_TOOL_PREFIX))
    return span.name.slice(SEED_SPAN_TOOL_PREFIX.length);
  return span.name;
}

function toolCallRow(span: SpanInput): ToolCallRow | undefined {
  const a = span.attributes.values;
  const executionId = a[ATTR_EXECUTION_ID];
  if (!executionId) return undefined;
  const path = toolPathOf(span);
  const failed =
    a[ATTR_TOOL_STATUS] === "failed" ||
    (a[ATTR_TOOL_STATUS] === undefined && span.statusCode === "STATUS_CODE_ERROR");
  const startedAtUs = nsToUs(span.startNs);
  const completedAtUs = nsToUs(span.endNs);
  return {
    scopeId: a[ATTR_SCOPE_ID] || "",
    executionId,
    spanId: span.spanId,
    traceId: span.traceId,
    parentSpanId: span.parentSpanId,
    toolCallId: a[ATTR_GEN_AI_TOOL_CALL_ID] ?? span.spanId,
    toolPath: path,
    namespace: a[ATTR_TOOL_NAMESPACE] ?? toolNamespace(path),
    status: failed ? "failed" : "completed",
    error: failed ? (a[ATTR_TOOL_ERROR] ?? span.statusMessage) : "",
    errorType: failed ? (a[ATTR_ERROR_TYPE] ?? "") : "",
    args: a[ATTR_TOOL_ARGS] ?? "",
    argsTruncated: flag(a, ATTR_TOOL_ARGS),
    result: a[ATTR_TOOL_RESULT] ?? "",
    resultTruncated: flag(a, ATTR_TOOL_RESULT),
    startedAtUs,
    completedAtUs,
    durationUs: Math.max(0, completedAtUs - startedAtUs),
    serviceName: span.resource.serviceName,
  };
}

function interactionRow(span: SpanInput): InteractionRow | undefined {
  const a = span.attributes.values;
  const executionId = a[ATTR_EXECUTION_ID];
  if (!executionId) return undefined;
  const kind = a[ATTR_INTERACTION_KIND] ?? "";
  return {
    scopeId: a[ATTR_SCOPE_ID] || "",
    executionId,
    interactionId: a[ATTR_INTERACTION_ID] || span.spanId,
    spanId: span.spanId,
    traceId: span.traceId,
    kind: SEED_INTERACTION_KIND_ALIASES[kind] ?? kind,
    purpose: a[ATTR_INTERACTION_PURPOSE] ?? "",
    status: a[ATTR_INTERACTION_STATUS] ?? "resolved",
    payload: a[ATTR_INTERACTION_PAYLOAD] ?? "",
    payloadTruncated: flag(a, ATTR_INTERACTION_PAYLOAD),
    response: a[ATTR_INTERACTION_RESPONSE] ?? "",
    responseTruncated: flag(a, ATTR_INTERACTION_RESPONSE),
    createdAt: timeAttr(a[ATTR_INTERACTION_CREATED_AT]) ?? nsToMs(span.startNs),
    resolvedAt: nsToMs(span.endNs),
    serviceName: span.resource.serviceName,
  };
}

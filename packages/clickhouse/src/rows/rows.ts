import type { ExecutionStatus } from "@runtrace/semconv";
import type { SpanInput } from "./span-input.ts";

/** A row of `executions` (when `final`) or `execution_states` (a snapshot). Times in epoch ms. */
export interface ExecutionRow {
  final: boolean;
  scopeId: string;
  executionId: string;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  updatedAt: number;
  status: ExecutionStatus;
  /** "" when the run had no trigger (the seed's `unknown`). */
  triggerKind: string;
  triggerMeta: string;
  runtime: string;
  code: string;
  codeTruncated: boolean;
  result: string;
  resultTruncated: boolean;
  error: string;
  errorType: string;
  /** JSON array of `{ time, severity, message }`, "" when there are none. */
  logs: string;
  toolCallCount: number;
  /** Distinct tool paths called (first call first) and the calls of each, same order. */
  toolPaths: string[];
  toolPathCalls: number[];
  /**
   * False when the span listed no tool paths and did not say it made no calls (a runtime
   * without our SDK): the writer fills the paths from the run's stored tool calls.
   */
  toolPathsRecorded: boolean;
  interactionCount: number;
  hasElicitation: boolean;
  pendingInteractionId: string;
  pendingInteractionKind: string;
  pendingInteractionPurpose: string;
  pendingInteractionPayload: string;
  pendingInteractionCreatedAt: number | null;
  traceId: string;
  spanId: string;
  serviceName: string;
  segment: number;
  /** Orders snapshots of one run: the higher wins. */
  version: number;
}

/** A row of `tool_calls`. Times in epoch microseconds. */
export interface ToolCallRow {
  scopeId: string;
  executionId: string;
  spanId: string;
  traceId: string;
  parentSpanId: string;
  toolCallId: string;
  toolPath: string;
  namespace: string;
  status: "completed" | "failed";
  error: string;
  errorType: string;
  args: string;
  argsTruncated: boolean;
  result: string;
  resultTruncated: boolean;
  startedAtUs: number;
  completedAtUs: number;
  durationUs: number;
  serviceName: string;
}

/** A row of `interactions`. Times in epoch ms. */
export interface InteractionRow {
  scopeId: string;
  executionId: string;
  interactionId: string;
  spanId: string;
  traceId: string;
  kind: string;
  purpose: string;
  status: string;
  payload: string;
  payloadTruncated: boolean;
  response: string;
  responseTruncated: boolean;
  createdAt: number;
  resolvedAt: number;
  serviceName: string;
}

/** Why a span was not stored. */
export type RejectReason =
  | "invalid_trace_id"
  | "invalid_span_id"
  | "missing_name"
  | "past_retention";

/** The rows one batch of spans becomes. */
export interface SpanRows {
  /** Spans for `otel_traces` (state spans never are). */
  traces: SpanInput[];
  executions: ExecutionRow[];
  toolCalls: ToolCallRow[];
  interactions: InteractionRow[];
  /** Spans mapped (state spans included, which have no `otel_traces` row). */
  accepted: number;
  rejected: number;
  rejectReasons: Partial<Record<RejectReason, number>>;
}

import type { SpanInput } from "@runtrace/model";
import type { ExecutionStatus } from "@runtrace/semconv";

/** Calls of one tool path with one outcome and duration bucket. */
export interface ToolCallStat {
  path: string;
  failed: boolean;
  bucket: number;
  calls: number;
}

/**
 * A row of `executions` (when `final`) or `execution_states` (a snapshot). Times in epoch ms.
 *
 * The span → rows mapping fills what the run's root span says (status, times, code…); the
 * writer then derives the rest from the run's stored child spans (tool calls, interactions)
 * and gives the row its `version` and `rowId`.
 */
export interface ExecutionRow {
  final: boolean;
  scopeId: string;
  executionId: string;
  /** Set by the writer: random, non-zero; tells apart two versions of one run. */
  rowId: bigint;
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
  /** Derived: the run's distinct stored tool-call spans. */
  toolCallCount: number;
  /** What the root span itself claimed (`executor.execution.tool_call_count`), 0 if nothing. */
  reportedToolCallCount: number;
  /** Derived: distinct tool paths called (first call first) and the calls of each, same order. */
  toolPaths: string[];
  toolPathCalls: number[];
  /**
   * Derived: the run's tool calls counted by path, failure and duration bucket
   * (`duration-buckets.ts`), for the rollups' per-tool failures and percentiles.
   */
  toolCallStats: ToolCallStat[];
  /** Derived: the run's distinct stored interaction spans. */
  interactionCount: number;
  /**
   * What the root span claimed: `executor.execution.interaction_count`, or 1 when it only
   * names an interaction kind (the seed's annotation of an elicitation).
   */
  reportedInteractionCount: number;
  /** Derived: an interaction is stored, claimed or pending. */
  hasElicitation: boolean;
  pendingInteractionId: string;
  pendingInteractionKind: string;
  pendingInteractionPurpose: string;
  pendingInteractionPayload: string;
  pendingInteractionCreatedAt: number | null;
  /**
   * The tool calls in flight the root span lists (`executor.execution.active_tool_call_*`), as
   * a JSON array of `{ id, path, startedAt }` (epoch ms), "" when none (always for a final row).
   * A listed call whose tool span is stored has ended: readers leave it out.
   */
  activeToolCalls: string;
  traceId: string;
  spanId: string;
  serviceName: string;
  segment: number;
  /**
   * Orders the root spans of one run, after final-ness: the SDK's `executor.execution.seq`,
   * else the span's end (ms).
   */
  rootVersion: number;
  /** Set by the writer: final-ness, `rootVersion` and the child count packed (run-version.ts). */
  version: bigint;
}

/** A row of `tool_calls`. Times in epoch microseconds. */
export interface ToolCallRow {
  /** The span's own `executor.scope.id`, "" when it names none (the run's scope applies). */
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
  /** As for tool calls: "" when the span names no scope. */
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

/**
 * A row of `execution_snapshots`: the order facts of one snapshot span that carries
 * `executor.execution.seq` (state span or segment end).
 */
export interface SnapshotRow {
  serviceName: string;
  scopeId: string;
  executionId: string;
  spanId: string;
  traceId: string;
  spanName: string;
  seq: number;
  final: boolean;
  endedAtMs: number;
}

/** The rows one batch of spans becomes. */
export interface SpanRows {
  /** Spans for `otel_traces` (state spans never are). */
  traces: SpanInput[];
  executions: ExecutionRow[];
  toolCalls: ToolCallRow[];
  interactions: InteractionRow[];
  /** Snapshots that carry a sequence number (for the conformance check). */
  snapshots: SnapshotRow[];
  /** Spans mapped (state spans included, which have no `otel_traces` row). */
  accepted: number;
  rejected: number;
  rejectReasons: Partial<Record<RejectReason, number>>;
}

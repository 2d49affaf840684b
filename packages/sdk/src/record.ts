import type { ExecutionStatus, InteractionKind } from "@runtrace/semconv";
import type { EncodedValue } from "./values.ts";

/** One `log` line, as carried to later segments in `executor.execution.prior_logs`. */
export interface LogLine {
  /** Epoch ms. */
  time: number;
  severity: string;
  /** The message as recorded (already cut at `maxValueBytes`). */
  message: string;
}

/** A tool call that has started and not ended. */
export interface ActiveToolCall {
  path: string;
  /** Epoch ms. */
  startedAt: number;
}

/** An interaction that was raised and has not been answered yet. */
export interface PendingInteraction {
  id: string;
  kind: InteractionKind;
  purpose?: string;
  /** JSON of the payload, as recorded. */
  payload?: EncodedValue;
  /** Epoch ms when it was raised. */
  createdAt: number;
}

/**
 * Everything known about one execution, across segments: the source of every snapshot
 * (state spans and segment ends) and of the paused state. Values are stored already encoded
 * (JSON, cut) so that a snapshot and a pause never serialize user values again.
 */
export interface ExecutionRecord {
  readonly id: string;
  readonly scopeId: string;
  readonly code: EncodedValue;
  readonly triggerKind?: string;
  readonly triggerMeta?: EncodedValue;
  readonly runtime?: string;
  /** Epoch ms at create; immutable, carried through resume. */
  readonly createdAt: number;
  /** Epoch ms when it began running; immutable once set. */
  startedAt?: number;
  status: ExecutionStatus;
  /** Cumulative across segments. */
  toolCallCount: number;
  /**
   * Calls started per tool path, cumulative across segments, in order of first call (Map
   * insertion order). At most `MAX_RECORDED_TOOL_PATHS` paths: calls of further paths only
   * count in `toolCallCount`.
   */
  readonly toolPathCalls: Map<string, number>;
  /** Cumulative across segments. */
  interactionCount: number;
  /**
   * Tool calls of this segment in flight, by `gen_ai.tool.call.id`, in start order: listed on
   * every snapshot while they run (never carried over a pause).
   */
  readonly activeToolCalls: Map<string, ActiveToolCall>;
  /** The pending report of calls in flight (one per run), and the calls already reported. */
  readonly reports: { timer?: ReturnType<typeof setTimeout>; listed: Set<string> };
  /** Last sequence number used by a snapshot (state span or segment end). */
  seq: number;
  /** 1 for the first segment, +1 per resume. */
  readonly segment: number;
  /** Log lines of earlier segments. */
  readonly priorLogs: readonly LogLine[];
  /** Log lines of this segment. */
  readonly logs: LogLine[];
  readonly resumeAction?: string;
  pendingInteraction?: PendingInteraction;
}

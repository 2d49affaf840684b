import type { Attributes } from "@opentelemetry/api";
import {
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
  ATTR_EXECUTION_TOOL_PATH_CALLS,
  ATTR_EXECUTION_TOOL_PATHS,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_STATUS,
  ATTR_RESUME_ACTION,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  type InteractionStatus,
  MAX_ACTIVE_TOOL_CALLS,
  TRIGGER_UNKNOWN,
} from "@runtrace/semconv";
import { encodeLogLines } from "./prior-logs.ts";
import type { ExecutionRecord } from "./record.ts";
import { type EncodedValue, setEncoded } from "./values.ts";

/** What only a final segment end adds to the snapshot. */
export interface FinalValues {
  completedAt?: number;
  result?: EncodedValue;
  error?: EncodedValue;
}

/**
 * The full snapshot of an execution as span attributes: what a state span and every segment end
 * carry, so that any one of them alone describes the run as of its `seq`.
 */
export function snapshotAttributes(
  record: ExecutionRecord,
  maxValueBytes: number,
  final: FinalValues = {},
): Attributes {
  const attributes: Attributes = {
    [ATTR_EXECUTION_ID]: record.id,
    [ATTR_SCOPE_ID]: record.scopeId,
    [ATTR_EXECUTION_STATUS]: record.status,
    [ATTR_EXECUTION_CREATED_AT]: record.createdAt,
    [ATTR_EXECUTION_TOOL_CALL_COUNT]: record.toolCallCount,
    [ATTR_EXECUTION_INTERACTION_COUNT]: record.interactionCount,
    [ATTR_EXECUTION_SEQ]: record.seq,
    [ATTR_EXECUTION_SEGMENT]: record.segment,
  };
  if (record.toolPathCalls.size > 0) {
    // Fresh arrays: each snapshot carries the counts as of its own time.
    attributes[ATTR_EXECUTION_TOOL_PATHS] = [...record.toolPathCalls.keys()];
    attributes[ATTR_EXECUTION_TOOL_PATH_CALLS] = [...record.toolPathCalls.values()];
  }
  if (record.startedAt !== undefined) attributes[ATTR_EXECUTION_STARTED_AT] = record.startedAt;
  if (final.completedAt !== undefined) attributes[ATTR_EXECUTION_COMPLETED_AT] = final.completedAt;
  // The seed's "unknown" placeholder means "no trigger" and is stored as none.
  if (record.triggerKind !== undefined && record.triggerKind !== TRIGGER_UNKNOWN) {
    attributes[ATTR_TRIGGER_KIND] = record.triggerKind;
  }
  setEncoded(attributes, ATTR_TRIGGER_META, record.triggerMeta);
  if (record.runtime !== undefined) attributes[ATTR_RUNTIME] = record.runtime;
  setEncoded(attributes, ATTR_EXECUTION_CODE, record.code);
  setEncoded(attributes, ATTR_EXECUTION_RESULT, final.result);
  setEncoded(attributes, ATTR_EXECUTION_ERROR, final.error);
  if (record.segment > 1 && record.priorLogs.length > 0) {
    setEncoded(
      attributes,
      ATTR_EXECUTION_PRIOR_LOGS,
      encodeLogLines(record.priorLogs, maxValueBytes),
    );
  }
  if (record.resumeAction !== undefined) attributes[ATTR_RESUME_ACTION] = record.resumeAction;
  if (record.activeToolCalls.size > 0) {
    // Oldest first: a Map keeps the start order.
    const active = [...record.activeToolCalls].slice(0, MAX_ACTIVE_TOOL_CALLS);
    attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS] = active.map(([id]) => id);
    attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS] = active.map(([, call]) => call.path);
    attributes[ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT] = active.map(
      ([, call]) => call.startedAt,
    );
  }
  const pending = record.pendingInteraction;
  if (pending !== undefined) {
    const status: InteractionStatus = "pending";
    attributes[ATTR_INTERACTION_ID] = pending.id;
    attributes[ATTR_INTERACTION_KIND] = pending.kind;
    if (pending.purpose !== undefined) attributes[ATTR_INTERACTION_PURPOSE] = pending.purpose;
    setEncoded(attributes, ATTR_INTERACTION_PAYLOAD, pending.payload);
    attributes[ATTR_INTERACTION_STATUS] = status;
    attributes[ATTR_INTERACTION_CREATED_AT] = pending.createdAt;
  }
  return attributes;
}

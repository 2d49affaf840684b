import { type ExecutionStatus, isTerminalStatus } from "@runtrace/semconv";
import type { WriteLane } from "../connection/client.ts";
import type { ExecutionRow } from "../rows/rows.ts";
import type { RunKey, StoredRow } from "./run-state.ts";
import { rootOfVersion } from "./run-version.ts";

/** A stored row to read whole: the run's id and key, and which of its rows. */
export interface StoredRowRef {
  executionId: string;
  key: RunKey;
  row: StoredRow;
}

interface ContentRow {
  execution_id: string;
  scope_id: string;
  row_id: string;
  version: string;
  span_id: string;
  created_ms: number;
  started_ms: number | null;
  completed_ms: number | null;
  duration_ms: number | null;
  updated_ms: number;
  status: string;
  trigger_kind: string;
  trigger_meta: string;
  runtime: string;
  code: string;
  code_truncated: boolean | number;
  result: string;
  result_truncated: boolean | number;
  error: string;
  error_type: string;
  logs: string;
  reported_tool_call_count: number;
  reported_interaction_count: number;
  pending_interaction_id: string;
  pending_interaction_kind: string;
  pending_interaction_purpose: string;
  pending_interaction_payload: string;
  pending_created_ms: number | null;
  active_tool_calls: string;
  trace_id: string;
  service_name: string;
  segment: number;
}

const CONTENT_COLUMNS = `execution_id, scope_id, toString(row_id) AS row_id, toString(version) AS version,
  span_id, toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(started_at) AS started_ms,
  toUnixTimestamp64Milli(completed_at) AS completed_ms, duration_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms,
  status, trigger_kind, trigger_meta, runtime, code, code_truncated, result, result_truncated, error,
  error_type, logs, reported_tool_call_count, reported_interaction_count, pending_interaction_id,
  pending_interaction_kind, pending_interaction_purpose, pending_interaction_payload,
  toUnixTimestamp64Milli(pending_interaction_created_at) AS pending_created_ms, active_tool_calls, trace_id,
  service_name, segment`;

const RANGE =
  "scope_id IN {scopes:Array(String)} AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64}) " +
  "AND created_at <= fromUnixTimestamp64Milli({toMs:Int64}) AND execution_id IN {ids:Array(String)} " +
  "AND span_id IN {spans:Array(String)}";

const refKey = (executionId: string, spanId: string, version: bigint) =>
  `${executionId}\u0000${spanId}\u0000${version}`;

/**
 * The root values of stored rows, as rows to derive a new version from: what a new tool call
 * of a finished run, or a late state span older than the stored one, is combined with.
 */
export async function readStoredRoots(
  lane: WriteLane,
  refs: readonly StoredRowRef[],
): Promise<Map<string, ExecutionRow>> {
  const out = new Map<string, ExecutionRow>();
  if (refs.length === 0) return out;
  const wanted = new Set(refs.map((r) => refKey(r.executionId, r.row.spanId, r.row.version)));
  const created = refs.map((r) => r.key.createdAt);
  const rows = await lane.selectForWrite<ContentRow>(
    `SELECT ${CONTENT_COLUMNS} FROM executions WHERE ${RANGE}
     UNION ALL
     SELECT ${CONTENT_COLUMNS} FROM execution_states WHERE ${RANGE}`,
    {
      scopes: [...new Set(refs.map((r) => r.key.scopeId))],
      fromMs: Math.min(...created),
      toMs: Math.max(...created),
      ids: [...new Set(refs.map((r) => r.executionId))],
      spans: [...new Set(refs.map((r) => r.row.spanId))],
    },
  );
  for (const r of rows) {
    const version = BigInt(r.version);
    const k = refKey(r.execution_id, r.span_id, version);
    if (!wanted.has(k) || out.has(r.execution_id)) continue;
    out.set(r.execution_id, toExecutionRow(r, version));
  }
  return out;
}

function toExecutionRow(r: ContentRow, version: bigint): ExecutionRow {
  const status = r.status as ExecutionStatus;
  return {
    final: isTerminalStatus(status),
    scopeId: r.scope_id,
    executionId: r.execution_id,
    rowId: BigInt(r.row_id),
    createdAt: Number(r.created_ms),
    startedAt: r.started_ms === null ? null : Number(r.started_ms),
    completedAt: r.completed_ms === null ? null : Number(r.completed_ms),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    updatedAt: Number(r.updated_ms),
    status,
    triggerKind: r.trigger_kind,
    triggerMeta: r.trigger_meta,
    runtime: r.runtime,
    code: r.code,
    codeTruncated: Boolean(r.code_truncated),
    result: r.result,
    resultTruncated: Boolean(r.result_truncated),
    error: r.error,
    errorType: r.error_type,
    logs: r.logs,
    toolCallCount: 0,
    reportedToolCallCount: Number(r.reported_tool_call_count),
    toolPaths: [],
    toolPathCalls: [],
    toolCallStats: [],
    interactionCount: 0,
    reportedInteractionCount: Number(r.reported_interaction_count),
    hasElicitation: false,
    pendingInteractionId: r.pending_interaction_id,
    pendingInteractionKind: r.pending_interaction_kind,
    pendingInteractionPurpose: r.pending_interaction_purpose,
    pendingInteractionPayload: r.pending_interaction_payload,
    pendingInteractionCreatedAt:
      r.pending_created_ms === null ? null : Number(r.pending_created_ms),
    activeToolCalls: r.active_tool_calls,
    traceId: r.trace_id,
    spanId: r.span_id,
    serviceName: r.service_name,
    segment: Number(r.segment),
    rootVersion: rootOfVersion(version).rootVersion,
    version,
  };
}

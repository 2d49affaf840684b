import { TERMINAL_STATUSES } from "@runtrace/semconv";
import type { ClickHouse, ReadOptions } from "../connection/client.ts";

/** A run as stored: its final row, or the latest snapshot of an unfinished run. */
export interface StoredRun {
  scope_id: string;
  execution_id: string;
  created_at_ms: number;
  started_at_ms: number | null;
  completed_at_ms: number | null;
  duration_ms: number | null;
  updated_at_ms: number;
  status: string;
  trigger_kind: string;
  trigger_meta: string;
  runtime: string;
  code: string;
  code_truncated: boolean;
  code_preview: string;
  result: string;
  result_truncated: boolean;
  error: string;
  error_type: string;
  logs: string;
  tool_call_count: number;
  reported_tool_call_count: number;
  tool_paths: string[];
  tool_path_calls: number[];
  interaction_count: number;
  has_elicitation: boolean;
  pending_interaction_id: string;
  pending_interaction_kind: string;
  pending_interaction_purpose: string;
  pending_interaction_payload: string;
  trace_id: string;
  span_id: string;
  service_name: string;
  segment: number;
  version: number;
  final: number;
}

// Times leave as epoch ms under their own names: an alias equal to a column name would
// replace the column inside WHERE.
const COLUMNS = `scope_id, execution_id, toUnixTimestamp64Milli(created_at) AS created_at_ms,
  toUnixTimestamp64Milli(started_at) AS started_at_ms, toUnixTimestamp64Milli(completed_at) AS completed_at_ms,
  duration_ms, toUnixTimestamp64Milli(updated_at) AS updated_at_ms, status,
  trigger_kind, trigger_meta, runtime, code, code_truncated, code_preview, result, result_truncated,
  error, error_type, logs, tool_call_count, reported_tool_call_count, tool_paths, tool_path_calls, interaction_count, has_elicitation, pending_interaction_id,
  pending_interaction_kind, pending_interaction_purpose, pending_interaction_payload, trace_id, span_id,
  service_name, segment, version`;

export interface RunFilter {
  scopeId: string;
  /** Only runs created in [fromMs, toMs]. */
  fromMs?: number;
  toMs?: number;
}

/**
 * The condition that keeps, of `execution_states FINAL`, the runs still unfinished: a run
 * whose snapshots were superseded has its final row as its latest snapshot (the writer adds
 * it there when it stores the run's final row), so FINAL alone tells finished runs apart.
 */
export const UNFINISHED_SNAPSHOT = `status NOT IN (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(", ")})`;

/**
 * The condition that leaves out, of `executions`, the versions of runs that a newer version
 * replaced (listed in `superseded_executions`). `range` are conditions on scope_id, created_at
 * and execution_id (the key both tables share) that bound the lookup to the rows being read.
 */
export function currentVersion(range: string, rowIdColumn = "row_id"): string {
  return `${rowIdColumn} NOT IN (SELECT row_id FROM superseded_executions WHERE ${range || "1"})`;
}

/**
 * Every run of a scope exactly once, newest first: finished runs from `executions` (one row
 * each, no FINAL needed) plus unfinished ones, the latest snapshot in the small
 * `execution_states` table. The run-history API builds its lists and counts on this same union.
 */
export function selectRuns(
  ch: ClickHouse,
  filter: RunFilter,
  options?: ReadOptions,
): Promise<StoredRun[]> {
  const where =
    "scope_id = {scope:String} AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64}) " +
    "AND created_at <= fromUnixTimestamp64Milli({toMs:Int64})";
  return ch.select<StoredRun>(
    `SELECT * FROM (
       SELECT ${COLUMNS}, 1 AS final FROM executions WHERE ${where} AND ${currentVersion(where)}
       UNION ALL
       SELECT ${COLUMNS}, 0 AS final FROM execution_states FINAL WHERE ${where}
         AND ${UNFINISHED_SNAPSHOT}
     ) ORDER BY created_at_ms DESC, execution_id DESC`,
    { scope: filter.scopeId, fromMs: filter.fromMs ?? 0, toMs: filter.toMs ?? 8_000_000_000_000 },
    options,
  );
}

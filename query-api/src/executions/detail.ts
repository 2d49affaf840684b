import { CHILD_START_SLACK_MS, type ClickHouse } from "@runtrace/clickhouse";
import { toolNamespace } from "@runtrace/semconv";
import type { ExecutionDetail, ToolCall, TraceSpan } from "../contract/index.ts";
import { notFound } from "../http/errors.ts";
import { traceRowsQuery } from "../traces/index.ts";
import { parseJson, summaryColumns, toSummary } from "./list.ts";
import { QueryParams } from "./query-params.ts";

/** Where a run's rows live: its primary key. */
export interface RunKey {
  scopeId: string;
  createdAtMs: number;
  executionId: string;
  traceId: string;
}

/**
 * Finds a run by id through the `execution_ids` lookup (a primary-key read) and checks that the
 * request may read its scope; another scope's run is a 404, exactly like an unknown id.
 */
export async function findRun(
  ch: ClickHouse,
  id: string,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<RunKey> {
  const p = new QueryParams();
  const scopeCondition = scopes === null ? "" : `AND scope_id IN ${p.add("Array(String)", scopes)}`;
  const rows = await ch.select<{ scope_id: string; created_ms: number; trace_id: string }>(
    `SELECT scope_id, toUnixTimestamp64Milli(created_at) AS created_ms, trace_id FROM execution_ids
     WHERE execution_id = ${p.add("String", id)} ${scopeCondition} LIMIT 1`,
    p.values,
    { signal },
  );
  const row = rows[0];
  if (!row) throw notFound(`no execution ${JSON.stringify(id)}`);
  return {
    scopeId: row.scope_id,
    createdAtMs: row.created_ms,
    executionId: id,
    traceId: row.trace_id,
  };
}

function keyCondition(p: QueryParams, key: RunKey): string {
  return `scope_id = ${p.add("String", key.scopeId)}
    AND created_at = fromUnixTimestamp64Milli(${p.add("Int64", key.createdAtMs)})
    AND execution_id = ${p.add("String", key.executionId)}`;
}

/**
 * A run's child spans (tool calls, interactions): those naming its id, in its scope or naming
 * none, started no earlier than the run's creation less a clock-skew margin. The writer counts
 * the run's children by the same rule, so the counts on its row match these lists.
 */
function childCondition(p: QueryParams, key: RunKey, timeColumn: string): string {
  return `scope_id IN ${p.add("Array(String)", [key.scopeId, ""])}
    AND ${timeColumn} >= fromUnixTimestamp64Milli(${p.add("Int64", key.createdAtMs - CHILD_START_SLACK_MS)})
    AND execution_id = ${p.add("String", key.executionId)}`;
}

/**
 * The run's current row: the newest version of its final row once it has finished, else its
 * latest snapshot. The two tables are read side by side rather than as one UNION (measured at
 * 10M runs: 13 + 6 ms apart against 19 ms together, and in parallel), and the snapshot read
 * needs no FINAL: the newest version is picked here, with the same tie-breakers as the writer.
 */
async function currentRow<T>(
  ch: ClickHouse,
  key: RunKey,
  p: QueryParams,
  columns: (final: 0 | 1) => string,
  signal: AbortSignal,
): Promise<(T & { final: number }) | undefined> {
  const where = keyCondition(p, key);
  const newest = (table: string, final: 0 | 1) =>
    ch.select<T & { final: number }>(
      `SELECT ${columns(final)}, ${final} AS final FROM ${table} WHERE ${where}
       ORDER BY version DESC, span_id DESC, row_id DESC LIMIT 1`,
      p.values,
      { signal },
    );
  const [[finished], [snapshot]] = await Promise.all([
    newest("executions", 1),
    newest("execution_states", 0),
  ]);
  return finished ?? snapshot;
}

/**
 * The stored log lines as the API shows them, `{time, severity, message}` each: a resumed run's
 * earlier lines arrive as its runtime stored them (`executor.execution.prior_logs`), whatever
 * their shape, and are shown rather than dropped.
 */
function logLines(stored: unknown): ExecutionDetail["logs"] {
  if (!Array.isArray(stored)) return [];
  return stored.map((line: unknown) => {
    const fields: Record<string, unknown> =
      typeof line === "object" && line !== null && !Array.isArray(line)
        ? (line as Record<string, unknown>)
        : { message: line };
    const time = Number(fields.time);
    const { message, severity } = fields;
    return {
      time: Number.isFinite(time) ? time : 0,
      severity: typeof severity === "string" ? severity : "info",
      message: typeof message === "string" ? message : JSON.stringify(message ?? fields),
    };
  });
}

interface DetailRow {
  reported_tool_call_count: number;
  code: string;
  code_truncated: boolean;
  result: string;
  result_truncated: boolean;
  error: string;
  error_type: string;
  logs: string;
  pending_interaction_payload: string;
  pending_created_ms: number | null;
  span_id: string;
  service_name: string;
}

export async function executionDetail(
  ch: ClickHouse,
  key: RunKey,
  staleAfterMs: number,
  signal: AbortSignal,
): Promise<ExecutionDetail> {
  const p = new QueryParams();
  const summaryOf = summaryColumns(p, staleAfterMs);
  const columns = (
    final: 0 | 1,
  ) => `${summaryOf(final)}, code, code_truncated, result, result_truncated,
    error, error_type, logs, pending_interaction_payload,
    toUnixTimestamp64Milli(pending_interaction_created_at) AS pending_created_ms, span_id, service_name,
    reported_tool_call_count`;
  const runs = currentRow<Parameters<typeof toSummary>[0] & DetailRow>(ch, key, p, columns, signal);
  const ip = new QueryParams();
  const interactions = ch.select<{
    interaction_id: string;
    kind: string;
    purpose: string;
    status: string;
    payload: string;
    payload_truncated: boolean;
    response: string;
    response_truncated: boolean;
    created_ms: number;
    resolved_ms: number | null;
  }>(
    `SELECT interaction_id, kind, purpose, status, payload, payload_truncated, response,
       response_truncated, toUnixTimestamp64Milli(created_at) AS created_ms,
       toUnixTimestamp64Milli(resolved_at) AS resolved_ms
     FROM interactions
     WHERE ${childCondition(ip, key, "created_at")}
     ORDER BY created_at, interaction_id
     LIMIT 1 BY span_id`,
    ip.values,
    { signal },
  );
  const [row, rows] = await Promise.all([runs, interactions]);
  if (!row) throw notFound(`no execution ${JSON.stringify(key.executionId)}`);
  const summary = toSummary(row);
  const logs = parseJson(row.logs);
  return {
    ...summary,
    code: row.code,
    codeTruncated: Boolean(row.code_truncated),
    result: parseJson(row.result),
    resultTruncated: Boolean(row.result_truncated),
    error: row.error === "" ? null : row.error,
    errorType: row.error_type === "" ? null : row.error_type,
    logs: logLines(logs),
    interactions: rows.map((r) => ({
      id: r.interaction_id,
      kind: r.kind,
      purpose: r.purpose === "" ? null : r.purpose,
      status: r.status,
      payload: parseJson(r.payload),
      payloadTruncated: Boolean(r.payload_truncated),
      response: parseJson(r.response),
      responseTruncated: Boolean(r.response_truncated),
      createdAt: r.created_ms,
      resolvedAt: r.resolved_ms,
    })),
    pendingInteraction: summary.pendingInteraction
      ? {
          ...summary.pendingInteraction,
          payload: parseJson(row.pending_interaction_payload),
          createdAt: row.pending_created_ms,
        }
      : null,
    spanId: row.span_id === "" ? null : row.span_id,
    serviceName: row.service_name === "" ? null : row.service_name,
    reportedToolCallCount: Number(row.reported_tool_call_count),
  };
}

/**
 * The calls in flight the run's current row lists: none once it has finished or gone stale
 * (silent past `staleAfterMs`: its runtime may be gone, and its calls with it); for a live
 * unfinished run, those of its latest snapshot (`active_tool_calls`).
 */
async function callsInFlight(
  ch: ClickHouse,
  key: RunKey,
  staleAfterMs: number,
  signal: AbortSignal,
): Promise<{ id: string; path: string; startedAt: number }[]> {
  const p = new QueryParams();
  const staleMs = p.add("Int64", staleAfterMs);
  const row = await currentRow<{ stale: number; active_tool_calls: string }>(
    ch,
    key,
    p,
    (final) =>
      `toUInt8(updated_at < now64(3) - toIntervalMillisecond(${staleMs})) AS stale,
       ${final === 1 ? "''" : "active_tool_calls"} AS active_tool_calls`,
    signal,
  );
  if (!row || Number(row.final) === 1 || Number(row.stale) === 1) return [];
  if (row.active_tool_calls === "") return [];
  const calls = parseJson(row.active_tool_calls);
  return Array.isArray(calls) ? (calls as { id: string; path: string; startedAt: number }[]) : [];
}

/**
 * A run's tool calls in start order: its stored tool spans, and the calls its latest snapshot
 * lists as in flight whose span is not stored yet (`running`, no end; not for a stale run).
 */
export async function toolCalls(
  ch: ClickHouse,
  key: RunKey,
  staleAfterMs: number,
  signal: AbortSignal,
): Promise<ToolCall[]> {
  const [stored, inFlight] = await Promise.all([
    storedToolCalls(ch, key, signal),
    callsInFlight(ch, key, staleAfterMs, signal),
  ]);
  const ended = new Set(stored.map((c) => c.id));
  const running: ToolCall[] = inFlight
    .filter((c) => !ended.has(c.id))
    .map((c) => ({
      id: c.id,
      toolPath: c.path,
      namespace: toolNamespace(c.path) || null,
      status: "running",
      startedAt: c.startedAt,
      completedAt: null,
      durationMs: null,
      args: null,
      argsTruncated: false,
      result: null,
      resultTruncated: false,
      error: null,
      errorType: null,
      spanId: null,
    }));
  if (running.length === 0) return stored;
  return [...stored, ...running].sort((a, b) => a.startedAt - b.startedAt);
}

/** The run's stored tool-call spans in start order. */
async function storedToolCalls(
  ch: ClickHouse,
  key: RunKey,
  signal: AbortSignal,
): Promise<ToolCall[]> {
  const p = new QueryParams();
  const rows = await ch.select<{
    tool_call_id: string;
    span_id: string;
    tool_path: string;
    namespace: string;
    status: "completed" | "failed";
    started_us: number;
    completed_us: number;
    duration_us: number;
    args: string;
    args_truncated: boolean;
    result: string;
    result_truncated: boolean;
    error: string;
    error_type: string;
  }>(
    `SELECT tool_call_id, span_id, tool_path, namespace, status,
       toUnixTimestamp64Micro(started_at) AS started_us, toUnixTimestamp64Micro(completed_at) AS completed_us,
       duration_us, args, args_truncated, result, result_truncated, error, error_type
     FROM tool_calls
     WHERE ${childCondition(p, key, "started_at")}
     ORDER BY started_at, span_id
     LIMIT 1 BY span_id`,
    p.values,
    { signal },
  );
  return rows.map((r) => ({
    id: r.tool_call_id || r.span_id,
    toolPath: r.tool_path,
    namespace: r.namespace === "" ? null : r.namespace,
    status: r.status,
    startedAt: r.started_us / 1000,
    completedAt: r.completed_us / 1000,
    durationMs: r.duration_us / 1000,
    args: parseJson(r.args),
    argsTruncated: Boolean(r.args_truncated),
    result: parseJson(r.result),
    resultTruncated: Boolean(r.result_truncated),
    error: r.error === "" ? null : r.error,
    errorType: r.error_type === "" ? null : r.error_type,
    spanId: r.span_id,
  }));
}

/** The run's trace as a tree (roots first, children in start order); state spans left out. */
export async function traceTree(
  ch: ClickHouse,
  key: RunKey,
  signal: AbortSignal,
): Promise<{ traceId: string; spanCount: number; roots: TraceSpan[] }> {
  if (key.traceId === "")
    throw notFound(`execution ${JSON.stringify(key.executionId)} has no trace id`);
  const p = new QueryParams();
  // The read every trace front end shares: bounded to the trace's days, state spans left out.
  const rows = await ch.select<{
    SpanId: string;
    ParentSpanId: string;
    SpanName: string;
    SpanKind: string;
    ServiceName: string;
    start_ns: string;
    Duration: string;
    StatusCode: string;
    StatusMessage: string;
    SpanAttributes: Record<string, string>;
    event_times: string[];
    event_names: string[];
    event_attributes: Record<string, string>[];
  }>(
    traceRowsQuery(
      p,
      [key.traceId],
      `SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
       toString(toUnixTimestamp64Nano(Timestamp)) AS start_ns, toString(Duration) AS Duration,
       StatusCode, StatusMessage, SpanAttributes,
       arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS event_times,
       Events.Name AS event_names, Events.Attributes AS event_attributes`,
    ),
    p.values,
    { signal },
  );
  const spans = new Map<string, TraceSpan>();
  for (const r of rows) {
    spans.set(r.SpanId, {
      spanId: r.SpanId,
      parentSpanId: r.ParentSpanId === "" ? null : r.ParentSpanId,
      name: r.SpanName,
      kind: r.SpanKind,
      serviceName: r.ServiceName,
      startTimeUnixNano: r.start_ns,
      durationNanos: r.Duration,
      startMs: Number(BigInt(r.start_ns) / 1000n) / 1000,
      durationMs: Number(BigInt(r.Duration) / 1000n) / 1000,
      status: { code: r.StatusCode, message: r.StatusMessage },
      attributes: r.SpanAttributes,
      events: r.event_times.map((t, i) => ({
        timeUnixNano: t,
        name: r.event_names[i] ?? "",
        attributes: r.event_attributes[i] ?? {},
      })),
      children: [],
    });
  }
  if (spans.size === 0) throw notFound(`no spans stored for trace ${key.traceId}`);
  const roots: TraceSpan[] = [];
  for (const span of spans.values()) {
    const parent = span.parentSpanId ? spans.get(span.parentSpanId) : undefined;
    if (parent) parent.children.push(span);
    else roots.push(span);
  }
  return { traceId: key.traceId, spanCount: spans.size, roots };
}

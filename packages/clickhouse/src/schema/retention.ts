/** The TTL clause of a table: rows older than `days` by `timeExpression` are dropped. */
export function ttl(timeExpression: string, days: number): string {
  return `TTL ${timeExpression} + toIntervalDay(${Math.trunc(days)})`;
}

/** Tables with a TTL, and the time expression each one's TTL reads. */
export const TTL_TABLES: Readonly<Record<string, string>> = {
  otel_traces: "toDateTime(Timestamp)",
  executions: "toDateTime(created_at)",
  execution_states: "toDateTime(created_at)",
  run_arrivals: "toDateTime(created_at)",
  tool_calls: "toDateTime(started_at)",
  interactions: "toDateTime(created_at)",
  otel_metrics_sum: "toDateTime(TimeUnix)",
  otel_metrics_gauge: "toDateTime(TimeUnix)",
  otel_metrics_histogram: "toDateTime(TimeUnix)",
  otel_traces_trace_id_ts: "Start",
  execution_ids: "toDateTime(created_at)",
  run_counts: "period_start",
  tool_counts: "period_start",
  tool_match_counts: "period_start",
  run_duration_hours: "period_start + toIntervalSecond(3600)",
  run_duration_days: "period_start + toIntervalSecond(86400)",
  tool_call_hours: "period_start + toIntervalSecond(3600)",
  tool_call_days: "period_start + toIntervalSecond(86400)",
  tool_duration_hours: "period_start + toIntervalSecond(3600)",
  tool_duration_days: "period_start + toIntervalSecond(86400)",
  run_duration_match_hours: "period_start + toIntervalSecond(3600)",
  run_duration_match_days: "period_start + toIntervalSecond(86400)",
  superseded_executions: "toDateTime(created_at)",
  superseded_repeats: "toDateTime(created_at)",
  execution_snapshots: "toDateTime(ended_at)",
};

/** Epoch ms before which a row is already past retention (TTL would drop it at insert). */
export function retentionCutoffMs(retentionDays: number, nowMs: number = Date.now()): number {
  return nowMs - retentionDays * 86_400_000;
}

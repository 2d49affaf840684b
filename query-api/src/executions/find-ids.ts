import type { ClickHouse } from "@runtrace/clickhouse";
import { CHILD_START_SLACK_MS } from "@runtrace/clickhouse";
import type { IdSearch } from "./list-params.ts";
import { QueryParams } from "./query-params.ts";

/** A W3C trace id: 32 hex digits (stored lowercase). */
const TRACE_ID = /^[0-9a-f]{32}$/i;

/**
 * The runs an `id=` search names: each value is an execution id (read by the `execution_ids`
 * lookup's key) or a trace id (its runs, read from the run tables within the trace's own time
 * range, which `otel_traces_trace_id_ts` holds). Exact matches only. Scopes are not checked
 * here: the list's scope conditions apply to what is found, so another scope's id finds
 * nothing, exactly like an unknown one.
 */
export async function runsNamed(
  ch: ClickHouse,
  values: readonly string[],
  signal: AbortSignal,
): Promise<IdSearch> {
  const found = new Map<string, number>();
  const traces = [...new Set(values.filter((v) => TRACE_ID.test(v)).map((v) => v.toLowerCase()))];
  // The two look-ups side by side (embedded reads run on several connections).
  const [direct, traced] = await Promise.all([
    executionIdsNamed(ch, values, signal),
    traces.length > 0 ? runsOfTraces(ch, traces, signal) : [],
  ]);
  for (const r of [...direct, ...traced]) found.set(r.execution_id, Number(r.ms));
  const times = [...found.values()];
  return {
    executionIds: [...found.keys()],
    fromMs: times.length > 0 ? Math.min(...times) : 0,
    toMs: times.length > 0 ? Math.max(...times) : 0,
  };
}

interface Named {
  execution_id: string;
  ms: number;
}

/** Execution ids among `values`, by the `execution_ids` lookup's key. */
function executionIdsNamed(
  ch: ClickHouse,
  values: readonly string[],
  signal: AbortSignal,
): Promise<Named[]> {
  const p = new QueryParams();
  return ch.select<Named>(
    `SELECT execution_id, toUnixTimestamp64Milli(created_at) AS ms FROM execution_ids
     WHERE execution_id IN ${p.add("Array(String)", [...values])}`,
    p.values,
    { signal },
  );
}

/** The runs of these traces, within the traces' own time range. */
async function runsOfTraces(
  ch: ClickHouse,
  traces: readonly string[],
  signal: AbortSignal,
): Promise<Named[]> {
  const span = new QueryParams();
  const [window] = await ch.select<{ lo: number | null; hi: number | null }>(
    `SELECT toUnixTimestamp(min(Start)) * 1000 AS lo, toUnixTimestamp(max(End)) * 1000 AS hi
     FROM otel_traces_trace_id_ts WHERE TraceId IN ${span.add("Array(String)", traces)}`,
    span.values,
    { signal },
  );
  if (!window || window.lo === null || window.hi === null || Number(window.hi) <= 0) return [];
  // A run starts within its trace; the slack covers clocks and whole seconds (Start, End).
  const p = new QueryParams();
  const range = `created_at >= fromUnixTimestamp64Milli(${p.add("Int64", Number(window.lo) - CHILD_START_SLACK_MS)})
    AND created_at <= fromUnixTimestamp64Milli(${p.add("Int64", Number(window.hi) + CHILD_START_SLACK_MS)})
    AND trace_id IN ${p.add("Array(String)", traces)}`;
  return ch.select<Named>(
    `SELECT execution_id, toUnixTimestamp64Milli(created_at) AS ms FROM executions WHERE ${range}
     UNION ALL
     SELECT execution_id, toUnixTimestamp64Milli(created_at) AS ms FROM execution_states WHERE ${range}`,
    p.values,
    { signal },
  );
}

import type { ClickHouse } from "@runtrace/clickhouse";
import { ATTR_EXECUTION_ID } from "@runtrace/semconv";
import { QueryParams } from "../executions/query-params.ts";
import type { StoredSpan } from "./span.ts";

/**
 * Who may see a trace. With scoped tokens, a trace is visible only when it carries a run of a
 * readable scope (a row of `execution_ids` with its trace id). `null` scopes read everything
 * and add no condition, so the unscoped path never pays for the lookup.
 */

/**
 * A condition on `TraceId`: the traces of runs in `scopes`. `candidates` (a subquery of trace
 * ids) narrows the lookup to traces the query reads anyway, so the set stays as small as the
 * query's own time window instead of every run the scopes ever had.
 */
export function visibleTraceCondition(
  p: QueryParams,
  scopes: readonly string[] | null,
  candidates?: string,
): string {
  if (scopes === null) return "";
  const narrow = candidates ? `AND trace_id IN (${candidates})` : "";
  return `AND TraceId IN (SELECT trace_id FROM execution_ids
    WHERE scope_id IN ${p.add("Array(String)", scopes)} ${narrow})`;
}

/**
 * The ids among `traces` the scopes may see. The execution ids the spans carry turn the check
 * into primary-key reads of `execution_ids` (keyed by execution id, not trace id).
 */
export async function visibleTraceIds(
  ch: ClickHouse,
  traces: ReadonlyMap<string, readonly StoredSpan[]>,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<Set<string>> {
  if (scopes === null) return new Set(traces.keys());
  const executionIds = new Set<string>();
  for (const spans of traces.values()) {
    for (const span of spans) {
      const id = span.attributes.find((a) => a.key === ATTR_EXECUTION_ID)?.value;
      if (id) executionIds.add(id);
    }
  }
  if (executionIds.size === 0 || scopes.length === 0) return new Set();
  const p = new QueryParams();
  const rows = await ch.select<{ trace_id: string }>(
    `SELECT DISTINCT trace_id FROM execution_ids
     WHERE execution_id IN ${p.add("Array(String)", [...executionIds])}
       AND scope_id IN ${p.add("Array(String)", scopes)}
       AND trace_id IN ${p.add("Array(String)", [...traces.keys()])}`,
    p.values,
    { signal },
  );
  return new Set(rows.map((r) => r.trace_id));
}

import type { ClickHouse } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import type { JaegerDependencyLink as DependencyLink } from "../contract/index.ts";
import { QueryParams } from "../executions/query-params.ts";
import { visibleTraceCondition } from "./visibility.ts";

export interface DependencyQuery {
  /** Children that started in [fromNs, toNs] are counted. */
  fromNs: bigint;
  toNs: bigint;
  /** Only links where this service is the parent or the child. */
  serviceName?: string;
}

/**
 * A parent span started before its child, maybe before the window: parents are looked for this
 * much earlier, so a call that began just before the window still has its caller.
 */
const PARENT_MARGIN_NS = 3_600_000_000_000n;

/**
 * Service-to-service calls: each span whose parent span belongs to another service counts one
 * call from the parent's service to the child's. Only traces with more than one service can
 * hold such a pair, so the parent/child join is limited to them.
 */
export async function dependencyLinks(
  ch: ClickHouse,
  q: DependencyQuery,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<DependencyLink[]> {
  const p = new QueryParams();
  const to = `fromUnixTimestamp64Nano(${p.add("Int64", q.toNs)})`;
  const from = `fromUnixTimestamp64Nano(${p.add("Int64", q.fromNs)})`;
  const parentFrom = `fromUnixTimestamp64Nano(${p.add("Int64", q.fromNs - PARENT_MARGIN_NS)})`;
  const notState = `SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}`;
  const multiService = `SELECT TraceId FROM otel_traces
    WHERE Timestamp >= ${parentFrom} AND Timestamp <= ${to} AND ${notState}
    GROUP BY TraceId HAVING uniqExact(ServiceName) > 1`;
  const traces = `TraceId IN (${multiService}) ${visibleTraceCondition(p, scopes, multiService)}`;
  const service =
    q.serviceName === undefined
      ? ""
      : `AND (parent = ${p.add("String", q.serviceName)} OR child = ${p.add("String", q.serviceName)})`;
  const rows = await ch.select<DependencyLink>(
    `SELECT parent, child, toUInt64(count()) AS callCount
     FROM (
       SELECT DISTINCT TraceId, SpanId, ParentSpanId, ServiceName AS child FROM otel_traces
       WHERE Timestamp >= ${from} AND Timestamp <= ${to} AND ParentSpanId != '' AND ${notState}
         AND ${traces}
     ) AS c
     INNER JOIN (
       SELECT DISTINCT TraceId, SpanId, ServiceName AS parent FROM otel_traces
       WHERE Timestamp >= ${parentFrom} AND Timestamp <= ${to} AND ${notState} AND ${traces}
     ) AS p ON c.TraceId = p.TraceId AND c.ParentSpanId = p.SpanId
     WHERE parent != child ${service}
     GROUP BY parent, child
     ORDER BY parent, child`,
    p.values,
    { signal },
  );
  return rows.map((r) => ({ parent: r.parent, child: r.child, callCount: Number(r.callCount) }));
}

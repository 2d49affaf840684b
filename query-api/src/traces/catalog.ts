import type { ClickHouse } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { QueryParams } from "../executions/query-params.ts";
import { type SpanKind, spanKindOf, storedSpanKinds } from "./span.ts";
import { visibleTraceCondition } from "./visibility.ts";

/**
 * Services and span names over everything stored (retention bounds the table). Both lead the
 * table's key, so these reads walk the key's first columns only.
 */

export async function listServices(
  ch: ClickHouse,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<string[]> {
  const p = new QueryParams();
  const rows = await ch.select<{ ServiceName: string }>(
    `SELECT DISTINCT ServiceName FROM otel_traces
     WHERE SpanName != ${p.add("String", SPAN_EXECUTION_STATE)} ${visibleTraceCondition(p, scopes)}
     ORDER BY ServiceName`,
    p.values,
    { signal },
  );
  return rows.map((r) => r.ServiceName);
}

export interface Operation {
  name: string;
  kind: SpanKind;
}

/** A service's span names with each kind they were recorded with, by name. */
export async function listOperations(
  ch: ClickHouse,
  serviceName: string,
  kind: SpanKind | undefined,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<Operation[]> {
  const p = new QueryParams();
  const kindCondition =
    kind === undefined ? "" : `AND SpanKind IN ${p.add("Array(String)", storedSpanKinds(kind))}`;
  const rows = await ch.select<{ SpanName: string; SpanKind: string }>(
    `SELECT SpanName, SpanKind FROM otel_traces
     WHERE ServiceName = ${p.add("String", serviceName)}
       AND SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}
       ${kindCondition} ${visibleTraceCondition(p, scopes)}
     GROUP BY SpanName, SpanKind
     ORDER BY SpanName, SpanKind`,
    p.values,
    { signal },
  );
  const seen = new Set<string>();
  const operations: Operation[] = [];
  for (const r of rows) {
    const op = { name: r.SpanName, kind: spanKindOf(r.SpanKind) };
    // Two spellings of one kind (our writer's and the collector exporter's) are one operation.
    const key = `${op.kind}\u0000${op.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    operations.push(op);
  }
  return operations;
}

import { type ClickHouse, sqlLiteral } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import type { ConformanceFinding, ConformanceReport } from "../contract/index.ts";
import { QueryParams } from "../executions/query-params.ts";
import { visibleTraceCondition } from "../traces/visibility.ts";
import { RULES } from "./rules.ts";

export interface ConformanceRange {
  service: string;
  fromMs: number;
  toMs: number;
  examples: number;
  /** Readable scopes (`null`: every scope): only the traces of their runs are checked. */
  scopes: readonly string[] | null;
  signal: AbortSignal;
}

type Row = Record<string, unknown> & { checked: string; violating: string };

/**
 * Checks one service's spans that started in [from, to) against every rule in one read of
 * `otel_traces`: `ServiceName` leads its key and the window bounds `Timestamp`, so only that
 * service's days are read. A span stored twice (a retried request) counts once.
 */
export async function checkConformance(
  ch: ClickHouse,
  range: ConformanceRange,
): Promise<ConformanceReport> {
  const p = new QueryParams();
  const where = [
    `ServiceName = ${p.add("String", range.service)}`,
    `Timestamp >= fromUnixTimestamp64Milli(${p.add("Int64", range.fromMs)})`,
    `Timestamp < fromUnixTimestamp64Milli(${p.add("Int64", range.toMs)})`,
    // State spans are not stored here; another writer's could be, and are runtrace's own shape.
    `SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}`,
  ].join(" AND ");
  const conditions = RULES.map((rule) => `(${rule.condition(p)})`);
  // An aggregate function's parameter cannot be a query parameter: the one tested quoting
  // function writes it.
  const examples = sqlLiteral("UInt32", range.examples);
  const perRule = conditions.flatMap((condition, i) => [
    `uniqExactIf(SpanId, ${condition}) AS n${i}`,
    `arraySort(x -> x.1, groupUniqArrayIf(${examples})((SpanId, TraceId, SpanName), ${condition})) AS e${i}`,
  ]);
  const candidates = `SELECT TraceId FROM otel_traces WHERE ${where}`;
  const [row] = await ch.select<Row>(
    `SELECT uniqExact(SpanId) AS checked,
       uniqExactIf(SpanId, ${conditions.join(" OR ")}) AS violating,
       ${perRule.join(",\n       ")}
     FROM otel_traces
     WHERE ${where} ${visibleTraceCondition(p, range.scopes, candidates)}
     SETTINGS max_threads = 4`,
    p.values,
    { signal: range.signal },
  );
  const rules: ConformanceFinding[] = RULES.map((rule, i) => ({
    rule: rule.id,
    description: rule.description,
    spans: Number(row?.[`n${i}`] ?? 0),
    examples: ((row?.[`e${i}`] as [string, string, string][] | undefined) ?? []).map(
      ([spanId, traceId, name]) => ({ spanId, traceId, name }),
    ),
  }));
  return {
    service: range.service,
    from: range.fromMs,
    to: range.toMs,
    spansChecked: Number(row?.checked ?? 0),
    violations: Number(row?.violating ?? 0),
    rules,
  };
}

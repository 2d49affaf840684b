import { type ClickHouse, sqlLiteral } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import type { ConformanceFinding, ConformanceReport } from "../contract/index.ts";
import { QueryParams } from "../executions/query-params.ts";
import { visibleTraceCondition } from "../traces/visibility.ts";
import { SNAPSHOT_ORDER_RULE, SPAN_RULES } from "./rules.ts";

export interface ConformanceRange {
  service: string;
  fromMs: number;
  toMs: number;
  examples: number;
  /** Readable scopes (`null`: every scope): only the traces of their runs are checked. */
  scopes: readonly string[] | null;
  signal: AbortSignal;
}

type Example = [spanId: string, traceId: string, name: string];
type SpanRow = Record<string, unknown> & { checked: string; violating: string };
interface SnapshotRow {
  checked: string;
  violating: string;
  examples: Example[];
}

/**
 * Checks one service's spans against every rule: its spans that started in [from, to) in one
 * read of `otel_traces` (`ServiceName` leads its key and the window bounds `Timestamp`, so only
 * that service's days are read), and its state spans that ended in the window in one read of
 * `execution_snapshots`. A span stored twice (a retried request) counts once.
 */
export async function checkConformance(
  ch: ClickHouse,
  range: ConformanceRange,
): Promise<ConformanceReport> {
  // An aggregate function's parameter cannot be a query parameter: the one tested quoting
  // function writes it.
  const examples = sqlLiteral("UInt32", range.examples);
  const [spans, snapshots] = await Promise.all([
    checkSpans(ch, range, examples),
    checkSnapshotOrder(ch, range, examples),
  ]);
  const finding = (
    rule: { id: string; description: string },
    count: unknown,
    list: Example[] | undefined,
  ): ConformanceFinding => ({
    rule: rule.id,
    description: rule.description,
    spans: Number(count ?? 0),
    examples: (list ?? []).map(([spanId, traceId, name]) => ({ spanId, traceId, name })),
  });
  const rules = SPAN_RULES.map((rule, i) =>
    finding(rule, spans?.[`n${i}`], spans?.[`e${i}`] as Example[] | undefined),
  );
  rules.push(finding(SNAPSHOT_ORDER_RULE, snapshots?.violating, snapshots?.examples));
  return {
    service: range.service,
    from: range.fromMs,
    to: range.toMs,
    spansChecked: Number(spans?.checked ?? 0),
    snapshotsChecked: Number(snapshots?.checked ?? 0),
    // State spans are never in `otel_traces`: the two sets of spans are apart.
    violations: Number(spans?.violating ?? 0) + Number(snapshots?.violating ?? 0),
    rules,
  };
}

async function checkSpans(
  ch: ClickHouse,
  range: ConformanceRange,
  examples: string,
): Promise<SpanRow | undefined> {
  const p = new QueryParams();
  const where = [
    `ServiceName = ${p.add("String", range.service)}`,
    `Timestamp >= fromUnixTimestamp64Milli(${p.add("Int64", range.fromMs)})`,
    `Timestamp < fromUnixTimestamp64Milli(${p.add("Int64", range.toMs)})`,
    // State spans are not stored here; another writer's could be, and are runtrace's own shape.
    `SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}`,
  ].join(" AND ");
  const conditions = SPAN_RULES.map((rule) => `(${rule.condition(p)})`);
  const perRule = conditions.flatMap((condition, i) => [
    `uniqExactIf(SpanId, ${condition}) AS n${i}`,
    `arraySort(x -> x.1, groupUniqArrayIf(${examples})((SpanId, TraceId, SpanName), ${condition})) AS e${i}`,
  ]);
  const candidates = `SELECT TraceId FROM otel_traces WHERE ${where}`;
  const [row] = await ch.select<SpanRow>(
    `SELECT uniqExact(SpanId) AS checked,
       uniqExactIf(SpanId, ${conditions.join(" OR ")}) AS violating,
       ${perRule.join(",\n       ")}
     FROM otel_traces
     WHERE ${where} ${visibleTraceCondition(p, range.scopes, candidates)}`,
    p.values,
    { signal: range.signal },
  );
  return row;
}

/**
 * The service's state spans that ended in the window, against the final snapshots of their
 * runs (whenever those ended): a state span numbered after every final one breaks the rule.
 */
async function checkSnapshotOrder(
  ch: ClickHouse,
  range: ConformanceRange,
  examples: string,
): Promise<SnapshotRow | undefined> {
  const p = new QueryParams();
  const service = p.add("String", range.service);
  const scopes =
    range.scopes === null ? "" : `AND scope_id IN ${p.add("Array(String)", range.scopes)}`;
  const states = `SELECT DISTINCT scope_id, execution_id, span_id, trace_id, span_name, seq
    FROM execution_snapshots
    WHERE service_name = ${service} AND NOT final
      AND span_name = ${p.add("String", SPAN_EXECUTION_STATE)}
      AND ended_at >= fromUnixTimestamp64Milli(${p.add("Int64", range.fromMs)})
      AND ended_at < fromUnixTimestamp64Milli(${p.add("Int64", range.toMs)}) ${scopes}`;
  const finals = `SELECT scope_id, execution_id, max(seq) AS final_seq
    FROM execution_snapshots
    WHERE service_name = ${service} AND final
      AND execution_id IN (SELECT execution_id FROM (${states}))
    GROUP BY scope_id, execution_id`;
  const [row] = await ch.select<SnapshotRow>(
    `SELECT uniqExact(s.span_id) AS checked,
       uniqExactIf(s.span_id, f.final_seq IS NOT NULL AND s.seq > f.final_seq) AS violating,
       arraySort(x -> x.1, groupUniqArrayIf(${examples})((s.span_id, s.trace_id, s.span_name),
         f.final_seq IS NOT NULL AND s.seq > f.final_seq)) AS examples
     FROM (${states}) AS s
     LEFT JOIN (${finals}) AS f ON s.scope_id = f.scope_id AND s.execution_id = f.execution_id
     SETTINGS join_use_nulls = 1`,
    p.values,
    { signal: range.signal },
  );
  return row;
}

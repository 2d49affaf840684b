import type { ClickHouse } from "@runtrace/clickhouse";
import { EXECUTION_STATUSES } from "@runtrace/semconv";
import type { ExecutionFilter } from "./list-params.ts";
import { QueryParams } from "./query-params.ts";
import { readSettings, runsUnion, toolCallWindow } from "./runs-source.ts";
import { bucketStarts, chartBucketMs } from "./timeline.ts";

type StatusCounts = Record<string, number>;

export interface ExecutionListMeta {
  /** Runs in the readable scopes, no filters. */
  totalRowCount: number;
  /** Runs matching every filter. */
  filterRowCount: number;
  /** All six statuses, zeros included; counted with every filter except `status`. */
  statusCounts: { status: string; count: number }[];
  /** Counted with every filter except `trigger`; `null` = no trigger recorded. */
  triggerCounts: { triggerKind: string | null; count: number }[];
  /** Top 20 tool paths by call count, with every filter except `tool`. */
  toolFacets: { toolPath: string; count: number }[];
  /** Counted with every filter except `elicitation`. */
  interactionCounts: { withElicitation: number; withoutElicitation: number };
  chartBucketMs: number;
  /** Every bucket from `from` to `to` (or the filtered runs' first to last start), all filters. */
  chartData: { bucketStart: number; counts: StatusCounts }[];
}

interface Group {
  status: string;
  trigger_kind: string;
  has_elicitation: boolean | number;
  bucket: number;
  n: number;
}

function emptyCounts(): StatusCounts {
  return Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0]));
}

/** Computes the list meta: three reads, whatever the number of facets. */
export async function listMeta(
  ch: ClickHouse,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<ExecutionListMeta> {
  // The chart's range: the request's, else the filtered runs' first and last start.
  let fromMs = filter.fromMs;
  let toMs = filter.toMs;
  if (fromMs === undefined || toMs === undefined) {
    const p = new QueryParams();
    const [r] = await ch.select<{ lo: number | null; hi: number | null; n: number }>(
      `SELECT min(created_ms) AS lo, max(created_ms) AS hi, count() AS n FROM (${runsUnion(
        p,
        { filter, scopes },
        "toUnixTimestamp64Milli(created_at) AS created_ms",
      )})`,
      p.values,
      { signal, settings: readSettings(filter) },
    );
    const now = Date.now();
    fromMs ??= r && r.n > 0 && r.lo !== null ? r.lo : (toMs ?? now);
    toMs ??= r && r.n > 0 && r.hi !== null ? r.hi : Math.max(fromMs, now);
  }
  const step = chartBucketMs(fromMs, toMs);

  const p = new QueryParams();
  const stepParam = p.add("Int64", step);
  const grouped = ch.select<Group>(
    `SELECT status, trigger_kind, has_elicitation, bucket, count() AS n FROM (${runsUnion(
      p,
      { filter, scopes, omit: ["status", "trigger", "elicitation"] },
      `status, trigger_kind, has_elicitation,
       intDiv(toUnixTimestamp64Milli(created_at), ${stepParam}) * ${stepParam} AS bucket`,
    )}) GROUP BY status, trigger_kind, has_elicitation, bucket`,
    p.values,
    { signal, settings: readSettings(filter) },
  );
  const tp = new QueryParams();
  const total = ch.select<{ n: number }>(
    `SELECT count() AS n FROM (${runsUnion(tp, { filter: {}, scopes }, "execution_id")})`,
    tp.values,
    { signal },
  );
  const [groups, [totalRow], toolFacets] = await Promise.all([
    grouped,
    total,
    selectToolFacets(ch, filter, scopes, signal),
  ]);

  const statusOk = (g: Group) => !filter.statuses || filter.statuses.includes(g.status);
  const triggerOk = (g: Group) => !filter.triggers || filter.triggers.includes(g.trigger_kind);
  const elicitationOk = (g: Group) =>
    filter.elicitation === undefined || Boolean(g.has_elicitation) === filter.elicitation;

  const statusCounts = emptyCounts();
  const triggerCounts = new Map<string, number>();
  const interactionCounts = { withElicitation: 0, withoutElicitation: 0 };
  const buckets = new Map<number, StatusCounts>();
  let filterRowCount = 0;
  for (const g of groups) {
    const n = Number(g.n);
    const s = statusOk(g);
    const t = triggerOk(g);
    const e = elicitationOk(g);
    if (t && e) statusCounts[g.status] = (statusCounts[g.status] ?? 0) + n;
    if (s && e) triggerCounts.set(g.trigger_kind, (triggerCounts.get(g.trigger_kind) ?? 0) + n);
    if (s && t) {
      if (g.has_elicitation) interactionCounts.withElicitation += n;
      else interactionCounts.withoutElicitation += n;
    }
    if (s && t && e) {
      filterRowCount += n;
      const counts = buckets.get(Number(g.bucket)) ?? emptyCounts();
      counts[g.status] = (counts[g.status] ?? 0) + n;
      buckets.set(Number(g.bucket), counts);
    }
  }
  return {
    totalRowCount: Number(totalRow?.n ?? 0),
    filterRowCount,
    statusCounts: Object.entries(statusCounts).map(([status, count]) => ({ status, count })),
    triggerCounts: [...triggerCounts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([kind, count]) => ({ triggerKind: kind === "" ? null : kind, count })),
    toolFacets,
    interactionCounts,
    chartBucketMs: step,
    chartData: bucketStarts(fromMs, toMs, step).map((bucketStart) => ({
      bucketStart,
      counts: buckets.get(bucketStart) ?? emptyCounts(),
    })),
  };
}

/**
 * Top 20 tool paths by call count over the runs matching every filter except `tool`. Calls
 * are those that started within the time range; when other filters narrow the runs, only
 * those runs' calls count.
 */
async function selectToolFacets(
  ch: ClickHouse,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<{ toolPath: string; count: number }[]> {
  const p = new QueryParams();
  const where = toolCallWindow(p, scopes, filter.fromMs, filter.toMs);
  const narrowed =
    filter.statuses ||
    filter.triggers ||
    filter.code !== undefined ||
    filter.elicitation !== undefined;
  if (narrowed) {
    where.push(
      `execution_id IN (SELECT execution_id FROM (${runsUnion(p, { filter, scopes, omit: ["tool"] }, "execution_id")}))`,
    );
  }
  const rows = await ch.select<{ tool_path: string; n: number }>(
    `SELECT tool_path, count() AS n FROM tool_calls WHERE ${where.join(" AND ") || "1"}
     GROUP BY tool_path ORDER BY n DESC, tool_path ASC LIMIT 20`,
    p.values,
    // The runs' id set can be large: see readSettings.
    {
      signal,
      settings: narrowed ? { ignore_data_skipping_indices: "idx_execution_id" } : undefined,
    },
  );
  return rows.map((r) => ({ toolPath: r.tool_path, count: Number(r.n) }));
}

import {
  type BucketQuantile,
  bucketQuantiles,
  type ClickHouse,
  DURATION_COUNTS_PERIOD_SECONDS,
  durationBucketSql,
  UNFINISHED_SNAPSHOT,
} from "@runtrace/clickhouse";
import { TERMINAL_STATUSES } from "@runtrace/semconv";
import type { ExecutionNumbers } from "../contract/index.ts";
import type { ExecutionFilter } from "./list-params.ts";
import {
  codeCountStart,
  groupTests,
  periodConditions,
  runCountsSource,
  wholePeriods,
} from "./meta.ts";
import { QueryParams } from "./query-params.ts";
import {
  currentFinishedRows,
  dimensionConditions,
  finishedConditions,
  readsRunRows,
  runConditions,
} from "./runs-source.ts";
import { bucketStarts, chartBucketMs } from "./timeline.ts";

/** Tool paths listed at most (the most calls first). */
export const MAX_NUMBERS_TOOLS = 20;

const TERMINAL = new Set<string>(TERMINAL_STATUSES);

/** One row of the numbers statement, whose UNION ALL branches share the first one's columns. */
interface NumbersRow {
  part: "runs" | "durations" | "tools";
  status: string;
  trigger_kind: string;
  has_elicitation: boolean | number;
  /** runs: the timeline bucket; durations and tools: the duration bucket. */
  bucket: number;
  tool_path: string;
  failed: boolean | number;
  n: number;
}

/**
 * Whether the duration rollups can answer this filter: they are keyed by scope, hour, status,
 * trigger and elicitation, so not a code, error-group or tool filter or an id search.
 */
function rollupAnswers(filter: ExecutionFilter): boolean {
  return !readsRunRows(filter) && !filter.tools && !filter.ids;
}

/**
 * Finished runs per duration bucket, as rows (status, trigger_kind, has_elicitation, bucket,
 * n) that already pass every filter: whole hours from `run_duration_counts`, the range's
 * partial hours from each run's current row, or every matching row when the rollup cannot
 * answer.
 */
function durationsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
): string {
  const bucket = durationBucketSql("greatest(assumeNotNull(duration_ms), 0) * 1000");
  const columns = `status, trigger_kind, has_elicitation, ${bucket} AS bucket, toInt64(1) AS n`;
  const periods = rollupAnswers(filter)
    ? wholePeriods(filter.fromMs, filter.toMs, DURATION_COUNTS_PERIOD_SECONDS * 1000)
    : null;
  if (!periods) {
    return `SELECT ${columns} FROM executions
      WHERE ${finishedConditions(p, { filter, scopes }).join(" AND ")} AND duration_ms IS NOT NULL`;
  }
  const { where, outside } = periodConditions(p, scopes, periods, filter);
  const dimensions = dimensionConditions(p, filter);
  const parts = [
    `SELECT status, trigger_kind, has_elicitation, bucket, runs AS n FROM run_duration_counts
     WHERE ${[...where, ...dimensions].join(" AND ")}`,
  ];
  if (outside) {
    const rows = currentFinishedRows(
      p,
      { filter, scopes, keyExtra: [outside] },
      "status, trigger_kind, has_elicitation, duration_ms",
    );
    parts.push(
      `SELECT ${columns} FROM ${rows}
       WHERE ${[...dimensions, "duration_ms IS NOT NULL"].join(" AND ")}`,
    );
  }
  return parts.join("\nUNION ALL\n");
}

/**
 * The filtered runs' tool calls per path, outcome and duration bucket, as rows (tool_path,
 * failed, bucket, n): finished runs from `tool_call_counts` (whole hours) and their current
 * rows (the partial hours), unfinished runs from their latest snapshot; every matching row when
 * the rollup cannot answer.
 */
function toolCallsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
): string {
  const perStat =
    "stat.path AS tool_path, stat.failed AS failed, toInt64(stat.bucket) AS bucket, toInt64(stat.calls) AS n";
  const arrayJoin = "ARRAY JOIN tool_call_stats AS stat";
  const parts: string[] = [];
  const periods = rollupAnswers(filter)
    ? wholePeriods(filter.fromMs, filter.toMs, DURATION_COUNTS_PERIOD_SECONDS * 1000)
    : null;
  if (periods) {
    const { where, outside } = periodConditions(p, scopes, periods, filter);
    const dimensions = dimensionConditions(p, filter);
    parts.push(
      `SELECT tool_path, failed, toInt64(bucket) AS bucket, calls AS n FROM tool_call_counts
       WHERE ${[...where, ...dimensions].join(" AND ")}`,
    );
    if (outside) {
      const rows = currentFinishedRows(
        p,
        { filter, scopes, keyExtra: [outside] },
        "status, trigger_kind, has_elicitation, tool_call_stats",
      );
      parts.push(
        `SELECT ${perStat} FROM ${rows} ${arrayJoin} WHERE ${dimensions.join(" AND ") || "1"}`,
      );
    }
  } else {
    parts.push(
      `SELECT ${perStat} FROM executions ${arrayJoin}
       WHERE ${finishedConditions(p, { filter, scopes }).join(" AND ")}`,
    );
  }
  parts.push(
    `SELECT ${perStat} FROM execution_states FINAL ${arrayJoin}
     WHERE ${runConditions(p, { filter, scopes, extra: [UNFINISHED_SNAPSHOT] }).join(" AND ")}`,
  );
  return parts.join("\nUNION ALL\n");
}

function quantile(answers: BucketQuantile[], q: number): BucketQuantile | null {
  return answers.find((a) => a.q === q) ?? null;
}

/** What `/v1/executions/numbers` reads. */
export interface NumbersOptions {
  scopes: readonly string[] | null;
  codeCountBudget: number;
}

/**
 * The numbers of the runs a filter matches, in one statement: runs per status and timeline
 * bucket (the list's counts, from `run_counts`), finished runs per duration bucket and tool
 * calls per path, outcome and duration bucket (the v11 rollups). A code filter counts back from
 * the range's end while the code-count budget lasts, as the list's counts do.
 */
export async function executionNumbers(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: NumbersOptions,
  signal: AbortSignal,
): Promise<ExecutionNumbers> {
  const { scopes } = options;
  const countedFrom =
    filter.code !== undefined && !filter.ids
      ? await codeCountStart(ch, filter, scopes, options.codeCountBudget, signal)
      : undefined;
  const counted = countedFrom === undefined ? filter : { ...filter, fromMs: countedFrom };
  const nowMs = Date.now();
  const fromMs = counted.fromMs ?? counted.ids?.fromMs;
  const toMs =
    counted.toMs ?? (counted.ids ? Math.max(counted.ids.toMs, counted.ids.fromMs) : nowMs);
  const step = fromMs === undefined ? null : chartBucketMs(fromMs, toMs);
  const p = new QueryParams();
  const rows = await ch.select<NumbersRow>(
    `SELECT 'runs' AS part, status, trigger_kind, has_elicitation, toInt64(bucket) AS bucket,
       '' AS tool_path, false AS failed, toInt64(sum(n)) AS n
     FROM (${runCountsSource(p, counted, scopes, step)})
     GROUP BY status, trigger_kind, has_elicitation, bucket
     UNION ALL
     SELECT 'durations', '', '', false, toInt64(bucket), '', false, toInt64(sum(n))
     FROM (${durationsSource(p, counted, scopes)}) GROUP BY bucket
     UNION ALL
     SELECT 'tools', '', '', false, toInt64(bucket), tool_path, failed, toInt64(sum(n))
     FROM (${toolCallsSource(p, counted, scopes)}) GROUP BY tool_path, failed, bucket`,
    p.values,
    { signal },
  );

  const ok = groupTests(filter);
  let runs = 0;
  let finished = 0;
  let failed = 0;
  const series = new Map<number, { finished: number; failed: number }>();
  const durations = new Map<number, number>();
  const tools = new Map<
    string,
    { calls: number; failures: number; buckets: Map<number, number> }
  >();
  for (const r of rows) {
    const n = Number(r.n);
    if (r.part === "runs") {
      if (!ok.status(r) || !ok.trigger(r) || !ok.elicitation(r)) continue;
      runs += n;
      if (!TERMINAL.has(r.status)) continue;
      const point = series.get(Number(r.bucket)) ?? { finished: 0, failed: 0 };
      point.finished += n;
      finished += n;
      if (r.status === "failed") {
        point.failed += n;
        failed += n;
      }
      series.set(Number(r.bucket), point);
    } else if (r.part === "durations") {
      durations.set(Number(r.bucket), (durations.get(Number(r.bucket)) ?? 0) + n);
    } else {
      const tool = tools.get(r.tool_path) ?? { calls: 0, failures: 0, buckets: new Map() };
      tool.calls += n;
      if (r.failed) tool.failures += n;
      tool.buckets.set(Number(r.bucket), (tool.buckets.get(Number(r.bucket)) ?? 0) + n);
      tools.set(r.tool_path, tool);
    }
  }
  const durationAnswers = bucketQuantiles(durations, [0.5, 0.95]);
  return {
    runs,
    finished,
    failed,
    failureRate: finished > 0 ? failed / finished : null,
    duration: {
      runs: [...durations.values()].reduce((a, b) => a + b, 0),
      p50: quantile(durationAnswers, 0.5),
      p95: quantile(durationAnswers, 0.95),
    },
    failureRateSeries: {
      bucketMs: step,
      points: (fromMs === undefined || step === null ? [] : bucketStarts(fromMs, toMs, step)).map(
        (bucketStart) => {
          const point = series.get(bucketStart) ?? { finished: 0, failed: 0 };
          return {
            bucketStart,
            finished: point.finished,
            failed: point.failed,
            failureRate: point.finished > 0 ? point.failed / point.finished : null,
          };
        },
      ),
    },
    tools: [...tools]
      .filter(([, t]) => t.calls > 0)
      .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, MAX_NUMBERS_TOOLS)
      .map(([toolPath, t]) => ({
        toolPath,
        calls: t.calls,
        failures: t.failures,
        failureRate: t.failures / t.calls,
        p95: quantile(bucketQuantiles(t.buckets, [0.95]), 0.95),
      })),
    toolPathCount: [...tools.values()].filter((t) => t.calls > 0).length,
    partial: countedFrom === undefined ? null : { countedFrom },
  };
}

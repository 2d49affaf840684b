import {
  type BucketQuantile,
  bucketQuantiles,
  type ClickHouse,
  DAY_SECONDS,
  durationBucketSql,
  HOUR_SECONDS,
  UNFINISHED_SNAPSHOT,
} from "@runtrace/clickhouse";
import { TERMINAL_STATUSES } from "@runtrace/semconv";
import type { ExecutionNumbers, ToolNumbers } from "../contract/index.ts";
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
  singleToolMatcher,
  toolCondition,
} from "./runs-source.ts";
import { bucketStarts, chartBucketMs } from "./timeline.ts";

/** Tool paths listed at most (the most calls first). */
export const MAX_NUMBERS_TOOLS = 20;

const TERMINAL = new Set<string>(TERMINAL_STATUSES);

/** One row of the numbers statement, whose UNION ALL branches share the first one's columns. */
interface NumbersRow {
  part: "runs" | "durations";
  status: string;
  trigger_kind: string;
  has_elicitation: boolean | number;
  /** runs: the timeline bucket; durations: the duration bucket. */
  bucket: number;
  n: number;
}

const HOUR_MS = HOUR_SECONDS * 1000;
const DAY_MS = DAY_SECONDS * 1000;

/**
 * Whether the v11 rollups can answer this filter: they are keyed by scope, time, status,
 * trigger and elicitation, so not a code, error-group or tool filter or an id search.
 */
function rollupAnswers(filter: ExecutionFilter): boolean {
  return !readsRunRows(filter) && !filter.tools && !filter.ids;
}

/** The tool-duration rollups are keyed by status alone. */
function toolDurationRollupAnswers(filter: ExecutionFilter): boolean {
  return rollupAnswers(filter) && !filter.triggers && filter.elicitation === undefined;
}

/**
 * How a range is read from a pair of rollups: whole days from the daily table, the whole hours
 * around them from the hourly one, what is left (the partial hours at either bound) from the
 * run rows. Null when the range holds no whole hour.
 */
function layers(
  p: QueryParams,
  filter: ExecutionFilter,
): { days: string | null; hours: string | null; outside: string | null } | null {
  // A rollup's periods [start, end), and what lies outside them, as the list's counts read them.
  const inRange = (r: { start: number; end: number }) =>
    `(${periodConditions(p, null, r, {}).where.join(" AND ")})`;
  const days = wholePeriods(filter.fromMs, filter.toMs, DAY_MS);
  const hours = days
    ? [
        wholePeriods(filter.fromMs, days.start - 1, HOUR_MS),
        wholePeriods(days.end, filter.toMs, HOUR_MS),
      ].filter((h) => h !== null)
    : [wholePeriods(filter.fromMs, filter.toMs, HOUR_MS)].filter((h) => h !== null);
  const all = [...(days ? [days] : []), ...hours];
  if (all.length === 0) return null;
  // The whole periods are contiguous: the run rows are read outside [first start, last end).
  const covered = {
    start: Math.min(...all.map((r) => r.start)),
    end: Math.max(...all.map((r) => r.end)),
  };
  return {
    days: days ? inRange(days) : null,
    hours: hours.length > 0 ? `(${hours.map(inRange).join(" OR ")})` : null,
    outside: periodConditions(p, null, covered, filter).outside,
  };
}

/**
 * A rollup pair read over the filter's range (`columns` of `<name>_days` and `<name>_hours`
 * whose rows pass `where`), and the run rows of the partial hours (`rows(outside)`); or the
 * run rows alone (`rows(null)`) when the range holds no whole hour or the rollups cannot answer.
 */
function layered(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  rollup: { name: string; columns: string; where: string[] } | null,
  rows: (outside: string | null) => string,
): string {
  const read = rollup ? layers(p, filter) : null;
  if (!rollup || !read) return rows(null);
  const scope = scopes === null ? [] : [`scope_id IN ${p.add("Array(String)", scopes)}`];
  const parts: string[] = [];
  for (const [table, period] of [
    [`${rollup.name}_days`, read.days],
    [`${rollup.name}_hours`, read.hours],
  ] as const) {
    if (period === null) continue;
    parts.push(
      `SELECT ${rollup.columns} FROM ${table} WHERE ${[...scope, period, ...rollup.where].join(" AND ")}`,
    );
  }
  if (read.outside) parts.push(rows(read.outside));
  return parts.join("\nUNION ALL\n");
}

/**
 * Which duration rollup pair answers this filter, and its conditions: v11's without a tool
 * filter; with one tool-filter value, v13's, keyed by the value and status alone.
 */
function durationRollup(
  p: QueryParams,
  filter: ExecutionFilter,
): { name: string; columns: string; where: string[] } | null {
  const columns = "bucket, runs AS n";
  if (rollupAnswers(filter)) {
    return { name: "run_duration", columns, where: dimensionConditions(p, filter) };
  }
  // Keyed by status alone, as the tool-duration rollups are: the same test without the tool.
  const matcher = singleToolMatcher(filter.tools);
  if (matcher === null || !toolDurationRollupAnswers({ ...filter, tools: undefined })) return null;
  return {
    name: "run_duration_match",
    columns,
    where: [
      `matcher = ${p.add("String", matcher)}`,
      ...dimensionConditions(p, { statuses: filter.statuses }),
    ],
  };
}

/** Finished runs per duration bucket, as rows (bucket, n) that pass every filter. */
function durationsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
): string {
  const bucket = durationBucketSql("greatest(assumeNotNull(duration_ms), 0) * 1000");
  const perRun = `${bucket} AS bucket, toInt64(1) AS n`;
  return layered(p, filter, scopes, durationRollup(p, filter), (outside) => {
    if (outside === null) {
      return `SELECT ${perRun} FROM executions
        WHERE ${finishedConditions(p, { filter, scopes }).join(" AND ")} AND duration_ms IS NOT NULL`;
    }
    // The partial hours: each run's current version, then the filters on it.
    const kept = [
      ...dimensionConditions(p, filter),
      ...(filter.tools ? [toolCondition(p, filter.tools)] : []),
      "duration_ms IS NOT NULL",
    ];
    return `SELECT ${perRun} FROM ${currentFinishedRows(
      p,
      { filter, scopes, keyExtra: [outside] },
      "status, trigger_kind, has_elicitation, duration_ms, tool_paths",
    )} WHERE ${kept.join(" AND ")}`;
  });
}

/**
 * The filtered runs' tool calls per path as rows of `columns` over `stat` (one element of a
 * run row's `tool_call_stats`): finished runs from the rollup pair `rollup` or their current
 * rows, unfinished runs from their latest snapshot.
 */
function toolsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
  rollup: { name: string; columns: string; where: string[] } | null,
  perStat: string,
): string {
  const arrayJoin = "ARRAY JOIN tool_call_stats AS stat";
  const dimensions = dimensionConditions(p, filter);
  const finished = layered(p, filter, scopes, rollup, (outside) =>
    outside === null
      ? `SELECT ${perStat} FROM executions ${arrayJoin}
         WHERE ${finishedConditions(p, { filter, scopes }).join(" AND ")}`
      : `SELECT ${perStat} FROM ${currentFinishedRows(
          p,
          { filter, scopes, keyExtra: [outside] },
          "status, trigger_kind, has_elicitation, tool_call_stats",
        )} ${arrayJoin} WHERE ${dimensions.join(" AND ") || "1"}`,
  );
  return `${finished}
    UNION ALL
    SELECT ${perStat} FROM execution_states FINAL ${arrayJoin}
    WHERE ${runConditions(p, { filter, scopes, extra: [UNFINISHED_SNAPSHOT] }).join(" AND ")}`;
}

/** Calls and failed calls per path, as rows (tool_path, calls, failures). */
function toolCallsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
): string {
  return toolsSource(
    p,
    filter,
    scopes,
    rollupAnswers(filter)
      ? {
          name: "tool_call",
          columns: "tool_path, calls, failures",
          where: dimensionConditions(p, filter),
        }
      : null,
    "stat.path AS tool_path, toInt64(stat.calls) AS calls, toInt64(if(stat.failed, stat.calls, 0)) AS failures",
  );
}

/** Calls per path and duration bucket, as rows (tool_path, bucket, n). */
function toolDurationsSource(
  p: QueryParams,
  filter: ExecutionFilter,
  scopes: readonly string[] | null,
): string {
  return toolsSource(
    p,
    filter,
    scopes,
    toolDurationRollupAnswers(filter)
      ? {
          name: "tool_duration",
          columns: "tool_path, toInt64(bucket) AS bucket, calls AS n",
          where: dimensionConditions(p, { statuses: filter.statuses }),
        }
      : null,
    "stat.path AS tool_path, toInt64(stat.bucket) AS bucket, toInt64(stat.calls) AS n",
  );
}

function quantile(answers: BucketQuantile[], q: number): BucketQuantile | null {
  return answers.find((a) => a.q === q) ?? null;
}

/** What `/v1/executions/numbers` reads. */
export interface NumbersOptions {
  scopes: readonly string[] | null;
  codeCountBudget: number;
}

/** The filter a code filter's budget leaves: the runs from `countedFrom` on, when it cuts. */
export async function countedFilter(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: NumbersOptions,
  signal: AbortSignal,
): Promise<{ counted: ExecutionFilter; partial: { countedFrom: number } | null }> {
  const countedFrom =
    filter.code !== undefined && !filter.ids
      ? await codeCountStart(ch, filter, options.scopes, options.codeCountBudget, signal)
      : undefined;
  return countedFrom === undefined
    ? { counted: filter, partial: null }
    : { counted: { ...filter, fromMs: countedFrom }, partial: { countedFrom } };
}

/**
 * The numbers of the runs a filter matches, in one statement: runs per status and timeline
 * bucket (the list's counts, from `run_counts`) and finished runs per duration bucket (the v11
 * rollups). A code filter counts back from the range's end while the code-count budget lasts,
 * as the list's counts do. Per-tool numbers are their own request (`toolNumbers`): they cost as
 * much again, and the page asks for them when they are opened.
 */
export async function executionNumbers(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: NumbersOptions,
  signal: AbortSignal,
): Promise<ExecutionNumbers> {
  const { scopes } = options;
  const { counted, partial } = await countedFilter(ch, filter, options, signal);
  const fromMs = counted.fromMs ?? counted.ids?.fromMs;
  const toMs =
    counted.toMs ?? (counted.ids ? Math.max(counted.ids.toMs, counted.ids.fromMs) : Date.now());
  const step = fromMs === undefined ? null : chartBucketMs(fromMs, toMs);
  const p = new QueryParams();
  const rows = await ch.select<NumbersRow>(
    `SELECT 'runs' AS part, status, trigger_kind, has_elicitation, toInt64(bucket) AS bucket,
       toInt64(sum(n)) AS n
     FROM (${runCountsSource(p, counted, scopes, step)})
     GROUP BY status, trigger_kind, has_elicitation, bucket
     UNION ALL
     SELECT 'durations', '', '', false, toInt64(bucket), toInt64(sum(n))
     FROM (${durationsSource(p, counted, scopes)}) GROUP BY bucket`,
    p.values,
    { signal },
  );

  const ok = groupTests(filter);
  let runs = 0;
  let finished = 0;
  let failed = 0;
  const series = new Map<number, { finished: number; failed: number }>();
  const durations = new Map<number, number>();
  for (const r of rows) {
    const n = Number(r.n);
    if (r.part === "durations") {
      durations.set(Number(r.bucket), (durations.get(Number(r.bucket)) ?? 0) + n);
      continue;
    }
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
    partial,
  };
}

/** One row of the per-tool statement. */
interface ToolRow {
  part: "tools" | "tool_durations";
  tool_path: string;
  bucket: number;
  n: number;
  failures: number;
}

/**
 * Per tool path, over the runs a filter matches: calls and failed calls (`tool_call_*`) and
 * calls per duration bucket (`tool_duration_*`, for p95), the 20 paths with the most calls.
 */
export async function toolNumbers(
  ch: ClickHouse,
  filter: ExecutionFilter,
  options: NumbersOptions,
  signal: AbortSignal,
): Promise<ToolNumbers> {
  const { scopes } = options;
  const { counted, partial } = await countedFilter(ch, filter, options, signal);
  const p = new QueryParams();
  const rows = await ch.select<ToolRow>(
    `SELECT 'tools' AS part, tool_path, toInt64(0) AS bucket, toInt64(sum(calls)) AS n,
       toInt64(sum(failures)) AS failures
     FROM (${toolCallsSource(p, counted, scopes)}) GROUP BY tool_path
     UNION ALL
     SELECT 'tool_durations', tool_path, toInt64(bucket), toInt64(sum(n)), 0
     FROM (${toolDurationsSource(p, counted, scopes)}) GROUP BY tool_path, bucket`,
    p.values,
    { signal },
  );
  const tools = new Map<
    string,
    { calls: number; failures: number; buckets: Map<number, number> }
  >();
  for (const r of rows) {
    const tool = tools.get(r.tool_path) ?? { calls: 0, failures: 0, buckets: new Map() };
    if (r.part === "tools") {
      tool.calls += Number(r.n);
      tool.failures += Number(r.failures);
    } else {
      tool.buckets.set(Number(r.bucket), (tool.buckets.get(Number(r.bucket)) ?? 0) + Number(r.n));
    }
    tools.set(r.tool_path, tool);
  }
  return {
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
    partial,
  };
}

import { TERMINAL_STATUSES } from "@runtrace/semconv";
import { Hono } from "hono";
import {
  type ExecutionStats,
  type ExecutionStatsBucket,
  ExecutionStatsQuery,
  type ToolStats,
  type ToolStatsList,
  ToolStatsQuery,
} from "../contract/index.ts";
import { scopesToRead } from "../http/access.ts";
import type { AppEnv } from "../http/env.ts";
import { badParameter } from "../http/errors.ts";
import { parseQuery } from "../http/params.ts";
import { bucketCount, bucketStarts, defaultInterval, MAX_BUCKETS } from "./buckets.ts";
import { type BucketHistogram, percentiles, quantile } from "./percentiles.ts";
import {
  type StatsRange,
  selectDurations,
  selectOutcomes,
  selectToolCalls,
  selectToolDurations,
} from "./queries.ts";

/** The window when neither `from` nor `to` is given: the last 24 hours. */
export const DEFAULT_STATS_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_TOOLS_LIMIT = 50;

/** [from, to): defaults to the last 24 hours; `from` must come before `to`. */
function timeRange(
  from: number | undefined,
  to: number | undefined,
): { fromMs: number; toMs: number } {
  const toMs = to ?? Date.now();
  const fromMs = from ?? toMs - DEFAULT_STATS_WINDOW_MS;
  if (fromMs >= toMs) throw badParameter("from", "must be before to");
  return { fromMs, toMs };
}

/** `/v1/stats/…`: execution outcomes and durations over time, and per-tool totals. */
export function statsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/executions", async (c) => {
    const q = parseQuery(ExecutionStatsQuery, c.req.query());
    const { fromMs, toMs } = timeRange(q.from, q.to);
    const intervalMs = q.interval ?? defaultInterval(fromMs, toMs);
    const count = bucketCount(fromMs, toMs, intervalMs);
    if (count > MAX_BUCKETS) {
      throw badParameter(
        "interval",
        `gives ${count} buckets between from and to; at most ${MAX_BUCKETS} are allowed`,
      );
    }
    const range: StatsRange = {
      fromMs,
      toMs,
      scopes: scopesToRead(c.get("scopes"), q.scope),
      signal: c.get("signal"),
    };
    const starts = bucketStarts(fromMs, toMs, intervalMs);
    const outcomes = new Map<number, Record<string, number>>();
    const durations = new Map<number, Array<BucketHistogram & { observations: number }>>();
    // A token that can read none of the requested scopes sees an empty timeline.
    if (range.scopes === null || range.scopes.length > 0) {
      const ch = c.get("clickhouse");
      const outcomeRows = await selectOutcomes(ch, range, intervalMs);
      const durationRows = await selectDurations(ch, range, intervalMs);
      for (const row of outcomeRows) {
        const start = Number(row.bucket_start);
        const byStatus = outcomes.get(start) ?? {};
        byStatus[row.status] = (byStatus[row.status] ?? 0) + Number(row.executions);
        outcomes.set(start, byStatus);
      }
      for (const row of durationRows) {
        const list = durations.get(row.start) ?? [];
        list.push(row.histogram);
        durations.set(row.start, list);
      }
    }
    const seen = new Set<string>(TERMINAL_STATUSES);
    for (const byStatus of outcomes.values()) for (const s of Object.keys(byStatus)) seen.add(s);
    const statuses = [
      ...TERMINAL_STATUSES,
      ...[...seen].filter((s) => !(TERMINAL_STATUSES as readonly string[]).includes(s)).sort(),
    ];
    const buckets = starts.map((start): ExecutionStatsBucket => {
      const byStatus = outcomes.get(start) ?? {};
      const counts: Record<string, number> = {};
      let total = 0;
      for (const status of statuses) {
        counts[status] = byStatus[status] ?? 0;
        total += counts[status];
      }
      const histograms = durations.get(start) ?? [];
      const observed = histograms.reduce((n, h) => n + h.observations, 0);
      return {
        start,
        outcomes: counts,
        total,
        durationMs: observed > 0 ? { count: observed, ...percentiles(histograms) } : null,
      };
    });
    const body: ExecutionStats = { from: fromMs, to: toMs, intervalMs, buckets };
    return c.json(body);
  });

  app.get("/tools", async (c) => {
    const q = parseQuery(ToolStatsQuery, c.req.query());
    const { fromMs, toMs } = timeRange(q.from, q.to);
    const range: StatsRange = {
      fromMs,
      toMs,
      scopes: scopesToRead(c.get("scopes"), q.scope),
      signal: c.get("signal"),
    };
    const tools: ToolStats[] = [];
    if (range.scopes === null || range.scopes.length > 0) {
      const ch = c.get("clickhouse");
      const rows = await selectToolCalls(ch, range, q.limit ?? DEFAULT_TOOLS_LIMIT);
      const durations = await selectToolDurations(
        ch,
        range,
        rows.map((r) => r.tool_path),
      );
      for (const row of rows) {
        const calls = Number(row.calls);
        const failures = Number(row.failures);
        const histograms = durations.get(row.tool_path) ?? [];
        const p50 = quantile(histograms, 0.5);
        tools.push({
          toolPath: row.tool_path,
          namespace: row.tool_namespace,
          calls,
          failures,
          failureRate: calls > 0 ? failures / calls : 0,
          durationMs: p50 === null ? null : { p50, p95: quantile(histograms, 0.95) },
        });
      }
    }
    const body: ToolStatsList = { from: fromMs, to: toMs, tools };
    return c.json(body);
  });

  return app;
}

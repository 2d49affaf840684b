import { z } from "zod";
import { commaList, epochMs, timeParam } from "./params.ts";

/** `/v1/stats/…`: execution outcomes and durations over time, and per-tool totals. */

export const MAX_TOOLS_LIMIT = 500;

const INTERVAL_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `30s`, `1m`, `5m`, `1h`, `1d`, `250ms` or bare milliseconds → ms; `undefined` if invalid. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/i.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * INTERVAL_UNIT_MS[(match[2] ?? "ms").toLowerCase()]!;
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

const intervalParam = z.string().transform((text, ctx) => {
  const ms = parseInterval(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({
    code: "custom",
    message: "expected a duration such as 30s, 1m, 5m, 1h, 1d, or milliseconds",
  });
  return z.NEVER;
});

const from = timeParam.optional().meta({
  description:
    "Start of the window (inclusive): epoch ms, RFC 3339 or relative (`1h`). Default: `to` minus 24 hours. Must be before `to`.",
});
const to = timeParam
  .optional()
  .meta({ description: "End of the window (exclusive): epoch ms or RFC 3339. Default: now." });
const scope = commaList.optional().meta({
  description:
    "Comma-separated scope ids to restrict to. Only scopes the bearer token may read count; default: every readable scope.",
});

export const ExecutionStatsQuery = z.strictObject({
  from,
  to,
  interval: intervalParam.optional().meta({
    description:
      "Bucket size: `30s`, `1m`, `5m`, `1h`, `1d` (units ms, s, m, h, d) or milliseconds. Default: the smallest of 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 3h, 6h, 12h, 1d giving at most 60 buckets. More than 1000 buckets is a 400.",
    examples: ["5m", "60000"],
  }),
  scope,
});

export const ToolStatsQuery = z.strictObject({
  from,
  to,
  scope,
  limit: z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_TOOLS_LIMIT))
    .optional()
    .meta({ description: `Most tools returned, 1–${MAX_TOOLS_LIMIT}, default 50.` }),
});

const quantileMs = z.number().nullable();

export const ExecutionStatsBucket = z.strictObject({
  start: epochMs,
  outcomes: z.record(z.string(), z.number()).meta({
    description:
      "Executions that ended in the interval, by final status (completed, failed, cancelled always present).",
  }),
  total: z.number(),
  durationMs: z
    .strictObject({ count: z.number(), p50: quantileMs, p95: quantileMs, p99: quantileMs })
    .nullable()
    .meta({ description: "null: no duration observed in the interval." }),
});
export type ExecutionStatsBucket = z.infer<typeof ExecutionStatsBucket>;

export const ExecutionStats = z
  .strictObject({
    from: epochMs,
    to: epochMs,
    intervalMs: z.number().int(),
    buckets: z.array(ExecutionStatsBucket).meta({ description: "One per interval, oldest first." }),
  })
  .meta({ id: "ExecutionStats" });
export type ExecutionStats = z.infer<typeof ExecutionStats>;

export const ToolStats = z.strictObject({
  toolPath: z.string(),
  namespace: z.string(),
  calls: z.number(),
  failures: z.number(),
  failureRate: z.number().min(0).max(1),
  durationMs: z.strictObject({ p50: quantileMs, p95: quantileMs }).nullable(),
});
export type ToolStats = z.infer<typeof ToolStats>;

export const ToolStatsList = z
  .strictObject({
    from: epochMs,
    to: epochMs,
    tools: z.array(ToolStats).meta({ description: "Most called first." }),
  })
  .meta({ id: "ToolStatsList" });
export type ToolStatsList = z.infer<typeof ToolStatsList>;

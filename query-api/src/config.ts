import { type Environment, parseInteger } from "@runtrace/clickhouse";
import type { QueryApiOptions } from "./app.ts";
import { parseApiTokens } from "./http/access.ts";

export interface QueryApiConfig {
  port: number;
  apiTokens: QueryApiOptions["apiTokens"];
  staleAfterMs: number;
  /** `RUNTRACE_CODE_COUNT_BUDGET`: runs a code filter's counts may read (unset: the default). */
  codeCountBudget?: number;
  /** `RUNTRACE_COLLECTOR_URL`: where runtimes send telemetry, shown on an empty /runs page. */
  collectorUrl?: string;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `2d`, `500ms`, or a bare number of seconds. */
export function parseDurationMs(key: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? "s"]! : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new Error(`${key}: "${text}" is not a duration such as 90s, 30m, 1h or 2d`);
  }
  return Math.round(ms);
}

/** The query API's settings from the environment (`RUNTRACE_*`), with their defaults. */
export function resolveQueryApiConfig(env: Environment): QueryApiConfig {
  const portText = env.RUNTRACE_QUERY_PORT?.trim() || "8080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw new Error(`RUNTRACE_QUERY_PORT: "${portText}" is not a port number (0-65535)`);
  }
  return {
    port,
    apiTokens: parseApiTokens(env.RUNTRACE_API_TOKENS),
    staleAfterMs: parseDurationMs("RUNTRACE_STALE_AFTER", env.RUNTRACE_STALE_AFTER?.trim() || "1h"),
    ...codeCountBudget(env.RUNTRACE_CODE_COUNT_BUDGET),
    ...(env.RUNTRACE_COLLECTOR_URL?.trim()
      ? { collectorUrl: env.RUNTRACE_COLLECTOR_URL.trim() }
      : {}),
  };
}

function codeCountBudget(text: string | undefined): { codeCountBudget?: number } {
  if (text === undefined || text.trim() === "") return {};
  // `1_500_000` reads as 1500000; the rest is the shared integer setting's check.
  const value = text.trim().replace(/_/g, "") || text;
  const max = Number.MAX_SAFE_INTEGER;
  const key = "RUNTRACE_CODE_COUNT_BUDGET";
  return { codeCountBudget: parseInteger({ key, value, fallback: 1, min: 1, max }) };
}

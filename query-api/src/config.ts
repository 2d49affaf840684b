import {
  ConfigError,
  type Environment,
  parseDurationMs,
  parseInteger,
  parsePort,
} from "@runtrace/config";
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
  /** `RUNTRACE_JAEGER_UI_URL`: a Jaeger UI reading this API, where the page links a trace. */
  jaegerUiUrl?: string;
}

/** The query API's settings from the environment (`RUNTRACE_*`), with their defaults. */
export function resolveQueryApiConfig(env: Environment): QueryApiConfig {
  return {
    port: parsePort({ key: "RUNTRACE_QUERY_PORT", value: env.RUNTRACE_QUERY_PORT, fallback: 8080 }),
    apiTokens: parseApiTokens(env.RUNTRACE_API_TOKENS),
    staleAfterMs: parseDurationMs("RUNTRACE_STALE_AFTER", env.RUNTRACE_STALE_AFTER?.trim() || "1h"),
    ...codeCountBudget(env.RUNTRACE_CODE_COUNT_BUDGET),
    ...(env.RUNTRACE_COLLECTOR_URL?.trim()
      ? { collectorUrl: env.RUNTRACE_COLLECTOR_URL.trim() }
      : {}),
    ...jaegerUiUrl(env.RUNTRACE_JAEGER_UI_URL),
  };
}

/**
 * A Jaeger UI's address (its base, before `/trace/<id>`), for the page's "Open in Jaeger UI"
 * link: an http(s) URL, kept without query, fragment or trailing slash.
 */
function jaegerUiUrl(text: string | undefined): { jaegerUiUrl?: string } {
  if (text === undefined || text.trim() === "") return {};
  const key = "RUNTRACE_JAEGER_UI_URL";
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(
      key,
      `"${text}" is not a URL; expected the Jaeger UI's address, such as http://localhost:16686`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(key, `expected an http or https URL, got ${url.protocol}`);
  }
  if (url.search || url.hash) {
    throw new ConfigError(
      key,
      "expected a base URL without query or fragment; /trace/<id> is appended",
    );
  }
  return { jaegerUiUrl: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}

function codeCountBudget(text: string | undefined): { codeCountBudget?: number } {
  if (text === undefined || text.trim() === "") return {};
  // `1_500_000` reads as 1500000; the rest is the shared integer setting's check.
  const value = text.trim().replace(/_/g, "") || text;
  const max = Number.MAX_SAFE_INTEGER;
  const key = "RUNTRACE_CODE_COUNT_BUDGET";
  return { codeCountBudget: parseInteger({ key, value, fallback: 1, min: 1, max }) };
}

import { type ClickHouseConfig, resolveClickHouseConfig } from "@runtrace/clickhouse";
import { type CollectorConfig, resolveCollectorConfig } from "@runtrace/collector";
import { ConfigError, type Environment } from "@runtrace/config";
import { type QueryApiConfig, resolveQueryApiConfig } from "@runtrace/query-api";

/**
 * runtrace's configuration, read from the environment once, here: every `RUNTRACE_*` variable
 * (and `CLICKHOUSE_URL`) of the parts a command runs. The libraries parse what they are given
 * and never read the process environment themselves. A mistake throws a `ConfigError` naming
 * the variable before anything opens.
 */
export interface RuntraceConfig {
  clickhouse: ClickHouseConfig;
  /** Only when the command runs the collector. */
  collector?: CollectorConfig;
  /** Only when the command runs the query API. */
  queryApi?: QueryApiConfig & { host: string };
}

export interface ConfigParts {
  collector: boolean;
  queryApi: boolean;
}

export function readConfig(
  env: Environment,
  parts: ConfigParts = { collector: false, queryApi: false },
): RuntraceConfig {
  return {
    clickhouse: resolveClickHouseConfig({}, env),
    ...(parts.collector ? { collector: resolveCollectorConfig({}, env) } : {}),
    ...(parts.queryApi
      ? { queryApi: { ...resolveQueryApiConfig(env), host: env.RUNTRACE_HOST || "127.0.0.1" } }
      : {}),
  };
}

/** Where `runtrace check` asks, and with which token: a running query API. */
export interface ClientConfig {
  queryUrl: string;
  token: string | undefined;
}

export const DEFAULT_QUERY_URL = "http://127.0.0.1:8080";

/** `RUNTRACE_QUERY_URL` (default the local query API) and `RUNTRACE_API_TOKEN`. */
export function readClientConfig(env: Environment): ClientConfig {
  const queryUrl = env.RUNTRACE_QUERY_URL?.trim() || DEFAULT_QUERY_URL;
  try {
    new URL(queryUrl);
  } catch {
    throw new ConfigError("RUNTRACE_QUERY_URL", `"${queryUrl}" is not a URL`);
  }
  return {
    queryUrl: queryUrl.replace(/\/+$/, ""),
    token: env.RUNTRACE_API_TOKEN?.trim() || undefined,
  };
}

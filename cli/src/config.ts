import { type ClickHouseConfig, resolveClickHouseConfig } from "@runtrace/clickhouse";
import { type CollectorConfig, resolveCollectorConfig } from "@runtrace/collector";
import type { Environment } from "@runtrace/config";
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

import { resolve } from "node:path";
import { ConfigError, type Environment, parseInteger } from "@runtrace/config";
import { DEFAULT_INSERT_RESERVE_BYTES } from "./insert-files.ts";

/** Where runtrace's data lives and how reads are bounded. Resolved once, at start-up. */
export interface ClickHouseConfig {
  /**
   * A ClickHouse server, `http(s)://user:pass@host:8123/db`. Unset: embedded ClickHouse (chDB)
   * in {@link dataDir}.
   * @default `CLICKHOUSE_URL` of the environment passed
   */
  url: string | undefined;
  /**
   * Directory of the embedded engine's data; ignored with {@link url}.
   * @default `RUNTRACE_DATA_DIR` of the environment passed ?? "./data"
   */
  dataDir: string;
  /**
   * Days a span, run or metric point is kept; whole daily parts are dropped after that.
   * @default `RUNTRACE_RETENTION_DAYS` of the environment passed ?? 30
   */
  retentionDays: number;
  /**
   * Longest time one read may run (`max_execution_time`), so reads cannot starve ingest.
   * @default `RUNTRACE_READ_TIMEOUT_SECONDS` of the environment passed ?? 30
   */
  readTimeoutSeconds: number;
  /**
   * Most memory one read may use (`max_memory_usage`).
   * @default `RUNTRACE_READ_MAX_MEMORY_BYTES` of the environment passed ?? 2 GiB
   */
  readMaxMemoryBytes: number;
  /**
   * Embedded: connections reads are spread over, so several readers (people, live polls) are
   * answered side by side. A server needs no such setting.
   * @default `RUNTRACE_READ_CONNECTIONS` of the environment passed ?? 4
   */
  readConnections: number;
  /**
   * Embedded: the folder under which the data directory's insert files are written (each batch
   * is a file the engine reads with `INSERT … FROM INFILE`). Unset: `/dev/shm` when it is a tmpfs
   * of at least 512 MiB, else the data directory.
   * @default `RUNTRACE_INSERT_DIR` of the environment passed
   */
  insertDir: string | undefined;
  /**
   * Embedded: free bytes the insert folder's file system keeps; a batch that would eat into them
   * is not written (the writer retries, then answers 503 with Retry-After).
   * @default `RUNTRACE_INSERT_RESERVE_BYTES` of the environment passed ?? 64 MiB
   */
  insertReserveBytes: number;
  /**
   * How span rows (`otel_traces`) are sent to ClickHouse: `native` (ClickHouse's columnar
   * Native format, written straight from the span model) or `tsv` (TabSeparated text). The
   * other tables are always TabSeparated.
   * @default `RUNTRACE_INSERT_FORMAT` of the environment passed ?? "native"
   */
  insertFormat: "native" | "tsv";
}

function parseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      "CLICKHOUSE_URL",
      "is malformed; expected http[s]://[user:password@]host:port[/database]",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError("CLICKHOUSE_URL", `expected an http or https URL, got ${url.protocol}`);
  }
  return value;
}

/**
 * Options given in code win over the environment variables passed, which win over defaults. Invalid
 * values throw a {@link ConfigError} naming the variable: a server should not start on a
 * configuration it cannot honour.
 */
export function resolveClickHouseConfig(
  options: Partial<ClickHouseConfig> = {},
  env: Environment = {},
): ClickHouseConfig {
  return {
    // `url: undefined` given in code means embedded, whatever the environment says.
    url: "url" in options ? options.url : parseUrl(env.CLICKHOUSE_URL),
    dataDir: resolve(options.dataDir ?? (env.RUNTRACE_DATA_DIR || "./data")),
    retentionDays: parseInteger({
      key: "RUNTRACE_RETENTION_DAYS",
      value: options.retentionDays ?? env.RUNTRACE_RETENTION_DAYS,
      fallback: 30,
      min: 1,
      max: 36_500,
    }),
    readTimeoutSeconds: parseInteger({
      key: "RUNTRACE_READ_TIMEOUT_SECONDS",
      value: options.readTimeoutSeconds ?? env.RUNTRACE_READ_TIMEOUT_SECONDS,
      fallback: 30,
      min: 1,
      max: 3600,
    }),
    readMaxMemoryBytes: parseInteger({
      key: "RUNTRACE_READ_MAX_MEMORY_BYTES",
      value: options.readMaxMemoryBytes ?? env.RUNTRACE_READ_MAX_MEMORY_BYTES,
      fallback: 2 * 1024 ** 3,
      min: 16 * 1024 ** 2,
      max: Number.MAX_SAFE_INTEGER,
    }),
    readConnections: parseInteger({
      key: "RUNTRACE_READ_CONNECTIONS",
      value: options.readConnections ?? env.RUNTRACE_READ_CONNECTIONS,
      fallback: 4,
      min: 1,
      max: 64,
    }),
    insertDir:
      options.insertDir ?? (env.RUNTRACE_INSERT_DIR ? resolve(env.RUNTRACE_INSERT_DIR) : undefined),
    insertReserveBytes: parseInteger({
      key: "RUNTRACE_INSERT_RESERVE_BYTES",
      value: options.insertReserveBytes ?? env.RUNTRACE_INSERT_RESERVE_BYTES,
      fallback: DEFAULT_INSERT_RESERVE_BYTES,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    }),
    insertFormat: parseInsertFormat(options.insertFormat ?? env.RUNTRACE_INSERT_FORMAT),
  };
}

function parseInsertFormat(value: string | undefined): "native" | "tsv" {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "native") return "native";
  if (v === "tsv") return "tsv";
  throw new ConfigError("RUNTRACE_INSERT_FORMAT", `expected native or tsv, got ${String(value)}`);
}

/** The URL without its password, for logs and start-up messages. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

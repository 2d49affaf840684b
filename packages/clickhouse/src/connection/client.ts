import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
import { type ClickHouseConfig, redactUrl, resolveClickHouseConfig } from "./config.ts";
import { DataDirectoryLockedError, EmbeddedOpenError } from "./errors.ts";

export type QueryParams = Record<string, unknown>;

export interface ReadOptions {
  /** Cancels the read, e.g. when the HTTP client went away. */
  signal?: AbortSignal;
  /**
   * Extra query-level settings, appended to the read's SETTINGS clause (names are checked,
   * values must be numbers or plain words).
   */
  settings?: Readonly<Record<string, number | string>>;
}

/** The writing operations of one client: a client runs one statement at a time. */
export interface WriteLane {
  /** A read ordered with this lane's inserts, bounded like {@link ClickHouse.select}. */
  selectForWrite<T>(sql: string, params?: QueryParams): Promise<T[]>;
  /** A statement without result rows (DDL, DELETE). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /**
   * Inserts pre-serialized TabSeparated rows. Settings go in the statement's SETTINGS clause:
   * on embedded ClickHouse per-query settings would stay in force for later queries.
   */
  insertTsv(table: string, columns: readonly string[], body: string, token?: string): Promise<void>;
}

/**
 * runtrace's handle on ClickHouse: writer clients for inserts and DDL and a reader client for
 * queries, so a slow read never queues an insert behind it (each client runs one query at a
 * time on embedded ClickHouse). Its own write methods are the span lane; `runs` is a second
 * lane, so the run tables are written while the span table is.
 */
export interface ClickHouse extends WriteLane {
  readonly kind: "embedded" | "server";
  /** The data directory, or the server URL without its password. */
  readonly location: string;
  readonly config: ClickHouseConfig;
  readonly writer: ClickHouseClient;
  readonly reader: ClickHouseClient;
  /**
   * A read on the reader client, bounded in time and memory (the SQL must not have a SETTINGS
   * clause of its own). 64-bit integers come back as numbers.
   */
  select<T>(sql: string, params?: QueryParams, options?: ReadOptions): Promise<T[]>;
  /** The second write lane (its own client), for the run tables. */
  readonly runs: WriteLane;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * The `log_comment` of every insert into `table` (a plain identifier): `system.processes`
 * shows it, so readers can tell which tables running inserts write (`read/arrival.ts`).
 */
export function insertComment(table: string): string {
  return `runtrace-insert:${table}`;
}

function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Invalid identifier: ${name}`);
  return name
    .split(".")
    .map((part) => `\`${part}\``)
    .join(".");
}

interface Clients {
  writer: ClickHouseClient;
  runsWriter: ClickHouseClient;
  reader: ClickHouseClient;
}

function openEmbedded(dataDir: string): Clients {
  mkdirSync(dataDir, { recursive: true });
  const open = () => {
    try {
      return createChdbConnection({ path: dataDir });
    } catch (err) {
      // The engine reports a held lock only on stderr; the status file it failed to lock is
      // what tells the cases apart.
      if (existsSync(join(dataDir, "status"))) {
        throw new DataDirectoryLockedError(dataDir, { cause: err });
      }
      throw new EmbeddedOpenError(dataDir, { cause: err });
    }
  };
  // Connections on one path share the process's engine but run queries independently.
  // biome-ignore lint/suspicious/noExplicitAny: chdb's Connection matches clickhouse-js's shape.
  const client = () => createClient({ connection: open() as any });
  return { writer: client(), runsWriter: client(), reader: client() };
}

function openServer(url: string, config: ClickHouseConfig) {
  const common = {
    url,
    application: "runtrace",
    request_timeout: (config.readTimeoutSeconds + 30) * 1000,
    compression: { request: false, response: true },
  };
  return {
    writer: createClient(common),
    runsWriter: createClient(common),
    reader: createClient(common),
  };
}

/**
 * Opens ClickHouse: the server at `CLICKHOUSE_URL`, or embedded ClickHouse persisted in
 * `RUNTRACE_DATA_DIR`. Does not migrate; see `migrate()`.
 *
 * @example
 * const ch = await createClickHouse({ dataDir: "./data" });
 * await migrate(ch);
 */
export async function createClickHouse(
  options: Partial<ClickHouseConfig> = {},
): Promise<ClickHouse> {
  const config = resolveClickHouseConfig(options);
  const kind = config.url ? "server" : "embedded";
  const { writer, runsWriter, reader } = config.url
    ? openServer(config.url, config)
    : openEmbedded(config.dataDir);
  const readSettings =
    `SETTINGS max_execution_time = ${config.readTimeoutSeconds}, ` +
    `max_memory_usage = ${config.readMaxMemoryBytes}, timeout_overflow_mode = 'throw', ` +
    // Counts and epoch times arrive as JSON numbers; a value past 2^53 (nanosecond times) must
    // be selected with toString().
    "output_format_json_quote_64bit_integers = 0";

  async function read<T>(
    client: ClickHouseClient,
    sql: string,
    params?: QueryParams,
    options?: ReadOptions,
  ): Promise<T[]> {
    let settings = readSettings;
    for (const [name, value] of Object.entries(options?.settings ?? {})) {
      if (!/^[a-z_]+$/.test(name) || !/^[A-Za-z0-9_.,]+$/.test(String(value))) {
        throw new Error(`Invalid read setting ${name}`);
      }
      settings += `, ${name} = ${typeof value === "number" ? value : `'${value}'`}`;
    }
    const rs = await client.query({
      query: `${sql}\n${settings}`,
      query_params: params,
      format: "JSONEachRow",
      abort_signal: options?.signal,
    });
    return rs.json<T>();
  }

  function lane(client: ClickHouseClient): WriteLane {
    return {
      selectForWrite: (sql, params) => read(client, sql, params),
      async command(sql, params) {
        await client.command({ query: sql, query_params: params });
      },
      async insertTsv(table, columns, body, token) {
        if (body.length === 0) return;
        // The writer already drops rows whose key is stored or repeated in the batch, so the
        // engine's own in-block collapse (optimize_on_insert, a sort and merge of every
        // ReplacingMergeTree block) is pure cost: about a fifth of an otel_traces insert.
        let settings = ` SETTINGS optimize_on_insert = 0, log_comment = '${insertComment(table)}'`;
        if (token) {
          settings += `, insert_deduplication_token = '${token.replace(/[^A-Za-z0-9_-]/g, "")}'`;
        }
        const cols = columns.map(quoteIdentifier).join(", ");
        const result = await client.exec({
          query: `INSERT INTO ${quoteIdentifier(table)} (${cols})${settings} FORMAT TabSeparated`,
          values: Readable.from([body]),
        });
        result.stream.destroy();
      },
    };
  }

  let closed = false;
  return {
    kind,
    location: config.url ? redactUrl(config.url) : config.dataDir,
    config,
    writer,
    reader,
    select: (sql, params, options) => read(reader, sql, params, options),
    ...lane(writer),
    runs: lane(runsWriter),
    async ping() {
      try {
        const r = await reader.ping();
        return r.success;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([writer.close(), runsWriter.close(), reader.close()]);
      if (kind === "embedded") {
        // close() can return while the engine still finishes work; the directory is only free
        // for another open once nothing is outstanding.
        const chdb = await import("chdb");
        await chdb.drainPending();
      }
    },
  };
}

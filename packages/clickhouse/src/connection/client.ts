import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
import { type ClickHouseConfig, redactUrl, resolveClickHouseConfig } from "./config.ts";
import { DataDirectoryLockedError, EmbeddedOpenError } from "./errors.ts";
import { InsertFiles, insertFolder, insertParentDir } from "./insert-files.ts";
import { inlineParams, quoteString } from "./sql-literal.ts";

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
  insertTsv(
    table: string,
    columns: readonly string[],
    body: string | Uint8Array,
    token?: string,
  ): Promise<void>;
  /** Inserts one Native block (`rows/native.ts`); settings as for {@link insertTsv}. */
  insertNative(
    table: string,
    columns: readonly string[],
    body: Uint8Array,
    token?: string,
  ): Promise<void>;
}

/**
 * runtrace's handle on ClickHouse: writer clients for inserts and DDL and reader clients for
 * queries, so a slow read never queues an insert behind it (each client runs one query at a
 * time on embedded ClickHouse). Its own write methods are the span lane; `runs` is a second
 * lane, so the run tables are written while the span table is.
 *
 * Embedded, reads go to the least busy of `readConnections` clients, and every statement is
 * sent with its parameters written into the SQL as literals (`sql-literal.ts`): chdb runs
 * statements with server-side parameters one at a time across the whole process, so four
 * people's reads would otherwise wait for each other (and for the writers' look-ups).
 */
export interface ClickHouse extends WriteLane {
  readonly kind: "embedded" | "server";
  /** The data directory, or the server URL without its password. */
  readonly location: string;
  readonly config: ClickHouseConfig;
  readonly writer: ClickHouseClient;
  /** The first reader client (embedded: one of `readConnections`). */
  readonly reader: ClickHouseClient;
  /**
   * A read on the reader client, bounded in time and memory (the SQL must not have a SETTINGS
   * clause of its own). 64-bit integers come back as numbers.
   */
  select<T>(sql: string, params?: QueryParams, options?: ReadOptions): Promise<T[]>;
  /** The second write lane (its own client), for the run tables. */
  readonly runs: WriteLane;
  /** Embedded: the folder batches are written to before the engine reads them; server: none. */
  readonly insertFiles: InsertFiles | undefined;
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
  readers: ClickHouseClient[];
}

/** The longest statement embedded ClickHouse parses: values inlined as literals included. */
const EMBEDDED_MAX_QUERY_BYTES = 256 * 1024 ** 2;

function openEmbedded(dataDir: string, readConnections: number): Clients {
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
  const client = () =>
    createClient({
      // biome-ignore lint/suspicious/noExplicitAny: chdb's Connection matches clickhouse-js's shape.
      connection: open() as any,
      // Values are written into the SQL text here (`sql-literal.ts`): a writer's look-up of a
      // large batch's ids is megabytes of SQL, past the parser's default 256 KiB.
      clickhouse_settings: { max_query_size: String(EMBEDDED_MAX_QUERY_BYTES) },
    });
  return {
    writer: client(),
    runsWriter: client(),
    readers: Array.from({ length: readConnections }, client),
  };
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
    // The HTTP client keeps a pool of sockets: one client reads in parallel already.
    readers: [createClient(common)],
  };
}

/**
 * Opens ClickHouse: the server at `options.url`, or embedded ClickHouse persisted in
 * `options.dataDir` (default `./data`). It reads no environment: pass
 * `resolveClickHouseConfig({}, process.env)` to take `CLICKHOUSE_URL`, `RUNTRACE_DATA_DIR`, ….
 * Does not migrate; see `migrate()`.
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
  const { writer, runsWriter, readers } = config.url
    ? openServer(config.url, config)
    : openEmbedded(config.dataDir, config.readConnections);
  const reader = readers[0] as ClickHouseClient;
  // Made once the engine holds the data directory, so the sweep never races another process.
  const insertFiles =
    kind === "embedded"
      ? new InsertFiles(
          insertFolder(insertParentDir(config.insertDir, config.dataDir), config.dataDir),
          config.insertReserveBytes,
        )
      : undefined;
  const busy = readers.map(() => 0);
  /** Embedded: the values go into the SQL text; a server binds them itself. */
  const statement = (sql: string, params?: QueryParams) =>
    kind === "embedded" && params
      ? { query: inlineParams(sql, params) }
      : { query: sql, query_params: params };
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
    const { query, query_params } = statement(sql, params);
    const rs = await client.query({
      query: `${query}\n${settings}`,
      query_params,
      format: "JSONEachRow",
      abort_signal: options?.signal,
    });
    return rs.json<T>();
  }

  /** A read on the reader with the fewest reads in flight. */
  async function readPooled<T>(
    sql: string,
    params?: QueryParams,
    options?: ReadOptions,
  ): Promise<T[]> {
    let i = 0;
    for (let j = 1; j < readers.length; j++) if ((busy[j] ?? 0) < (busy[i] ?? 0)) i = j;
    busy[i] = (busy[i] ?? 0) + 1;
    try {
      return await read<T>(readers[i] as ClickHouseClient, sql, params, options);
    } finally {
      busy[i] = (busy[i] ?? 1) - 1;
    }
  }

  async function insert(
    client: ClickHouseClient,
    format: "TabSeparated" | "Native",
    table: string,
    columns: readonly string[],
    body: string | Uint8Array,
    token: string | undefined,
  ): Promise<void> {
    if (body.length === 0) return;
    // The writer already drops rows whose key is stored or repeated in the batch, so the
    // engine's own in-block collapse (optimize_on_insert, a sort and merge of every
    // ReplacingMergeTree block) is pure cost: about a fifth of an otel_traces insert.
    let settings = ` SETTINGS optimize_on_insert = 0, log_comment = '${insertComment(table)}'`;
    if (token) {
      settings += `, insert_deduplication_token = '${token.replace(/[^A-Za-z0-9_-]/g, "")}'`;
    }
    const into = `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(", ")})`;
    if (insertFiles) {
      // Embedded: the engine parses a file several times faster than the same rows given
      // as query text (chdb's inline insert path).
      await insertFiles.with(body, (path) =>
        client.command({
          query: `${into} FROM INFILE ${quoteString(path)}${settings} FORMAT ${format}`,
        }),
      );
      return;
    }
    const result = await client.exec({
      query: `${into}${settings} FORMAT ${format}`,
      values: Readable.from([body]),
    });
    result.stream.destroy();
  }

  function lane(client: ClickHouseClient): WriteLane {
    return {
      selectForWrite: (sql, params) => read(client, sql, params),
      async command(sql, params) {
        await client.command(statement(sql, params));
      },
      insertTsv: (table, columns, body, token) =>
        insert(client, "TabSeparated", table, columns, body, token),
      insertNative: (table, columns, body, token) =>
        insert(client, "Native", table, columns, body, token),
    };
  }

  let closed = false;
  return {
    kind,
    location: config.url ? redactUrl(config.url) : config.dataDir,
    config,
    writer,
    reader,
    select: readPooled,
    ...lane(writer),
    runs: lane(runsWriter),
    insertFiles,
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
      await Promise.all([writer.close(), runsWriter.close(), ...readers.map((r) => r.close())]);
      if (kind === "embedded") {
        // close() can return while the engine still finishes work; the directory is only free
        // for another open once nothing is outstanding.
        const chdb = await import("chdb");
        await chdb.drainPending();
        insertFiles?.remove();
      }
    },
  };
}

/**
 * The real runtrace server as its own process, for the /runs browser tests and the `ui` and
 * `query` benchmarks: `runtrace start` (collector + query API, the page included) or
 * `runtrace query-api` alone, on embedded ClickHouse, on loopback ports picked by the OS.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(REPO, "cli/bin/runtrace.js");

/** The most output kept for {@link RuntraceServer.output} (the tail wins). */
const MAX_OUTPUT_CHARS = 1_000_000;

export interface ServerOptions {
  /**
   * Embedded ClickHouse's data directory (`RUNTRACE_DATA_DIR`); kept by `stop()`.
   * @default a fresh temporary directory, removed by `stop()`
   */
  dataDir?: string;
  /**
   * Extra environment of the process, over the harness's (loopback, ports picked by the OS,
   * embedded ClickHouse, no tokens), e.g. `{ RUNTRACE_API_TOKENS: "tok=ws_acme" }`.
   * @default none
   */
  env?: Record<string, string>;
  /**
   * How long the process may take until `GET /readyz` answers 200.
   * @default 60000
   */
  readyTimeoutMillis?: number;
  /**
   * How long `stop()` waits after SIGTERM before SIGKILL.
   * @default 20000
   */
  stopTimeoutMillis?: number;
  /** Called with each line the process prints, as it arrives. @default none */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /**
   * The `runtrace` script to run with Node, and the folder to run it in: e.g. an installed
   * package's `node_modules/.bin/runtrace`.
   * @default this repository's `cli/bin/runtrace.js` (from the sources), in the repository
   */
  bin?: { path: string; cwd: string };
}

/** A started `runtrace` process whose query API answers `/readyz`. */
export interface RuntraceServer {
  /** `http://127.0.0.1:<port>` of the query API (no trailing slash); the page is at `/runs`. */
  readonly queryUrl: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Everything the process printed so far (stdout and stderr, interleaved as received). */
  output(): string;
  /** The exit code once the process has exited (`null` when a signal ended it), else `undefined`. */
  exitCode(): number | null | undefined;
  /**
   * SIGTERM (the server drains: answers what is in flight, writes what it accepted), waits for
   * the exit (SIGKILL after `stopTimeoutMillis`), then removes the data directory when the
   * harness created it. Later calls return the same promise.
   */
  stop(): Promise<void>;
}

/** `runtrace start`: the collector as well. */
export interface AllInOneServer extends RuntraceServer {
  /** `http://127.0.0.1:<port>` of the OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly collectorUrl: string;
}

/**
 * Starts `runtrace start` (collector and query API on one embedded ClickHouse) and waits until
 * the query API is ready.
 *
 * @example
 * ```ts
 * const server = await startAllInOne();
 * await runDemo(server.collectorUrl);
 * await page.goto(`${server.queryUrl}/runs`);
 * await server.stop();
 * ```
 */
export async function startAllInOne(options: ServerOptions = {}): Promise<AllInOneServer> {
  const server = await startRuntrace("start", options);
  const collectorUrl = bannerUrl(server.output(), "OTLP/HTTP collector");
  if (collectorUrl === undefined) {
    await server.stop();
    throw new Error(`runtrace start named no collector URL:\n${server.output()}`);
  }
  return { ...server, collectorUrl };
}

/**
 * Starts `runtrace query-api` alone on an existing data directory (a generated dataset, or
 * one an all-in-one server filled and stopped), and waits until it is ready.
 */
export async function startQueryApiOnly(
  options: ServerOptions & { dataDir: string },
): Promise<RuntraceServer> {
  return startRuntrace("query-api", options);
}

async function startRuntrace(
  command: "start" | "query-api",
  options: ServerOptions,
): Promise<RuntraceServer> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "runtrace-ui-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNTRACE_DATA_DIR: dataDir,
    RUNTRACE_HOST: "127.0.0.1",
    // Port 0: the OS picks a free port at bind time and the banner names it, so two servers
    // started at once never race for a port probed beforehand.
    RUNTRACE_QUERY_PORT: "0",
    RUNTRACE_COLLECTOR_PORT: "0",
    RUNTRACE_GRPC_PORT: "0",
  };
  // Embedded ClickHouse, open access, unless the caller asks otherwise.
  delete env.CLICKHOUSE_URL;
  delete env.RUNTRACE_API_TOKENS;
  delete env.RUNTRACE_INGEST_TOKEN;
  Object.assign(env, options.env);

  const child = spawn(process.execPath, [options.bin?.path ?? CLI, command], {
    cwd: options.bin?.cwd ?? REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (stream: "stdout" | "stderr") => {
    let partial = "";
    child[stream]!.setEncoding("utf8");
    child[stream]!.on("data", (text: string) => {
      output += text;
      if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS);
      if (!options.onLine) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line) options.onLine(line, stream);
    });
  };
  collect("stdout");
  collect("stderr");

  let code: number | null | undefined;
  const exited = new Promise<void>((done) => {
    child.once("exit", (exitCode) => {
      code = exitCode;
      done();
    });
  });
  const spawned = new Promise<void>((done, fail) => {
    child.once("spawn", done);
    child.once("error", fail);
  });
  // A test file that crashes must not leave servers behind holding data directories.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stopTimeoutMillis = options.stopTimeoutMillis ?? 20_000;
  const server: RuntraceServer = {
    queryUrl: "",
    dataDir,
    pid: child.pid ?? -1,
    output: () => output,
    exitCode: () => code,
    stop() {
      stopping ??= (async () => {
        if (code === undefined) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMillis);
          await exited;
          clearTimeout(timer);
        }
        process.removeListener("exit", killOnExit);
        if (temporary) rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };

  try {
    await spawned;
    const queryUrl = await waitUntilReady(
      () => output,
      exited,
      options.readyTimeoutMillis ?? 60_000,
      `runtrace ${command}`,
    );
    return { ...server, queryUrl };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The URL the banner line `runtrace: <what> on http://…` names. */
function bannerUrl(output: string, what: string): string | undefined {
  return new RegExp(`${what} on (http://[^\\s/]+)`).exec(output)?.[1];
}

/**
 * Waits for the query API's banner, then for `GET /readyz` 200 (ClickHouse answers); rejects
 * with the process's output when it exits first or the time runs out.
 */
async function waitUntilReady(
  output: () => string,
  exited: Promise<void>,
  timeoutMillis: number,
  name: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMillis;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error(`${name} exited before it was ready:\n${output()}`);
    const queryUrl = bannerUrl(output(), "query API");
    if (queryUrl !== undefined) {
      const res = await fetch(`${queryUrl}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch(
        () => undefined,
      );
      await res?.body?.cancel();
      if (res?.status === 200) return queryUrl;
    }
    if (Date.now() > deadline) {
      throw new Error(`${name}: no 200 from /readyz in ${timeoutMillis} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { type ChildProcess, spawn } from "node:child_process";
import { type Agent, request } from "node:http";
import { join } from "node:path";

/** `runtrace query-api` in its own process, so the load generator never shares its event loop. */
export interface QueryApi {
  child: ChildProcess;
  pid: number;
  url: URL;
  /** SIGTERM, then SIGKILL after 30 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export async function startQueryApi(repo: string, dataDir: string): Promise<QueryApi> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNTRACE_DATA_DIR: dataDir,
    RUNTRACE_QUERY_PORT: "0",
    RUNTRACE_HOST: "127.0.0.1",
    RUNTRACE_RETENTION_DAYS: "30",
  };
  // Embedded ClickHouse on the generated directory, no tokens.
  delete env.CLICKHOUSE_URL;
  delete env.RUNTRACE_API_TOKENS;
  const child = spawn(process.execPath, [join(repo, "packages/cli/bin/runtrace.js"), "query-api"], {
    cwd: repo,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the query API");
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    for (const line of text.split("\n")) if (line) console.error(`  [query-api] ${line}`);
  });
  child.stdout!.setEncoding("utf8");
  let log = "";
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  try {
    const url = await new Promise<URL>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`the query API did not start in 120 s:\n${log}`)),
        120_000,
      );
      child.stdout!.on("data", (text: string) => {
        log += text;
        const m = /query API on (http:\/\/\S+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          ok(new URL(m[1]!));
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`the query API exited (${code}) before listening:\n${log}`));
      });
    });
    for (let i = 0; ; i++) {
      const res = await fetch(new URL("/readyz", url)).catch(() => undefined);
      if (res?.ok) break;
      if (i > 600) throw new Error("the query API never answered /readyz with 200");
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, pid, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One GET over a keep-alive connection, timed until the whole body has arrived. */
export function get(agent: Agent, base: URL, path: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const req = request(
      { host: base.hostname, port: base.port, path, method: "GET", agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", fail);
        res.on("end", () =>
          done({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on("error", fail);
    req.setTimeout(120_000, () => req.destroy(new Error(`no answer in 120 s: GET ${path}`)));
    req.end();
  });
}

/** A non-200 answer or an answer of the wrong shape: the benchmark stops with the body. */
export class BadAnswer extends Error {
  constructor(path: string, answer: Answer, why?: string) {
    const body = answer.body.length > 4000 ? `${answer.body.slice(0, 4000)}…` : answer.body;
    super(
      `GET ${path} answered ${answer.status}${why ? ` (${why})` : ""} after ${answer.ms.toFixed(0)} ms:\n${body}`,
    );
    this.name = "BadAnswer";
  }
}

/**
 * GET that must answer 200 with a JSON object (and pass `check`, which names what is wrong
 * with it, if anything); returns the object and the time taken.
 */
export async function getJson(
  agent: Agent,
  base: URL,
  path: string,
  check?: (json: Record<string, unknown>) => string | undefined,
): Promise<{ json: Record<string, unknown>; ms: number }> {
  const answer = await get(agent, base, path);
  if (answer.status !== 200) throw new BadAnswer(path, answer);
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    throw new BadAnswer(path, answer, "not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new BadAnswer(path, answer, "not a JSON object");
  }
  const object = json as Record<string, unknown>;
  const wrong = check?.(object);
  if (wrong) throw new BadAnswer(path, answer, wrong);
  return { json: object, ms: answer.ms };
}

import { type Agent, request } from "node:http";
import { startQueryApiOnly } from "@runtrace/testkit-harness/runtrace-process";

/** `runtrace query-api` in its own process, so the load generator never shares its event loop. */
export interface QueryApi {
  pid: number;
  url: URL;
  /** SIGTERM, then SIGKILL after 30 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `runtrace query-api` on the generated directory (embedded ClickHouse, no tokens, a
 * port the OS picks), with the harness the /runs browser tests use; its stderr is printed.
 */
export async function startQueryApi(dataDir: string): Promise<QueryApi> {
  const server = await startQueryApiOnly({
    dataDir,
    env: { RUNTRACE_RETENTION_DAYS: "30" },
    readyTimeoutMillis: 120_000,
    stopTimeoutMillis: 30_000,
    onLine: (line, stream) => {
      if (stream === "stderr") console.error(`  [query-api] ${line}`);
    },
  });
  return {
    pid: server.pid,
    url: new URL(server.queryUrl),
    async stop() {
      await server.stop();
      return server.exitCode() ?? null;
    },
  };
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

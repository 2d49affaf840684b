/** Command line of `npm run demo`. */

export interface DemoOptions {
  /** Base URL of the runtrace collector (OTLP/HTTP). */
  endpoint: string;
  /** Base URL of the runtrace query API, whose /runs page shows the runs. */
  queryUrl: string;
  /** Executions running at once. */
  concurrency: number;
  /** Seed of the load's randomness (arrivals, triggers, answers). */
  seed: number;
  /** Print a line per finished execution. */
  verbose: boolean;
}

export const DEFAULT_ENDPOINT = "http://localhost:4318";

export const DEFAULT_QUERY_URL = "http://localhost:8080";

export const USAGE = `usage: npm run demo -- [--endpoint URL] [--query-url URL] [--concurrency N] [--seed N] [--verbose]

  --endpoint URL   runtrace collector (default: OTEL_EXPORTER_OTLP_ENDPOINT, else ${DEFAULT_ENDPOINT})
  --query-url URL  runtrace query API, for links to its /runs page (default: RUNTRACE_QUERY_URL,
                   else http://localhost:RUNTRACE_QUERY_PORT, else ${DEFAULT_QUERY_URL})
  --concurrency N  executions at once (default 8)
  --seed N         randomness of the load (default 42)
  --verbose        one line per finished execution`;

/** Parses flags (`--name value` or `--name=value`); throws with a message on bad input. */
export function parseDemoOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DemoOptions {
  const options: DemoOptions = {
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || DEFAULT_ENDPOINT,
    queryUrl:
      env.RUNTRACE_QUERY_URL ||
      (env.RUNTRACE_QUERY_PORT ? `http://localhost:${env.RUNTRACE_QUERY_PORT}` : DEFAULT_QUERY_URL),
    concurrency: 8,
    seed: 42,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") ? splitFlag(arg) : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--endpoint":
        options.endpoint = value();
        break;
      case "--query-url":
        options.queryUrl = value();
        break;
      case "--concurrency":
        options.concurrency = positiveInt(flag, value());
        break;
      case "--seed":
        options.seed = positiveInt(flag, value());
        break;
      case "--verbose":
        options.verbose = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  if (!URL.canParse(options.endpoint)) throw new Error(`invalid endpoint URL: ${options.endpoint}`);
  options.endpoint = options.endpoint.replace(/\/+$/, "");
  if (!URL.canParse(options.queryUrl)) throw new Error(`invalid query URL: ${options.queryUrl}`);
  options.queryUrl = options.queryUrl.replace(/\/+$/, "");
  return options;
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${flag} must be a positive integer, got ${text}`);
  return n;
}

/**
 * Whether the collector answers `GET /healthz`: the OTLP exporter would only fail quietly in
 * the background, so the demo checks first. Returns a problem description, or undefined.
 */
export async function collectorProblem(endpoint: string): Promise<string | undefined> {
  const url = `${endpoint}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return response.ok ? undefined : `GET ${url} answered ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const message = error instanceof Error ? error.message : String(error);
    return `GET ${url} failed: ${cause ?? message}`;
  }
}

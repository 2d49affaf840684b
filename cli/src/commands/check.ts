import { parseArgs } from "node:util";
import { ConformanceReport } from "@runtrace/query-api/contract";
import { readClientConfig } from "../config.ts";

/** How long the server may take to answer before the check gives up. */
const ANSWER_TIMEOUT_MS = 120_000;

export const CHECK_USAGE = `Usage: runtrace check --service NAME [--from TIME] [--to TIME] [--examples N] [--url URL] [--json]

Asks a running runtrace (its query API) which of the service's spans break runtrace's
conventions (docs/semantic-conventions.md), rule by rule, with example span ids.
  --service   the runtime's service.name (required)
  --from/--to the window (spans by start, state spans by end): epoch ms, RFC 3339 or relative
              (1h, 7d); default the last hour
  --examples  example spans per rule (1-20, default 5)
  --url       the query API (default RUNTRACE_QUERY_URL, else http://127.0.0.1:8080)
  --json      print the report as JSON
Bearer token: RUNTRACE_API_TOKEN. Exit code: 0 no violations, 1 violations, 2 could not check.`;

const CHECK_OPTIONS = {
  service: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  examples: { type: "string" },
  url: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/**
 * `runtrace check`: the conformance report of a running server, over HTTP (the server holds its
 * data directory's lock, so the check never opens the data itself).
 */
export async function checkCommand(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof CHECK_OPTIONS }>>["values"];
  try {
    ({ values } = parseArgs({ args: [...argv], options: CHECK_OPTIONS, strict: true }));
  } catch (error) {
    console.error(`runtrace check: ${(error as Error).message}\n\n${CHECK_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(CHECK_USAGE);
    return 0;
  }
  if (!values.service) {
    console.error(`runtrace check: --service is required\n\n${CHECK_USAGE}`);
    return 2;
  }
  try {
    return await check({ ...values, service: values.service });
  } catch (error) {
    console.error(`runtrace check: ${(error as Error).message}`);
    return 2;
  }
}

async function check(values: {
  service: string;
  from?: string | undefined;
  to?: string | undefined;
  examples?: string | undefined;
  url?: string | undefined;
  json: boolean;
}): Promise<number> {
  // RUNTRACE_QUERY_URL only when --url does not say.
  const client = readClientConfig(
    values.url === undefined ? process.env : { ...process.env, RUNTRACE_QUERY_URL: values.url },
  );
  const base = client.queryUrl;
  const query = new URLSearchParams({ service: values.service });
  for (const key of ["from", "to", "examples"] as const) {
    const value = values[key];
    if (value !== undefined) query.set(key, value);
  }
  const url = `${base}/v1/conformance?${query}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: client.token ? { authorization: `Bearer ${client.token}` } : {},
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
  } catch (error) {
    const cause =
      (error as Error).name === "TimeoutError"
        ? `no answer in ${ANSWER_TIMEOUT_MS / 1000} s`
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    console.error(
      `runtrace check: no answer from ${base} (${cause}). Is runtrace running there? Set --url or RUNTRACE_QUERY_URL.`,
    );
    return 2;
  }
  const answer = (await response.json().catch(() => undefined)) as
    | { message?: unknown }
    | undefined;
  if (!response.ok) {
    const message = typeof answer?.message === "string" ? `: ${answer.message}` : "";
    console.error(`runtrace check: ${url} answered ${response.status}${message}`);
    return 2;
  }
  const parsed = ConformanceReport.safeParse(answer);
  if (!parsed.success) {
    console.error(
      `runtrace check: ${url} did not answer a conformance report (is that runtrace's query API?)`,
    );
    return 2;
  }
  const body = parsed.data;
  if (values.json) console.log(JSON.stringify(body, null, 2));
  else printReport(body);
  if (body.spansChecked === 0 && body.snapshotsChecked === 0) {
    if (!values.json) {
      console.error(
        `runtrace check: no spans of service "${body.service}" started in that window: check the name (its service.name) and --from/--to.`,
      );
    }
    return 2;
  }
  return body.violations > 0 ? 1 : 0;
}

function printReport(report: ConformanceReport): void {
  const window = `${new Date(report.from).toISOString()} – ${new Date(report.to).toISOString()}`;
  console.log(`runtrace check: service "${report.service}", spans started ${window}`);
  console.log(
    `  ${report.spansChecked} spans and ${report.snapshotsChecked} state spans checked, ${report.violations} break at least one rule\n`,
  );
  for (const finding of report.rules) {
    if (finding.spans === 0) {
      console.log(`  ok    ${finding.rule}`);
      continue;
    }
    console.log(`  FAIL  ${finding.rule}: ${finding.spans} span(s)`);
    console.log(`        ${finding.description}`);
    for (const span of finding.examples) {
      console.log(`        span ${span.spanId}  trace ${span.traceId}  ${span.name}`);
    }
  }
}

/**
 * `npm run demo`: a QuickJS sandbox instrumented with @runtrace/sdk sends a realistic load to a
 * running runtrace collector — about sixty executions over the cli, http and mcp triggers, with
 * tool failures, elicitations (answered, declined, never answered), a run paused here and
 * resumed by another process, and runs left queued, running and waiting, so that every
 * execution status reaches ClickHouse.
 *
 *   npm start                # the collector and the query API, in another terminal
 *   npm run demo [-- --endpoint http://localhost:4318 --query-url http://localhost:8080 --verbose]
 */
import { DiagConsoleLogger, DiagLogLevel, diag } from "@opentelemetry/api";
import { startTelemetry, type TelemetryOptions } from "@runtrace/sdk-node";
import { SeededRandom } from "@runtrace/testkit/random";
import { type Outcome, runLoad } from "./demo/load.ts";
import { collectorProblem, type DemoOptions, parseDemoOptions, USAGE } from "./demo/options.ts";
import { outcomeLine, summary } from "./demo/summary.ts";
import { createSandbox } from "./sandbox/index.ts";
import { createTools } from "./tools.ts";

type SpanProcessor = NonNullable<TelemetryOptions["spanProcessors"]>[number];

/** Counts ended spans, for the summary (the OTLP exporter batches them out beside it). */
function spanCounter(): SpanProcessor & { count(): number } {
  let ended = 0;
  return {
    onStart() {},
    onEnd() {
      ended += 1;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
    count: () => ended,
  };
}

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const problem = await collectorProblem(options.endpoint);
  if (problem !== undefined) {
    console.error(
      `The runtrace collector is not reachable at ${options.endpoint} (${problem}).\n` +
        "Start it with npm start (in another terminal), or point the demo elsewhere with " +
        "--endpoint URL or OTEL_EXPORTER_OTLP_ENDPOINT.",
    );
    return 1;
  }

  // Export failures (the collector going away mid-run) are reported, not swallowed.
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  const counter = spanCounter();
  const telemetry = startTelemetry({
    serviceName: "quickjs-sandbox",
    otlpEndpoint: options.endpoint,
    metricExportIntervalMillis: 5000,
    spanProcessors: [counter],
  });
  const sandbox = createSandbox({
    tools: createTools(),
    recordToolArgs: true,
    recordToolResults: true,
    timeoutMillis: 5000,
  });

  console.log(
    `runtrace demo: QuickJS sandbox → ${options.endpoint} (service quickjs-sandbox, seed ${options.seed}, ${options.concurrency} at once)`,
  );
  const started = Date.now();
  let outcomes: Outcome[] | undefined;
  let loadError: unknown;
  try {
    outcomes = await runLoad({
      sandbox,
      random: new SeededRandom(options.seed),
      concurrency: options.concurrency,
      endpoint: options.endpoint,
      onOutcome: options.verbose ? (outcome) => console.log(outcomeLine(outcome)) : undefined,
    });
  } catch (error) {
    loadError = error;
  }
  const elapsedMillis = Date.now() - started;
  // Flushes every ended span and the metrics, also when the load broke off. The runs left in
  // progress were reported by their state spans; their segment spans never end.
  const flushError = await telemetry.shutdown().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcomes === undefined) throw loadError;
  console.log(
    summary({
      outcomes,
      elapsedMillis,
      spansRecorded: counter.count(),
      runsUrl: `${options.queryUrl}/runs`,
    }),
  );
  if (flushError !== undefined) {
    const reason = flushError instanceof Error ? flushError.message : String(flushError);
    console.error(
      `Telemetry could not be delivered to ${options.endpoint} (${reason}): is the collector still running?`,
    );
    return 1;
  }
  console.log(`Telemetry flushed to ${options.endpoint}.`);
  console.log(`See the runs: ${options.queryUrl}/runs`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

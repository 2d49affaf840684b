/**
 * `npm run bench -- NAME [options]`: runs one benchmark. Benchmarks are imported on demand so
 * that listing them does not open the embedded engine.
 */

interface Benchmark {
  description: string;
  run(args: string[]): Promise<void>;
}

const BENCHMARKS: Record<string, Benchmark> = {
  exporter: {
    description:
      "ClickHouseSpanExporter vs raw TSV inserts into embedded ClickHouse " +
      "(--spans 200000, --variants 10000x16,50000x64 as maxBatchRows x exports in flight, " +
      "--rounds 2)",
    run: async (args) => (await import("./exporter.ts")).runExporterBenchmark(args),
  },
  ingest: {
    description:
      "OTLP/HTTP protobuf requests posted to `runtrace collector` in its own process: sustained " +
      "spans/s, latency, overload (429s, bounded RSS), stored-once check, raw engine rate " +
      "(--requests 1200, --concurrency 8,16, --phase-seconds 20, --overload 128, " +
      "--overload-seconds 20, --transport http|grpc, --instrumented, --collector-cpu-prof DIR)",
    run: async (args) => (await import("./ingest.ts")).runIngestBenchmark(args),
  },
  query: {
    description:
      "run-history query API over HTTP (`runtrace query-api` process) on synthetic executions: " +
      "list pages, filters, code search, detail, tool calls, trace; p50/p95 vs the goals " +
      "(--executions 1000000, --repeat 30, --data-dir DIR to keep/reuse the data, --traces 20000, " +
      "--chunk 1000000, --write-path-share 0.05 of the runs sent through a real collector, " +
      "--write-path-in-flight 32, --scope ws_alpha, --needle 42, --generate-only, --clients 1: clients asking at once, --cold 3: cold samples a route, 0 for none)",
    run: async (args) => (await import("./query.ts")).runQueryBenchmark(args),
  },
  ui: {
    description:
      "the /runs page's first render with data in headless Chromium (`runtrace query-api` " +
      "process on the query benchmark's synthetic executions): cold and warm HTTP cache, the " +
      "API request's share, vs the goal < 1 s (--executions 1000000, --repeat 10, --warmups 1, " +
      "--data-dir DIR to keep/reuse the data, --traces 20000, --chunk 1000000, " +
      "--write-path-share 0.05, --write-path-in-flight 32, --path /runs, --timeout-ms 60000)",
    run: async (args) => (await import("./ui.ts")).runUiBenchmark(args),
  },
};

const [name, ...args] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : BENCHMARKS[name];
if (!benchmark) {
  if (name !== undefined) console.error(`unknown benchmark: ${name}`);
  console.error("usage: npm run bench -- NAME [options]\navailable benchmarks:");
  for (const [key, b] of Object.entries(BENCHMARKS)) console.error(`  ${key}  ${b.description}`);
  process.exit(1);
}
await benchmark.run(args);

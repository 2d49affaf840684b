import { checkCommand } from "./commands/check.ts";
import { migrateCommand } from "./commands/migrate.ts";
import { serveCommand } from "./commands/serve.ts";

const USAGE = `Usage: runtrace <command>

Commands:
  start      all in one: the collector (OTLP/HTTP :4318, gRPC :4317) and the query API (:8080)
             on one ClickHouse (embedded in RUNTRACE_DATA_DIR, or CLICKHOUSE_URL)
  collector  the OTLP collector alone, HTTP and gRPC (for a ClickHouse server)
  query-api  the query API alone (for a ClickHouse server)
  migrate    bring the database to the current schema version and exit
  check      ask a running runtrace which of a runtime's spans break the conventions
             (runtrace check --help)
  help       show this text

Environment: CLICKHOUSE_URL, RUNTRACE_DATA_DIR (default ./data), RUNTRACE_HOST (default
127.0.0.1), RUNTRACE_COLLECTOR_PORT (4318), RUNTRACE_GRPC_PORT (4317, or off),
RUNTRACE_QUERY_PORT (8080), RUNTRACE_INGEST_TOKEN,
RUNTRACE_MAX_BODY_BYTES, RUNTRACE_RETENTION_DAYS (30), ... See the README for every variable.`;

/** Where this copy of runtrace keeps its files. */
export interface Installation {
  /**
   * The built /runs page. The installed package carries its own copy.
   * @default the query API's `ui/dist` in this repository
   */
  uiDir?: string;
  /**
   * The renderer of the page's first screen. The installed package carries its own copy.
   * @default the query API's `ui/dist-server` in this repository
   */
  firstScreenDir?: string;
  /** Whether this is a checkout of the repository (its hints name `npm run demo`). */
  repository?: boolean;
}

/** Runs one command; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  installation: Installation = {},
): Promise<number> {
  const [command = "help"] = argv;
  try {
    switch (command) {
      case "start":
        return await serveCommand({ collector: true, queryApi: true }, installation);
      case "collector":
        return await serveCommand({ collector: true, queryApi: false }, installation);
      case "query-api":
        return await serveCommand({ collector: false, queryApi: true }, installation);
      case "migrate":
        return await migrateCommand();
      case "check":
        return await checkCommand(argv.slice(1));
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      default:
        console.error(`runtrace: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    console.error(`runtrace ${command}: ${(error as Error).message ?? error}`);
    return 1;
  }
}

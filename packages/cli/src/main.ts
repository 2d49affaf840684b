import { pathToFileURL } from "node:url";
import { migrateCommand } from "./commands/migrate.ts";
import { startCommand } from "./commands/start.ts";

const USAGE = `Usage: runtrace <command>

Commands:
  start     run runtrace on embedded ClickHouse (or CLICKHOUSE_URL): migrate, then serve
  migrate   bring the database to the current schema version and exit
  help      show this text

Environment: CLICKHOUSE_URL, RUNTRACE_DATA_DIR (default ./data), RUNTRACE_RETENTION_DAYS
(default 30), RUNTRACE_READ_TIMEOUT_SECONDS (default 30), RUNTRACE_READ_MAX_MEMORY_BYTES.
See the README for every variable.`;

/** Runs one command; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command = "help"] = argv;
  try {
    switch (command) {
      case "start":
        return await startCommand();
      case "migrate":
        return await migrateCommand();
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}

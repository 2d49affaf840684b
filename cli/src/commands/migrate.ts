import { createClickHouse, migrate } from "@runtrace/clickhouse";
import { readConfig } from "../config.ts";

/** `runtrace migrate`: applies pending schema versions and the configured retention. */
export async function migrateCommand(): Promise<number> {
  const ch = await createClickHouse(readConfig(process.env).clickhouse);
  try {
    const result = await migrate(ch);
    const what =
      result.applied.length > 0 ? `applied ${result.applied.join(", ")}` : "nothing to apply";
    console.log(
      `runtrace migrate: ${ch.kind} ClickHouse at ${ch.location}: schema ${result.from} → ${result.to} (${what})`,
    );
    if (result.retentionChanged.length > 0) {
      console.log(
        `  retention set to ${ch.config.retentionDays} days on ${result.retentionChanged.join(", ")}`,
      );
    }
    return 0;
  } finally {
    await ch.close();
  }
}

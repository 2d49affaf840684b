import type { ClickHouse } from "@runtrace/clickhouse";
import {
  type Collector,
  type CollectorConfig,
  createCollector,
  type Listening,
  listen,
} from "@runtrace/collector";
import { openMigrated, removeDir, tempDataDir } from "./clickhouse.ts";

export interface RunningCollector {
  ch: ClickHouse;
  collector: Collector;
  server: Listening;
  url: string;
  stop(): Promise<void>;
}

/** A real collector on loopback (free port) over embedded ClickHouse in a fresh directory. */
export async function startTestCollector(
  options: Partial<CollectorConfig> = {},
): Promise<RunningCollector> {
  const dataDir = tempDataDir("runtrace-collector-");
  const ch = await openMigrated(dataDir);
  const collector = createCollector(ch, { port: 0, host: "127.0.0.1", ...options });
  const server = await listen(collector.app, 0, "127.0.0.1");
  return {
    ch,
    collector,
    server,
    url: server.url,
    async stop() {
      await server.close();
      await collector.close();
      await ch.close();
      removeDir(dataDir);
    },
  };
}

import { rmSync } from "node:fs";
import type { ClickHouse } from "@runtrace/clickhouse";
import { type Collector, createCollector, type Listening, listen } from "@runtrace/collector";
import { createQueryApiApp } from "@runtrace/query-api";
import { openMigrated, tempDataDir } from "@runtrace/testkit-harness/clickhouse";

/** Nothing is ever stale in these tests: a year. */
const NEVER_STALE_MS = 365 * 24 * 60 * 60 * 1000;
const HOST = "127.0.0.1";

interface CollectorSlot {
  collector: Collector;
  server: Listening;
}

async function startCollector(ch: ClickHouse): Promise<CollectorSlot> {
  const collector = createCollector(ch, { port: 0, host: HOST });
  const server = await listen(collector.app, 0, HOST);
  return { collector, server };
}

/**
 * One embedded ClickHouse in a fresh directory, two collectors on it (each with its own
 * batching writer: two collector processes on one ClickHouse) and one query API.
 */
export class Backend {
  restarts = 0;

  private constructor(
    readonly dataDir: string,
    readonly ch: ClickHouse,
    readonly api: Listening,
    private readonly slots: CollectorSlot[],
  ) {}

  static async start(collectors = 2): Promise<Backend> {
    const dataDir = tempDataDir("runtrace-delivery-");
    const ch = await openMigrated(dataDir);
    const slots: CollectorSlot[] = [];
    for (let i = 0; i < collectors; i++) slots.push(await startCollector(ch));
    const api = await listen(
      createQueryApiApp({ clickhouse: ch, staleAfterMs: NEVER_STALE_MS }),
      0,
      HOST,
    );
    return new Backend(dataDir, ch, api, slots);
  }

  get collectorUrls(): string[] {
    return this.slots.map((s) => s.server.url);
  }

  /** The MergeTree tables of the database (the rollups and lookups included). */
  async tables(): Promise<string[]> {
    const rows = await this.ch.select<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree%' ORDER BY name",
    );
    return rows.map((r) => r.name);
  }

  /** `OPTIMIZE TABLE … FINAL` on every MergeTree table: every merge that can happen, now. */
  async optimizeAll(): Promise<void> {
    for (const table of await this.tables()) {
      await this.ch.command(`OPTIMIZE TABLE \`${table.replaceAll("`", "``")}\` FINAL`);
    }
  }

  /** Stops collector `index` (server first, then its writer) and starts a fresh one in its place. */
  async restart(index: number): Promise<void> {
    const slot = this.slots[index];
    if (!slot) throw new Error(`no collector ${index}`);
    await slot.server.close();
    await slot.collector.close();
    this.slots[index] = await startCollector(this.ch);
    this.restarts += 1;
  }

  async close(): Promise<void> {
    await this.api.close();
    for (const slot of this.slots) {
      await slot.server.close();
      await slot.collector.close();
    }
    await this.ch.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

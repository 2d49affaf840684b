import type { ClickHouse } from "../connection/client.ts";
import type { Migration, MigrationContext } from "./migration.ts";
import { TTL_TABLES, ttl } from "./retention.ts";
import { v1Initial } from "./v1-initial.ts";
import { v2Lookups } from "./v2-lookups.ts";
import { v3RunRollups } from "./v3-run-rollups.ts";
import { v4DerivedRuns } from "./v4-derived-runs.ts";
import { v5ArrivalOrder } from "./v5-arrival-order.ts";
import { v6ActiveToolCalls } from "./v6-active-tool-calls.ts";
import { v7ToolMatchCounts } from "./v7-tool-match-counts.ts";
import { v8CodeLz4 } from "./v8-code-lz4.ts";
import { v9VerticalMerges } from "./v9-vertical-merges.ts";
import { v10SnapshotOrder } from "./v10-snapshot-order.ts";
import { v11DurationCounts } from "./v11-duration-counts.ts";
import { v12ErrorGroups } from "./v12-error-groups.ts";
import { v13MatchDurations } from "./v13-match-durations.ts";

/** Every schema version, oldest first. Append only: a released version never changes. */
export const MIGRATIONS: readonly Migration[] = [
  v1Initial,
  v2Lookups,
  v3RunRollups,
  v4DerivedRuns,
  v5ArrivalOrder,
  v6ActiveToolCalls,
  v7ToolMatchCounts,
  v8CodeLz4,
  v9VerticalMerges,
  v10SnapshotOrder,
  v11DurationCounts,
  v12ErrorGroups,
  v13MatchDurations,
];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface MigrateOptions {
  /** Stop at this version (tests build old data directories with it). @default latest */
  toVersion?: number;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
  retentionChanged: string[];
}

/** The highest schema version recorded in this database, 0 for a new one. */
export async function schemaVersion(ch: ClickHouse): Promise<number> {
  await ensureMigrationsTable(ch);
  const rows = await ch.selectForWrite<{ v: number }>(
    "SELECT toUInt32(max(version)) AS v FROM schema_migrations",
  );
  return Number(rows[0]?.v ?? 0);
}

async function ensureMigrationsTable(ch: ClickHouse): Promise<void> {
  await ch.command(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    applied_at DateTime64(3) DEFAULT now64(3)
  ) ENGINE = ReplacingMergeTree ORDER BY version`);
}

/**
 * Brings the database to the latest schema version (or `toVersion`), recording each applied
 * version, then makes every table's TTL match `RUNTRACE_RETENTION_DAYS`. Safe to run on every
 * start: versions already recorded are skipped.
 */
export async function migrate(
  ch: ClickHouse,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const target = options.toVersion ?? SCHEMA_VERSION;
  const from = await schemaVersion(ch);
  const applied: number[] = [];
  let context: MigrationContext | undefined;
  for (const migration of MIGRATIONS) {
    if (migration.version <= from || migration.version > target) continue;
    if (!context) {
      const [db] = await ch.selectForWrite<{ name: string }>("SELECT currentDatabase() AS name");
      context = { retentionDays: ch.config.retentionDays, database: db?.name ?? "default" };
    }
    for (const statement of migration.statements(context)) {
      await ch.command(statement);
    }
    await ch.command(
      "INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})",
      {
        v: migration.version,
        n: migration.name,
      },
    );
    applied.push(migration.version);
  }
  const retentionChanged = await applyRetention(ch);
  return { from, to: Math.max(from, ...applied), applied, retentionChanged };
}

/** Alters the TTL of every table whose retention differs from the configured one. */
async function applyRetention(ch: ClickHouse): Promise<string[]> {
  const rows = await ch.selectForWrite<{ name: string; engine_full: string }>(
    "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}",
    { names: Object.keys(TTL_TABLES) },
  );
  const changed: string[] = [];
  for (const { name, engine_full } of rows) {
    const current = /toIntervalDay\((\d+)\)/.exec(engine_full)?.[1];
    if (current === undefined || Number(current) === ch.config.retentionDays) continue;
    const expression = TTL_TABLES[name]!;
    await ch.command(`ALTER TABLE \`${name}\` MODIFY ${ttl(expression, ch.config.retentionDays)}`);
    changed.push(name);
  }
  return changed;
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClickHouse, createClickHouse, migrate } from "@runtrace/clickhouse";

const created: string[] = [];
// Each test file runs in its own process: its data directories go when it exits.
process.once("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh data directory under the OS temp dir; one per test file (one engine per process). */
export function tempDataDir(prefix = "runtrace-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Embedded ClickHouse in a fresh directory, migrated to the latest schema. */
export async function openMigrated(dataDir = tempDataDir()): Promise<ClickHouse> {
  const ch = await createClickHouse({ dataDir, url: undefined });
  await migrate(ch);
  return ch;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

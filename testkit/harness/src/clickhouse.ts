import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClickHouse, createClickHouse, migrate } from "@runtrace/clickhouse";

const created: string[] = [];
function removeCreated(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
// Each test file runs in its own process: its data directories go when it ends. Vitest ends a
// finished file's process with SIGTERM, which skips "exit" (every run left its directories in
// the temp dir, about 150 MB a whole `npm test`).
process.once("exit", removeCreated);
process.once("SIGTERM", () => {
  removeCreated();
  // Ended by the signal itself, as without this listener (`once` has removed it): Vitest
  // replaces process.exit with one that throws while a file's tests run.
  process.kill(process.pid, "SIGTERM");
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

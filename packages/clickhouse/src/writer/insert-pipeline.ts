import type { WriteLane } from "../connection/client.ts";

/**
 * Rows as one TSV body in UTF-8, each line encoded straight into the buffer: the body is never
 * one giant JS string (joining the lines, then encoding that string for the engine, was a sixth
 * of the collector's main thread at 16 requests in flight, and much of its garbage).
 */
export function join<T>(rows: readonly T[], line: (row: T) => string): Buffer {
  let body = Buffer.allocUnsafe(Math.max(4_096, rows.length * 512));
  let at = 0;
  for (const row of rows) {
    const text = line(row);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const most = text.length * 3;
    if (at + most > body.length) {
      const grown = Buffer.allocUnsafe(Math.max(body.length * 2, at + most));
      body.copy(grown, 0, 0, at);
      body = grown;
    }
    at += body.write(text, at);
  }
  return body.subarray(0, at);
}

/**
 * A table, its columns, its rows (built when their turn comes: TabSeparated unless `format`
 * says Native), a dedup token, and what to do once stored.
 */
export type InsertJob = [
  table: string,
  columns: readonly string[],
  body: () => string | Uint8Array,
  token?: string,
  stored?: () => void,
  format?: "TabSeparated" | "Native",
];

/** Runs the inserts one after another, building each body while the previous insert runs. */
export async function pipeline(ch: WriteLane, jobs: readonly InsertJob[]): Promise<void> {
  let running: Promise<void> | undefined;
  try {
    for (const [table, columns, body, token, stored, format] of jobs) {
      const rows = body();
      if (running) await running;
      running =
        rows.length === 0
          ? undefined
          : format === "Native"
            ? ch.insertNative(table, columns, rows as Uint8Array, token).then(stored)
            : ch.insertTsv(table, columns, rows, token).then(stored);
    }
    if (running) await running;
  } catch (error) {
    await running?.catch(() => undefined);
    throw error;
  }
}

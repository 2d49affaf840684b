import type { WriteLane } from "../connection/client.ts";

/** Rows as one flat TSV string: a `+=` chain would be flattened (copied) again by the client. */
export function join<T>(rows: readonly T[], line: (row: T) => string): string {
  return rows.map(line).join("");
}

/** A table, its columns, its TSV text (built when its turn comes), a dedup token, and what to do once stored. */
export type InsertJob = [
  table: string,
  columns: readonly string[],
  body: () => string,
  token?: string,
  stored?: () => void,
];

/** Runs the inserts one after another, building each body while the previous insert runs. */
export async function pipeline(ch: WriteLane, jobs: readonly InsertJob[]): Promise<void> {
  let running: Promise<void> | undefined;
  try {
    for (const [table, columns, body, token, stored] of jobs) {
      const text = body();
      if (running) await running;
      running =
        text.length > 0 ? ch.insertTsv(table, columns, text, token).then(stored) : undefined;
    }
    if (running) await running;
  } catch (error) {
    await running?.catch(() => undefined);
    throw error;
  }
}

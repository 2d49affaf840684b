import { type ClickHouse, insertComment, type ReadOptions } from "../connection/client.ts";

/**
 * Arrival order: when each run row reached ClickHouse (schema v5's `run_arrivals`, stamped by
 * the server as the insert runs) and how far that order is settled.
 *
 * A row commits some time after its stamp, and two writers commit in any order: a reader that
 * returned every row stamped before "now" would miss a row stamped earlier whose insert was
 * still running. Every runtrace insert names its table in its `log_comment`, so a reader can ask
 * `system.processes` for the run-row inserts still running: no row stamped before the oldest
 * of them started can still appear. That point is the boundary; everything before it is in.
 */

/** The tables whose rows live mode follows. */
const RUN_TABLES = ["executions", "execution_states"];

/**
 * Margin below the oldest running insert's start: `elapsed` is a float, and the start it gives
 * is an estimate (an early one: it is measured after `now64()` is taken).
 */
const START_MARGIN_US = 1_000;

/**
 * The arrival boundary now (epoch µs, ClickHouse's clock): every run row stamped before it is
 * visible to any read that starts after this call returns. Read it before the rows, never in
 * the same statement (a statement may pick its parts before it computes its scalars).
 */
export async function readArrivalBoundary(ch: ClickHouse, options?: ReadOptions): Promise<number> {
  const [row] = await ch.select<{ now_us: number; oldest_us: number; running: number }>(
    `SELECT toUnixTimestamp64Micro(now64(6)) AS now_us,
       toInt64(min(toUnixTimestamp64Micro(now64(6)) - toInt64(elapsed * 1000000))) AS oldest_us,
       count() AS running
     FROM system.processes
     WHERE query_kind = 'Insert'
       AND Settings['log_comment'] IN {comments:Array(String)}`,
    { comments: RUN_TABLES.map(insertComment) },
    options,
  );
  if (!row) throw new Error("system.processes returned no row");
  const now = Number(row.now_us);
  return Number(row.running) > 0 ? Math.min(now, Number(row.oldest_us) - START_MARGIN_US) : now;
}

import type { WriteLane } from "../connection/client.ts";
import { UNFINISHED_SNAPSHOT } from "../read/runs.ts";
import type { ExecutionRow } from "../rows/rows.ts";

/**
 * Snapshots of finished runs leave `execution_states`: readers already skip them (the run's
 * final row is copied over them), so this only keeps the table small.
 */

type KeyRange = {
  scopes: string[];
  ids: string[];
  fromMs: number;
  toMs: number;
};

/** The runs of a {@link KeyRange}, located by primary key: scope, a time range, then ids. */
const RUN_KEY_RANGE =
  "scope_id IN {scopes:Array(String)} AND created_at >= fromUnixTimestamp64Milli({fromMs:Int64}) " +
  "AND created_at <= fromUnixTimestamp64Milli({toMs:Int64}) AND execution_id IN {ids:Array(String)}";

function rangeOf<T>(
  rows: readonly T[],
  scope: (r: T) => string,
  id: (r: T) => string,
  ms: (r: T) => number,
): KeyRange {
  const scopes = new Set<string>();
  const ids: string[] = [];
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    scopes.add(scope(r));
    ids.push(id(r));
    const t = ms(r);
    if (t < fromMs) fromMs = t;
    if (t > toMs) toMs = t;
  }
  return { scopes: [...scopes], ids, fromMs: Math.floor(fromMs), toMs: Math.ceil(toMs) };
}

/**
 * Deletes the snapshots of runs that now have their final row, in two steps: the unfinished
 * snapshots first, waiting until every part is done, then the copies of final rows. A lightweight
 * delete applies part by part, so deleting both at once could briefly leave an older
 * snapshot as a run's latest and show the finished run as unfinished again.
 */
export async function deleteSettledStates(
  ch: WriteLane,
  settled: readonly ExecutionRow[],
  wait: boolean,
): Promise<void> {
  if (settled.length === 0) return;
  const range = rangeOf(
    settled,
    (r) => r.scopeId,
    (r) => r.executionId,
    (r) => r.createdAt,
  );
  await ch.command(
    `DELETE FROM execution_states WHERE ${RUN_KEY_RANGE} AND ${UNFINISHED_SNAPSHOT} SETTINGS lightweight_deletes_sync = 2`,
    range,
  );
  await ch.command(
    `DELETE FROM execution_states WHERE ${RUN_KEY_RANGE} ` +
      // Readers already skip these rows: a periodic delete need not hold up the next batch;
      // a flush waits for it.
      `SETTINGS lightweight_deletes_sync = ${wait ? 2 : 0}`,
    range,
  );
}

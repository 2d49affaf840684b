/**
 * A run row's `version`: which of two rows of one run wins. From the most significant bit:
 * final or not (1 bit), the root span's own order (`rootVersion`: the SDK's sequence number,
 * else the root's end in ms; 42 bits, enough for milliseconds until 2109), then the number of
 * child spans (tool calls and interactions) the row was derived from (21 bits). A row built
 * from a later root, or from the same root and more of the run's spans, is always newer; the
 * row built from all of them is the newest. `execution_states` (ReplacingMergeTree on this
 * column) keeps it by itself; for `executions` the writer lists the others as superseded.
 */

const CHILD_BITS = 21n;
const ROOT_BITS = 42n;
const CHILD_MAX = (1n << CHILD_BITS) - 1n;
const ROOT_MAX = (1n << ROOT_BITS) - 1n;
const FINAL_BIT = 1n << (CHILD_BITS + ROOT_BITS);

export function runVersion(final: boolean, rootVersion: number, children: number): bigint {
  const root = BigInt(Math.max(0, Math.trunc(rootVersion)));
  const kids = BigInt(Math.max(0, Math.trunc(children)));
  return (
    (final ? FINAL_BIT : 0n) |
    ((root > ROOT_MAX ? ROOT_MAX : root) << CHILD_BITS) |
    (kids > CHILD_MAX ? CHILD_MAX : kids)
  );
}

/** The root part of a version (final-ness and root order), comparable between versions. */
export function rootPartOf(version: bigint): bigint {
  return version >> CHILD_BITS;
}

/** Final-ness and `rootVersion` of a version (as packed; rows from before v4 decode as 0). */
export function rootOfVersion(version: bigint): { final: boolean; rootVersion: number } {
  return {
    final: (version & FINAL_BIT) !== 0n,
    rootVersion: Number((version >> CHILD_BITS) & ROOT_MAX),
  };
}

/**
 * Which of two rows of one run wins: the higher version, then (two different roots with the
 * same order, or two writers deriving the same row) the higher root span id, then row id.
 * Every reader and writer decides with this same order.
 */
export interface RowRank {
  version: bigint;
  spanId: string;
  rowId: bigint;
}

export function compareRank(a: RowRank, b: RowRank): number {
  if (a.version !== b.version) return a.version > b.version ? 1 : -1;
  if (a.spanId !== b.spanId) return a.spanId > b.spanId ? 1 : -1;
  if (a.rowId !== b.rowId) return a.rowId > b.rowId ? 1 : -1;
  return 0;
}

// Random ids are drawn a few thousand at a time: one draw per row showed in the writer's profile.
const POOL = new BigUint64Array(4096);
let next = POOL.length;

/** A random, non-zero row id (0 marks rows written before schema version 4). */
export function newRowId(): bigint {
  for (;;) {
    if (next === POOL.length) {
      crypto.getRandomValues(POOL);
      next = 0;
    }
    const id = POOL[next++]!;
    if (id !== 0n) return id;
  }
}

/**
 * Durations counted in buckets, so the rollups can say p50 and p95 of millions of runs and
 * tool calls without reading them: a bucket's count is a plain sum, which a superseded run row
 * takes back out exactly as it does from `run_counts`. Quantile sketches (t-digest) cannot be
 * taken back out.
 *
 * Bucket i holds durations (µs) in [lower(i), upper(i)): exact microseconds below 16 µs, then
 * eight buckets per doubling. A quantile is answered as the geometric middle of its bucket, at
 * most 2^(1/16) − 1 ≈ 4.4 % away from the true value (up to 6 % between 16 µs and 100 µs,
 * where rounding widens a bucket); the bucket is returned with it.
 */

/** Buckets per doubling above the exact range. */
const PER_DOUBLING = 8;
/** Durations below this many µs have a bucket each. */
const EXACT_BELOW_US = 16;
/** The last bucket's lower bound is about 2^42 µs (51 days); longer durations share it. */
const MAX_DOUBLINGS = 42 - Math.log2(EXACT_BELOW_US);

/** Upper bounds (exclusive, µs) of every bucket but the last, which has none. */
export const DURATION_BUCKET_BOUNDS_US: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let us = 1; us <= EXACT_BELOW_US; us++) bounds.push(us);
  for (let k = 1; k <= MAX_DOUBLINGS * PER_DOUBLING; k++) {
    const bound = Math.round(EXACT_BELOW_US * 2 ** (k / PER_DOUBLING));
    if (bound > bounds[bounds.length - 1]!) bounds.push(bound);
  }
  return bounds;
})();

/** The bucket of a duration in µs (negative counts as 0). */
export function durationBucket(us: number): number {
  // The number of bounds ≤ us: binary search over the sorted bounds.
  let lo = 0;
  let hi = DURATION_BUCKET_BOUNDS_US.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (DURATION_BUCKET_BOUNDS_US[mid]! <= us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The same as {@link durationBucket}, in SQL over an integer µs expression. Above the exact
 * range, bound k (1-based after 16 µs) is round(16·2^(k/8)): the logarithm names the bucket
 * and one look-up on each side corrects the rounding (and any error of the float logarithm).
 * Searching the bounds instead (`arrayFirstIndex`) cost 2 µs a row, 100 times as much, which
 * every insert into `executions` pays in the rollups' views.
 */
export function durationBucketSql(usExpression: string): string {
  const x = `(${usExpression})`;
  // 1-based: B[16 + k] is bound k's value; a last bound above any Int64 closes the array.
  const bounds = `[${DURATION_BUCKET_BOUNDS_US.join(",")},18446744073709551615]`;
  const maxK = DURATION_BUCKET_BOUNDS_US.length - EXACT_BELOW_US;
  const k = `least(toUInt32(floor(${PER_DOUBLING} * log2(${x} / ${EXACT_BELOW_US}))), ${maxK})`;
  return `toUInt16(multiIf(${x} < ${EXACT_BELOW_US}, greatest(${x}, 0),
    ${EXACT_BELOW_US} + ${k} + (${bounds}[${EXACT_BELOW_US + 1} + ${k}] <= ${x}) - (${bounds}[${EXACT_BELOW_US} + ${k}] > ${x})))`;
}

/** A bucket's range in µs: [lower, upper); the last bucket's upper is Infinity. */
export function bucketRangeUs(bucket: number): { lower: number; upper: number } {
  return {
    lower: bucket === 0 ? 0 : DURATION_BUCKET_BOUNDS_US[bucket - 1]!,
    upper: DURATION_BUCKET_BOUNDS_US[bucket] ?? Number.POSITIVE_INFINITY,
  };
}

/** A quantile read from bucket counts: the estimate and the bucket it lies in, in ms. */
export interface BucketQuantile {
  q: number;
  ms: number;
  fromMs: number;
  /** null: the last, open bucket. */
  toMs: number | null;
}

/**
 * Quantiles of counts per bucket, by nearest rank (the ⌈q·n⌉-th smallest duration): the
 * bucket holding that rank, and its geometric middle (its lower bound for the first and the
 * exact buckets, where the middle would not be a value one can hold). Empty when n is 0.
 */
export function bucketQuantiles(
  counts: ReadonlyMap<number, number>,
  qs: readonly number[],
): BucketQuantile[] {
  const buckets = [...counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return [];
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    let bucket = buckets[buckets.length - 1]![0];
    for (const [b, n] of buckets) {
      seen += n;
      if (seen >= rank) {
        bucket = b;
        break;
      }
    }
    const { lower, upper } = bucketRangeUs(bucket);
    const exact = upper - lower <= 1 || !Number.isFinite(upper);
    const us = exact ? lower : Math.sqrt(lower * upper);
    return {
      q,
      ms: us / 1000,
      fromMs: lower / 1000,
      toMs: Number.isFinite(upper) ? upper / 1000 : null,
    };
  });
}

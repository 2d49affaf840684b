const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Round bucket sizes, smallest first. */
export const BUCKET_LADDER_MS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
] as const;

/** Buckets a timeline aims to stay within. */
export const MAX_BUCKETS = 60;

/**
 * The smallest ladder step that divides the range into at most MAX_BUCKETS steps. Buckets are
 * aligned to multiples of the step, so an unaligned range may touch one or two more.
 */
export function chartBucketMs(fromMs: number, toMs: number): number {
  for (const step of BUCKET_LADDER_MS) {
    if ((toMs - fromMs) / step <= MAX_BUCKETS) return step;
  }
  return DAY;
}

/** Every bucket start from the one holding `fromMs` to the one holding `toMs`. */
export function bucketStarts(fromMs: number, toMs: number, stepMs: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(fromMs / stepMs) * stepMs; t <= toMs; t += stepMs) starts.push(t);
  return starts;
}

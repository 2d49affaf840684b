import { BUCKET_LADDER_MS } from "../executions/timeline.ts";

/** Time buckets of the stats timeline: interval parsing and the default step. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The default interval aims at this many buckets at most. */
export const DEFAULT_MAX_BUCKETS = 60;
/** An explicit interval giving more buckets than this is refused. */
export const MAX_BUCKETS = 1000;

/** Start of the aligned bucket holding `t`: floor(t / interval) * interval. */
export function bucketStart(t: number, intervalMs: number): number {
  return Math.floor(t / intervalMs) * intervalMs;
}

/** How many aligned buckets cover [fromMs, toMs). */
export function bucketCount(fromMs: number, toMs: number, intervalMs: number): number {
  return Math.ceil((toMs - bucketStart(fromMs, intervalMs)) / intervalMs);
}

/** Every bucket start covering [fromMs, toMs), oldest first. */
export function bucketStarts(fromMs: number, toMs: number, intervalMs: number): number[] {
  const starts: number[] = [];
  for (let t = bucketStart(fromMs, intervalMs); t < toMs; t += intervalMs) starts.push(t);
  return starts;
}

/**
 * The smallest ladder step covering [fromMs, toMs) in at most {@link DEFAULT_MAX_BUCKETS}
 * buckets; past the ladder, whole days.
 */
export function defaultInterval(fromMs: number, toMs: number): number {
  // The same round steps as the run list's timeline.
  for (const step of BUCKET_LADDER_MS) {
    if (bucketCount(fromMs, toMs, step) <= DEFAULT_MAX_BUCKETS) return step;
  }
  let days = Math.ceil((toMs - fromMs) / DAY / DEFAULT_MAX_BUCKETS);
  while (bucketCount(fromMs, toMs, days * DAY) > DEFAULT_MAX_BUCKETS) days += 1;
  return days * DAY;
}

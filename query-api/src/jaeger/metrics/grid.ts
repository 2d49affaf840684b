/**
 * The time axis every series of an answer shares. Buckets are `[t, t + step)` with `t` a
 * multiple of `step` since the Unix epoch (as `toStartOfInterval` would cut them), so a refresh
 * with a later `endTs` keeps the same boundaries, and one timestamp means one bucket in every
 * answer: the three latency quantiles the Monitor tab asks for line up point by point.
 */
export interface TimeGrid {
  /** Start of the first bucket, epoch ms: the bucket holding `endTs - lookback`, whole. */
  firstMs: number;
  stepMs: number;
  /** Buckets overlapping `[endTs - lookback, endTs)`. */
  count: number;
  /** Exclusive end of the read, epoch ms: the last bucket is cut here. */
  endMs: number;
}

/** Nothing is stored before the Unix epoch (OTLP times are unsigned). */
export function timeGrid(endMs: number, lookbackMs: number, stepMs: number): TimeGrid {
  const startMs = Math.max(0, endMs - lookbackMs);
  if (startMs >= endMs) return { firstMs: endMs, stepMs, count: 0, endMs };
  const firstMs = Math.floor(startMs / stepMs) * stepMs;
  return { firstMs, stepMs, count: Math.ceil((endMs - firstMs) / stepMs), endMs };
}

export const bucketStartMs = (grid: TimeGrid, index: number) => grid.firstMs + index * grid.stepMs;

/**
 * Seconds of a bucket inside the read: the whole step, except for the bucket `endTs` cuts
 * (usually the one still filling, with `endTs` = now), whose calls are a rate over what was read
 * rather than an undercount that would draw a false drop at the end of every graph.
 */
export function bucketSeconds(grid: TimeGrid, index: number): number {
  const start = bucketStartMs(grid, index);
  return (Math.min(start + grid.stepMs, grid.endMs) - start) / 1000;
}

/** RFC 3339 UTC as protobuf's JSON writes a Timestamp: no fraction when it is zero. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

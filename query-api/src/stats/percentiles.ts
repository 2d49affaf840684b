/**
 * Percentiles from explicit-bucket histograms: the observations of a bucket are taken as
 * spread evenly across it, and the quantile is interpolated linearly inside the bucket that
 * holds its rank (as Prometheus' `histogram_quantile` does).
 */

/** Summed bucket counts of one set of explicit bounds. */
export interface BucketHistogram {
  /** Upper bounds of every bucket but the last (OTLP `explicit_bounds`). */
  bounds: readonly number[];
  /** `bounds.length + 1` counts; the last is the overflow bucket. */
  counts: readonly number[];
  /** The largest observation when known (> the last bound), else 0 or undefined. */
  max?: number | undefined;
}

interface Segment {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Buckets as value ranges: the first from 0 (or from its bound when that is negative), the
 * overflow bucket from the last bound up to the recorded Max, or a point at the last bound
 * when no Max above it is stored.
 */
function segments(histogram: BucketHistogram): Segment[] {
  const { bounds, counts } = histogram;
  const out: Segment[] = [];
  counts.forEach((raw, i) => {
    const count = Number(raw);
    if (!(count > 0)) return;
    let lo: number;
    let hi: number;
    if (i === 0) {
      hi = bounds.length > 0 ? bounds[0]! : Math.max(0, histogram.max ?? 0);
      lo = Math.min(0, hi);
    } else if (i < bounds.length) {
      lo = bounds[i - 1]!;
      hi = bounds[i]!;
    } else {
      lo = bounds[bounds.length - 1]!;
      const max = histogram.max;
      hi = max !== undefined && Number.isFinite(max) && max > lo ? max : lo;
    }
    out.push({ lo, hi, count });
  });
  return out;
}

/** Observations at or below `x`, counting a bucket's share linearly. */
function cumulative(parts: readonly Segment[], x: number): number {
  let n = 0;
  for (const { lo, hi, count } of parts) {
    if (x >= hi) n += count;
    else if (x > lo) n += (count * (x - lo)) / (hi - lo);
  }
  return n;
}

/**
 * The `q` quantile (0 < q ≤ 1) of the observations of several histograms together (they may
 * have different bounds), or `null` when they hold no observation.
 */
export function quantile(histograms: readonly BucketHistogram[], q: number): number | null {
  const parts = histograms.flatMap(segments);
  const total = parts.reduce((n, s) => n + s.count, 0);
  if (!(total > 0)) return null;
  const rank = q * total;
  const epsilon = total * 1e-12;
  const points = [...new Set(parts.flatMap((s) => [s.lo, s.hi]))].sort((a, b) => a - b);
  let previous: number | undefined;
  for (const point of points) {
    const atPoint = cumulative(parts, point);
    if (atPoint + epsilon >= rank) {
      if (previous === undefined) return round(point);
      // Just below `point`: without the buckets that are a single point there.
      const mass = parts.reduce((n, s) => (s.lo === point && s.hi === point ? n + s.count : n), 0);
      const below = atPoint - mass;
      const atPrevious = cumulative(parts, previous);
      if (below + epsilon < rank || below <= atPrevious) return round(point);
      return round(previous + ((rank - atPrevious) / (below - atPrevious)) * (point - previous));
    }
    previous = point;
  }
  return round(points[points.length - 1]!);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** p50, p95 and p99 at once. */
export function percentiles(histograms: readonly BucketHistogram[]): {
  p50: number | null;
  p95: number | null;
  p99: number | null;
} {
  return {
    p50: quantile(histograms, 0.5),
    p95: quantile(histograms, 0.95),
    p99: quantile(histograms, 0.99),
  };
}

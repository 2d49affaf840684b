import type { MetricRows } from "@runtrace/clickhouse";

/** Decoded metric points, plus the points that have no table and were dropped. */
export interface DecodedMetrics {
  rows: MetricRows;
  /** Exponential histogram and summary points: counted, not stored. */
  rejectedPoints: number;
  /** "" when nothing was rejected; otherwise for the partial-success response. */
  rejectMessage: string;
}

export function unsupportedMessage(rejectedPoints: number): string {
  return rejectedPoints === 0
    ? ""
    : `exponential histogram and summary points are not supported: ${rejectedPoints} rejected`;
}

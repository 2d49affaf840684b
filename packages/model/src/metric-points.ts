import type { Attributes, ResourceInput } from "./span-input.ts";

/**
 * Metric points as the decoder and the in-process metric exporter produce them: one per OTLP
 * data point, with its resource and scope, grouped by the table each goes to.
 */

/** What every metric point row shares (the collector exporter's common columns). */
export interface MetricPointBase {
  resource: ResourceInput;
  resourceSchemaUrl: string;
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: Attributes;
  scopeDroppedAttrCount: number;
  scopeSchemaUrl: string;
  metricName: string;
  description: string;
  unit: string;
  attributes: Attributes;
  startNs: bigint;
  timeNs: bigint;
  flags: number;
}

/** OTLP's AggregationTemporality numbers (DELTA = 1, CUMULATIVE = 2), as the tables store them. */
export const OTLP_TEMPORALITY_DELTA = 1;
export const OTLP_TEMPORALITY_CUMULATIVE = 2;

export interface SumPoint extends MetricPointBase {
  value: number;
  temporality: number;
  isMonotonic: boolean;
}

export interface GaugePoint extends MetricPointBase {
  value: number;
}

export interface HistogramPoint extends MetricPointBase {
  count: number;
  sum: number;
  bucketCounts: number[];
  explicitBounds: number[];
  min: number;
  max: number;
  temporality: number;
}

export interface MetricRows {
  sums: SumPoint[];
  gauges: GaugePoint[];
  histograms: HistogramPoint[];
}

export function emptyMetricRows(): MetricRows {
  return { sums: [], gauges: [], histograms: [] };
}

export function metricPointCount(rows: MetricRows): number {
  return rows.sums.length + rows.gauges.length + rows.histograms.length;
}

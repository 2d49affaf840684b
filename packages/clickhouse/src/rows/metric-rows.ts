import type { Attributes, ResourceInput } from "./span-input.ts";
import { nanosText, tsvArray, tsvMap, tsvString } from "./tsv.ts";

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

const COMMON_COLUMNS = [
  "ResourceAttributes",
  "ResourceSchemaUrl",
  "ScopeName",
  "ScopeVersion",
  "ScopeAttributes",
  "ScopeDroppedAttrCount",
  "ScopeSchemaUrl",
  "ServiceName",
  "MetricName",
  "MetricDescription",
  "MetricUnit",
  "Attributes",
  "StartTimeUnix",
  "TimeUnix",
] as const;

export const METRIC_SUM_COLUMNS = [
  ...COMMON_COLUMNS,
  "Value",
  "Flags",
  "AggregationTemporality",
  "IsMonotonic",
] as const;
export const METRIC_GAUGE_COLUMNS = [...COMMON_COLUMNS, "Value", "Flags"] as const;
export const METRIC_HISTOGRAM_COLUMNS = [
  ...COMMON_COLUMNS,
  "Count",
  "Sum",
  "BucketCounts",
  "ExplicitBounds",
  "Flags",
  "Min",
  "Max",
  "AggregationTemporality",
] as const;

function float(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Number.POSITIVE_INFINITY) return "inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  return String(value);
}

function common(p: MetricPointBase): string {
  return `${tsvMap(p.resource.attributes.values)}\t${tsvString(p.resourceSchemaUrl)}\t${tsvString(p.scopeName)}\t${tsvString(p.scopeVersion)}\t${tsvMap(p.scopeAttributes.values)}\t${p.scopeDroppedAttrCount}\t${tsvString(p.scopeSchemaUrl)}\t${tsvString(p.resource.serviceName)}\t${tsvString(p.metricName)}\t${tsvString(p.description)}\t${tsvString(p.unit)}\t${tsvMap(p.attributes.values)}\t${nanosText(p.startNs)}\t${nanosText(p.timeNs)}`;
}

export function sumLine(p: SumPoint): string {
  return `${common(p)}\t${float(p.value)}\t${p.flags}\t${p.temporality}\t${p.isMonotonic ? 1 : 0}\n`;
}

export function gaugeLine(p: GaugePoint): string {
  return `${common(p)}\t${float(p.value)}\t${p.flags}\n`;
}

export function histogramLine(p: HistogramPoint): string {
  return `${common(p)}\t${p.count}\t${float(p.sum)}\t${tsvArray(p.bucketCounts.map(String))}\t${tsvArray(p.explicitBounds.map(float))}\t${p.flags}\t${float(p.min)}\t${float(p.max)}\t${p.temporality}\n`;
}

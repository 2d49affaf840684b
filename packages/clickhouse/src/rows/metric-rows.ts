import type { GaugePoint, HistogramPoint, MetricPointBase, SumPoint } from "@runtrace/model";
import { nanosText, tsvArray, tsvMap, tsvString } from "./tsv.ts";

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

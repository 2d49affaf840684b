import {
  emptyMetricRows,
  type HistogramPoint,
  type MetricPointBase,
  type MetricRows,
} from "@runtrace/model";
import { attributes, resource, scope } from "./any-value-json.ts";
import {
  array,
  bool,
  decodeJsonBody,
  double,
  element,
  enumValue,
  int64,
  type JsonObject,
  nest,
  numbers,
  object,
  string,
  uint32,
  uint64,
  uint64Number,
} from "./json-fields.ts";
import {
  type DecodedMetrics,
  type MetricContext,
  pointBase,
  unsupportedMessage,
} from "./metrics.ts";

const TEMPORALITY_NAMES = [
  "AGGREGATION_TEMPORALITY_UNSPECIFIED",
  "AGGREGATION_TEMPORALITY_DELTA",
  "AGGREGATION_TEMPORALITY_CUMULATIVE",
];

/** What a point row takes from the objects around it. */
type Context = MetricContext;

interface Output {
  rows: MetricRows;
  rejectedPoints: number;
}

/** An OTLP/JSON ExportMetricsServiceRequest → point rows. */
export function decodeMetricsJson(body: Uint8Array | string): DecodedMetrics {
  return decodeJsonBody(body, (root) => {
    const out: Output = { rows: emptyMetricRows(), rejectedPoints: 0 };
    const resourceMetrics = array(root, "resourceMetrics");
    for (let i = 0; i < resourceMetrics.length; i++) {
      try {
        readResourceMetrics(element(resourceMetrics[i]), out);
      } catch (error) {
        throw nest(error, "resourceMetrics", i);
      }
    }
    return {
      rows: out.rows,
      rejectedPoints: out.rejectedPoints,
      rejectMessage: unsupportedMessage(out.rejectedPoints),
    };
  });
}

function readResourceMetrics(o: JsonObject, out: Output): void {
  const res = resource(o);
  const resourceSchemaUrl = string(o, "schemaUrl");
  const scopeMetrics = array(o, "scopeMetrics");
  for (let i = 0; i < scopeMetrics.length; i++) {
    try {
      const sm = element(scopeMetrics[i]);
      const sc = scope(sm);
      const scopeSchemaUrl = string(sm, "schemaUrl");
      const metrics = array(sm, "metrics");
      for (let j = 0; j < metrics.length; j++) {
        try {
          const m = element(metrics[j]);
          readMetric(m, out, {
            resource: res,
            resourceSchemaUrl,
            scopeName: sc.name,
            scopeVersion: sc.version,
            scopeAttributes: sc.attributes,
            scopeDroppedAttrCount: sc.droppedAttributesCount,
            scopeSchemaUrl,
            metricName: string(m, "name"),
            description: string(m, "description"),
            unit: string(m, "unit"),
          });
        } catch (error) {
          throw nest(error, "metrics", j);
        }
      }
    } catch (error) {
      throw nest(error, "scopeMetrics", i);
    }
  }
}

/** Runs `read` on each element of `data.dataPoints`, with the path on errors. */
function eachPoint(data: JsonObject, read: (p: JsonObject) => void): number {
  const points = array(data, "dataPoints");
  for (let i = 0; i < points.length; i++) {
    try {
      read(element(points[i]));
    } catch (error) {
      throw nest(error, "dataPoints", i);
    }
  }
  return points.length;
}

function readMetric(m: JsonObject, out: Output, c: Context): void {
  array(m, "metadata");
  // The data oneof: the first present member wins, should more than one be.
  let key = "gauge";
  try {
    const gauge = object(m, key);
    if (gauge) {
      eachPoint(gauge, (p) =>
        out.rows.gauges.push({ ...jsonPointBase(p, c), value: numberValue(p) }),
      );
      return;
    }
    key = "sum";
    const sum = object(m, key);
    if (sum) {
      const temporality = enumValue(sum, "aggregationTemporality", TEMPORALITY_NAMES);
      const isMonotonic = bool(sum, "isMonotonic");
      eachPoint(sum, (p) =>
        out.rows.sums.push({
          ...jsonPointBase(p, c),
          value: numberValue(p),
          temporality,
          isMonotonic,
        }),
      );
      return;
    }
    key = "histogram";
    const histogram = object(m, key);
    if (histogram) {
      const temporality = enumValue(histogram, "aggregationTemporality", TEMPORALITY_NAMES);
      eachPoint(histogram, (p) => out.rows.histograms.push(histogramPoint(p, c, temporality)));
      return;
    }
    key = "exponentialHistogram";
    const exponential = object(m, key);
    if (exponential) {
      enumValue(exponential, "aggregationTemporality", TEMPORALITY_NAMES);
      out.rejectedPoints += eachPoint(exponential, () => {});
      return;
    }
    key = "summary";
    const summary = object(m, key);
    if (summary) out.rejectedPoints += eachPoint(summary, () => {});
  } catch (error) {
    throw nest(error, key);
  }
}

function jsonPointBase(p: JsonObject, c: Context): MetricPointBase {
  return pointBase(
    c,
    attributes(p, "attributes"),
    uint64(p, "startTimeUnixNano"),
    uint64(p, "timeUnixNano"),
    uint32(p, "flags"),
  );
}

/** NumberDataPoint's value oneof {asDouble, asInt}; 0 when neither is set. */
function numberValue(p: JsonObject): number {
  array(p, "exemplars");
  const asDouble = double(p, "asDouble");
  if (asDouble !== undefined) return asDouble;
  const asInt = int64(p, "asInt");
  // Above 2^53 the nearest double, as on the protobuf path.
  return asInt === undefined ? 0 : Number(asInt);
}

function histogramPoint(p: JsonObject, c: Context, temporality: number): HistogramPoint {
  array(p, "exemplars");
  return {
    ...jsonPointBase(p, c),
    count: uint64Number(p, "count"),
    sum: double(p, "sum") ?? 0,
    bucketCounts: numbers(p, "bucketCounts", uint64Number),
    explicitBounds: numbers(p, "explicitBounds", double),
    min: double(p, "min") ?? 0,
    max: double(p, "max") ?? 0,
    temporality,
  };
}

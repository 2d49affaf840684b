import {
  EMPTY_ATTRIBUTES,
  emptyMetricRows,
  type MetricRows,
  type ResourceInput,
} from "@runtrace/model";
import {
  builtAttributes,
  EMPTY_RESOURCE,
  readKeyValue,
  readResource,
  readScope,
} from "./any-value.ts";
import type { AttributesBuilder } from "./attributes.ts";
import {
  type DecodedMetrics,
  type MetricContext,
  pointBase,
  unsupportedMessage,
} from "./metrics.ts";
import { WIRE_LEN, WireReader } from "./wire-reader.ts";

/*
 * metrics/v1 (opentelemetry-proto): ExportMetricsServiceRequest{resource_metrics 1},
 * ResourceMetrics{resource 1, scope_metrics 2, schema_url 3}, ScopeMetrics{scope 1,
 * metrics 2, schema_url 3}, Metric{name 1, description 2, unit 3, gauge 5, sum 7,
 * histogram 9, exponential_histogram 10, summary 11, metadata 12}, Gauge{data_points 1},
 * Sum{data_points 1, aggregation_temporality 2, is_monotonic 3}, Histogram{data_points 1,
 * aggregation_temporality 2}, ExponentialHistogram{data_points 1, aggregation_temporality 2},
 * Summary{data_points 1}, NumberDataPoint{start_time_unix_nano 2, time_unix_nano 3,
 * as_double 4, exemplars 5, as_int 6, attributes 7, flags 8}, HistogramDataPoint{
 * start_time_unix_nano 2, time_unix_nano 3, count 4, sum 5, bucket_counts 6,
 * explicit_bounds 7, exemplars 8, attributes 9, flags 10, min 11, max 12}.
 */

type Context = MetricContext;

interface Output {
  rows: MetricRows;
  rejectedPoints: number;
}

/** An ExportMetricsServiceRequest (or MetricsData: same field 1) → point rows. */
export function decodeMetricsProtobuf(body: Uint8Array): DecodedMetrics {
  const r = new WireReader(body, "ExportMetricsServiceRequest");
  const out: Output = { rows: emptyMetricRows(), rejectedPoints: 0 };
  while (r.pos < r.end) {
    if (r.tag("ExportMetricsServiceRequest") === 1) {
      const outer = r.enter();
      readResourceMetrics(r, out);
      r.leave(outer);
    } else r.skip();
  }
  return {
    rows: out.rows,
    rejectedPoints: out.rejectedPoints,
    rejectMessage: unsupportedMessage(out.rejectedPoints),
  };
}

/*
 * Containers are read in two passes: their own fields first, then their children, because
 * encoders write the schema urls (field 3) and temporality after the children, and a point
 * row needs them all when it is built. Skipping a sub-message in the first pass is O(1).
 */

function readResourceMetrics(r: WireReader, out: Output): void {
  const start = r.pos;
  let resource = EMPTY_RESOURCE;
  let schemaUrl = "";
  while (r.pos < r.end) {
    const field = r.tag("ResourceMetrics");
    if (field === 1) resource = readResource(r);
    else if (field === 2) r.skipLen();
    else if (field === 3) schemaUrl = r.string();
    else r.skip();
  }
  r.pos = start;
  while (r.pos < r.end) {
    if (r.tag("ResourceMetrics") === 2) {
      const outer = r.enter();
      readScopeMetrics(r, resource, schemaUrl, out);
      r.leave(outer);
    } else r.skip();
  }
}

function readScopeMetrics(
  r: WireReader,
  resource: ResourceInput,
  resourceSchemaUrl: string,
  out: Output,
): void {
  const start = r.pos;
  const context: Context = {
    resource,
    resourceSchemaUrl,
    scopeName: "",
    scopeVersion: "",
    scopeAttributes: EMPTY_ATTRIBUTES,
    scopeDroppedAttrCount: 0,
    scopeSchemaUrl: "",
    metricName: "",
    description: "",
    unit: "",
  };
  while (r.pos < r.end) {
    const field = r.tag("ScopeMetrics");
    if (field === 1) {
      const scope = readScope(r);
      context.scopeName = scope.name;
      context.scopeVersion = scope.version;
      context.scopeAttributes = scope.attributes;
      context.scopeDroppedAttrCount = scope.droppedAttributesCount;
    } else if (field === 2) r.skipLen();
    else if (field === 3) context.scopeSchemaUrl = r.string();
    else r.skip();
  }
  r.pos = start;
  while (r.pos < r.end) {
    if (r.tag("ScopeMetrics") === 2) {
      const outer = r.enter();
      readMetric(r, context, out);
      r.leave(outer);
    } else r.skip();
  }
}

function readMetric(r: WireReader, context: Context, out: Output): void {
  const start = r.pos;
  context.metricName = "";
  context.description = "";
  context.unit = "";
  while (r.pos < r.end) {
    switch (r.tag("Metric")) {
      case 1:
        context.metricName = r.string();
        break;
      case 2:
        context.description = r.string();
        break;
      case 3:
        context.unit = r.string();
        break;
      case 5:
      case 7:
      case 9:
      case 10:
      case 11:
      case 12:
        r.skipLen();
        break;
      default:
        r.skip();
    }
  }
  r.pos = start;
  while (r.pos < r.end) {
    const field = r.tag("Metric");
    if (field === 5 || field === 7 || field === 9) {
      const outer = r.enter();
      if (field === 5) readGauge(r, context, out);
      else if (field === 7) readSum(r, context, out);
      else readHistogram(r, context, out);
      r.leave(outer);
    } else if (field === 10 || field === 11) {
      const outer = r.enter();
      out.rejectedPoints += countPoints(
        r,
        field === 10 ? "ExponentialHistogram" : "Summary",
        field === 10,
      );
      r.leave(outer);
    } else r.skip();
  }
}

function readGauge(r: WireReader, context: Context, out: Output): void {
  while (r.pos < r.end) {
    if (r.tag("Gauge") === 1) readNumberPoint(r, context, out, undefined, false);
    else r.skip();
  }
}

function readSum(r: WireReader, context: Context, out: Output): void {
  const start = r.pos;
  let temporality = 0;
  let isMonotonic = false;
  while (r.pos < r.end) {
    const field = r.tag("Sum");
    if (field === 1) r.skipLen();
    else if (field === 2) temporality = r.int32();
    else if (field === 3) isMonotonic = r.bool();
    else r.skip();
  }
  r.pos = start;
  while (r.pos < r.end) {
    if (r.tag("Sum") === 1) readNumberPoint(r, context, out, temporality, isMonotonic);
    else r.skip();
  }
}

function readHistogram(r: WireReader, context: Context, out: Output): void {
  const start = r.pos;
  let temporality = 0;
  while (r.pos < r.end) {
    const field = r.tag("Histogram");
    if (field === 1) r.skipLen();
    else if (field === 2) temporality = r.int32();
    else r.skip();
  }
  r.pos = start;
  while (r.pos < r.end) {
    if (r.tag("Histogram") === 1) readHistogramPoint(r, context, out, temporality);
    else r.skip();
  }
}

/** Exponential histograms and summaries have no table: their points are only counted. */
function countPoints(r: WireReader, message: string, hasTemporality: boolean): number {
  let points = 0;
  while (r.pos < r.end) {
    const field = r.tag(message);
    if (field === 1) {
      r.skipLen();
      points++;
    } else if (field === 2 && hasTemporality) r.int32();
    else r.skip();
  }
  return points;
}

/** A NumberDataPoint → a sum row (`temporality` given) or a gauge row. */
function readNumberPoint(
  r: WireReader,
  c: Context,
  out: Output,
  temporality: number | undefined,
  isMonotonic: boolean,
): void {
  const outer = r.enter();
  let attributes: AttributesBuilder | undefined;
  let startNs = 0n;
  let timeNs = 0n;
  let value = 0;
  let flags = 0;
  while (r.pos < r.end) {
    switch (r.tag("NumberDataPoint")) {
      case 2:
        startNs = r.fixed64Big();
        break;
      case 3:
        timeNs = r.fixed64Big();
        break;
      case 4:
        value = r.double();
        break;
      case 5:
        r.skipLen();
        break;
      case 6:
        value = r.sfixed64();
        break;
      case 7:
        attributes = readKeyValue(r, attributes);
        break;
      case 8:
        flags = r.uint32();
        break;
      default:
        r.skip();
    }
  }
  r.leave(outer);
  const base = { ...pointBase(c, builtAttributes(attributes), startNs, timeNs, flags), value };
  if (temporality === undefined) out.rows.gauges.push(base);
  else out.rows.sums.push({ ...base, temporality, isMonotonic });
}

function readHistogramPoint(r: WireReader, c: Context, out: Output, temporality: number): void {
  const outer = r.enter();
  let attributes: AttributesBuilder | undefined;
  let startNs = 0n;
  let timeNs = 0n;
  let count = 0;
  let sum = 0;
  const bucketCounts: number[] = [];
  const explicitBounds: number[] = [];
  let flags = 0;
  let min = 0;
  let max = 0;
  while (r.pos < r.end) {
    switch (r.tag("HistogramDataPoint")) {
      case 2:
        startNs = r.fixed64Big();
        break;
      case 3:
        timeNs = r.fixed64Big();
        break;
      case 4:
        count = r.fixed64();
        break;
      case 5:
        sum = r.double();
        break;
      case 6:
        // Repeated scalars may come packed (proto3's default) or one per field.
        if (r.wireType === WIRE_LEN) {
          const inner = r.enterPacked(8);
          for (; r.pos < r.end; r.pos += 8) bucketCounts.push(r.fixed64At(r.pos));
          r.leave(inner);
        } else bucketCounts.push(r.fixed64());
        break;
      case 7:
        if (r.wireType === WIRE_LEN) {
          const inner = r.enterPacked(8);
          for (; r.pos < r.end; r.pos += 8) explicitBounds.push(r.doubleAt(r.pos));
          r.leave(inner);
        } else explicitBounds.push(r.double());
        break;
      case 8:
        r.skipLen();
        break;
      case 9:
        attributes = readKeyValue(r, attributes);
        break;
      case 10:
        flags = r.uint32();
        break;
      case 11:
        min = r.double();
        break;
      case 12:
        max = r.double();
        break;
      default:
        r.skip();
    }
  }
  r.leave(outer);
  out.rows.histograms.push({
    ...pointBase(c, builtAttributes(attributes), startNs, timeNs, flags),
    count,
    sum,
    bucketCounts,
    explicitBounds,
    min,
    max,
    temporality,
  });
}

import type { Attributes, MetricPointBase, MetricRows, SpanInput } from "@runtrace/model";

/**
 * About what a span or metric point takes on the wire (OTLP protobuf), for bounding the write
 * queue in bytes when the caller cannot say how large its request was (the in-process
 * exporters). Counts the text a row carries plus a fixed share for ids, times and framing; a
 * resource is shared by many rows and not counted.
 */
const SPAN_FIXED_BYTES = 96;
const POINT_FIXED_BYTES = 64;

function attributesBytes(attributes: Attributes): number {
  let n = 0;
  const values = attributes.values;
  for (const key in values) n += key.length + values[key]!.length + 4;
  return n;
}

export function spanBytes(span: SpanInput): number {
  let n =
    SPAN_FIXED_BYTES +
    span.name.length +
    span.traceState.length +
    span.statusMessage.length +
    attributesBytes(span.attributes);
  for (const event of span.events) n += 16 + event.name.length + attributesBytes(event.attributes);
  for (const link of span.links)
    n += 48 + link.traceState.length + attributesBytes(link.attributes);
  return n;
}

function pointBytes(point: MetricPointBase): number {
  return POINT_FIXED_BYTES + point.metricName.length + attributesBytes(point.attributes);
}

export function metricRowsBytes(rows: MetricRows): number {
  let n = 0;
  for (const point of rows.sums) n += pointBytes(point);
  for (const point of rows.gauges) n += pointBytes(point);
  for (const point of rows.histograms) n += pointBytes(point) + 16 * point.bucketCounts.length;
  return n;
}

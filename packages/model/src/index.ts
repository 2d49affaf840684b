/**
 * @module
 * runtrace's row model: spans (`SpanInput`) and metric points (`MetricRows`) as every write
 * path produces them — the OTLP decoder from the wire, the in-process exporters from the SDK —
 * and the storage layer maps to tables. Types and a few constants, no dependencies.
 */
export {
  emptyMetricRows,
  type GaugePoint,
  type HistogramPoint,
  type MetricPointBase,
  type MetricRows,
  metricPointCount,
  OTLP_TEMPORALITY_CUMULATIVE,
  OTLP_TEMPORALITY_DELTA,
  type SumPoint,
} from "./metric-points.ts";
export {
  type Attributes,
  type AttributeType,
  EMPTY_ATTRIBUTES,
  type EventInput,
  type LinkInput,
  type ResourceInput,
  type ScopeInput,
  SPAN_KIND_NAMES,
  type SpanInput,
  type SpanKindName,
  STATUS_CODE_NAMES,
  type StatusCodeName,
} from "./span-input.ts";

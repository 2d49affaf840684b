/**
 * @module
 * OTLP/HTTP request decoding, protobuf and JSON, straight into runtrace's row model
 * (`SpanInput`, `MetricRows` of @runtrace/model), and the protobuf response bodies.
 */
export { OtlpDecodeError } from "./errors.ts";
export type { DecodedMetrics } from "./metrics.ts";
export { decodeMetricsJson } from "./metrics-json.ts";
export { decodeMetricsProtobuf } from "./metrics-protobuf.ts";
export {
  encodeExportMetricsResponse,
  encodeExportTraceResponse,
  encodeStatus,
  encodeStatusWithRetryDelay,
} from "./responses.ts";
export {
  encodeTracesData,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpResourceSpans,
  type OtlpSpan,
  type OtlpTracesData,
  writeTracesData,
} from "./traces-encode.ts";
export { decodeTracesJson } from "./traces-json.ts";
export { decodeTracesProtobuf } from "./traces-protobuf.ts";
export { WireWriter } from "./wire-writer.ts";

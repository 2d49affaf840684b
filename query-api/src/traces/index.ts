/**
 * @module
 * The trace reader every trace front end (Jaeger, Tempo) shares: traces by id with typed
 * attributes, search, services and span names, service dependencies, summaries and OTLP/JSON,
 * all over `otel_traces`, with state spans left out and the request's scopes applied.
 */

export { listOperations, listServices, type Operation } from "./catalog.ts";
export { type DependencyLink, type DependencyQuery, dependencyLinks } from "./dependencies.ts";
export {
  type AnyValue,
  anyValue,
  type KeyValue,
  type OtlpSpan,
  type ResourceSpans,
  toOtlpSpan,
  toResourceSpans,
} from "./otlp-json.ts";
export { type ReadOptions, readSpanOutlines, readTraces, type SpanOutline } from "./read.ts";
export { findTraceIds, type TraceQuery } from "./search.ts";
export {
  type AttributeType,
  SPAN_KINDS,
  type SpanKind,
  STATUS_CODES,
  type StatusCode,
  type StoredEvent,
  type StoredLink,
  type StoredSpan,
  type TypedAttribute,
} from "./span.ts";
export { type ServiceSummary, summarizeTrace, type TraceSummary } from "./summary.ts";
export { parseTraceId } from "./trace-id.ts";

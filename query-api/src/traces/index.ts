/**
 * @module
 * The trace reader every trace front end (Jaeger, Tempo) shares: traces by id with typed
 * attributes, search (Jaeger's and TraceQL's spansets), services and span names, attribute keys
 * and values, service dependencies, summaries and OTLP/JSON, all over `otel_traces`, with state
 * spans left out and the request's scopes applied.
 */

export { listOperations, listServices, type Operation } from "./catalog.ts";
export { type DependencyQuery, dependencyLinks } from "./dependencies.ts";
export {
  type AnyValue,
  anyValue,
  type KeyValue,
  type OtlpSpan,
  type ResourceSpans,
  toOtlpSpan,
  toResourceSpans,
} from "./otlp-json.ts";
export {
  type ReadOptions,
  readSpanOutlines,
  readTraces,
  type SpanOutline,
  traceRowsQuery,
} from "./read.ts";
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
export type {
  PredicateField,
  PredicateOperator,
  PredicateValue,
  SpanPredicate,
} from "./span-predicate.ts";
export { findSpanSets, type MatchedSpan, type SpanSet, type SpanSetSearch } from "./spansets.ts";
export { type ServiceSummary, summarizeTrace, type TraceSummary } from "./summary.ts";
export {
  type AttributeScope,
  listAttributeKeys,
  listValues,
  type TypedValue,
  type ValueSource,
} from "./tags.ts";
export { parseTraceId } from "./trace-id.ts";

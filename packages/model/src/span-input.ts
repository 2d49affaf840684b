/**
 * The span model every write path produces: the in-process exporter converts `ReadableSpan`s
 * into it, the OTLP decoder builds it straight from the wire. It already holds values the way
 * `otel_traces` stores them (hex ids, nanosecond times, stringified attributes with their
 * types beside them), so mapping to rows copies instead of converting.
 */

/** OTLP value types; a string-valued attribute has no entry in {@link Attributes.types}. */
export type AttributeType = "string" | "int" | "double" | "bool" | "bytes" | "array" | "kvlist";

export interface Attributes {
  /** Every value as text: ints in decimal, bools `true`/`false`, arrays and maps as JSON. */
  readonly values: Record<string, string>;
  /** The type of every value that is not a string. */
  readonly types: Record<string, AttributeType>;
}

export type SpanKindName =
  | "SPAN_KIND_UNSPECIFIED"
  | "SPAN_KIND_INTERNAL"
  | "SPAN_KIND_SERVER"
  | "SPAN_KIND_CLIENT"
  | "SPAN_KIND_PRODUCER"
  | "SPAN_KIND_CONSUMER";
/** Indexed by the OTLP enum value. */
export const SPAN_KIND_NAMES: readonly SpanKindName[] = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
];

export type StatusCodeName = "STATUS_CODE_UNSET" | "STATUS_CODE_OK" | "STATUS_CODE_ERROR";
/** Indexed by the OTLP enum value. */
export const STATUS_CODE_NAMES: readonly StatusCodeName[] = [
  "STATUS_CODE_UNSET",
  "STATUS_CODE_OK",
  "STATUS_CODE_ERROR",
];

/** Shared by all spans of one resource: serialized once per batch. */
export interface ResourceInput {
  readonly serviceName: string;
  readonly attributes: Attributes;
}

export interface ScopeInput {
  readonly name: string;
  readonly version: string;
}

export interface EventInput {
  readonly timeNs: bigint;
  readonly name: string;
  readonly attributes: Attributes;
}

export interface LinkInput {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: Attributes;
}

export interface SpanInput {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** 16 lowercase hex digits, or "" for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  readonly kind: SpanKindName;
  /** Unix time in nanoseconds. */
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Attributes;
  readonly statusCode: StatusCodeName;
  readonly statusMessage: string;
  readonly events: readonly EventInput[];
  readonly links: readonly LinkInput[];
  readonly resource: ResourceInput;
  readonly scope: ScopeInput;
}

export const EMPTY_ATTRIBUTES: Attributes = Object.freeze({
  values: Object.freeze({}),
  types: Object.freeze({}),
}) as Attributes;

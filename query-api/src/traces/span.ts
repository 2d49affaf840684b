import type { AttributeType } from "@runtrace/model";

/**
 * A stored span, format-neutral: what every trace front end (Jaeger, Tempo, OTLP JSON) builds
 * its own model from. Attribute values keep the text `otel_traces` holds with the original
 * OTLP type beside it, so an int stays an int in every output.
 */

export type { AttributeType };

export const SPAN_KINDS = [
  "unspecified",
  "internal",
  "server",
  "client",
  "producer",
  "consumer",
] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export const STATUS_CODES = ["unset", "ok", "error"] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export interface TypedAttribute {
  key: string;
  type: AttributeType;
  /** As stored: ints in decimal, bools `true`/`false`, bytes base64, arrays and maps as JSON. */
  value: string;
}

export interface StoredEvent {
  timeNs: bigint;
  name: string;
  attributes: TypedAttribute[];
}

export interface StoredLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: TypedAttribute[];
}

export interface StoredSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  durationNs: bigint;
  statusCode: StatusCode;
  statusMessage: string;
  serviceName: string;
  /** Resource attributes, `service.name` included when it was sent. */
  resource: TypedAttribute[];
  scope: { name: string; version: string };
  attributes: TypedAttribute[];
  events: StoredEvent[];
  links: StoredLink[];
}

/**
 * Our writer stores `SPAN_KIND_SERVER`, the OpenTelemetry Collector exporter `Server`: both
 * spellings are read, so a table filled by either works.
 */
export function spanKindOf(stored: string): SpanKind {
  const kind = stored.toLowerCase().replace(/^span_kind_/, "");
  return (SPAN_KINDS as readonly string[]).includes(kind) ? (kind as SpanKind) : "unspecified";
}

export function statusCodeOf(stored: string): StatusCode {
  const code = stored.toLowerCase().replace(/^status_code_/, "");
  return (STATUS_CODES as readonly string[]).includes(code) ? (code as StatusCode) : "unset";
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every spelling a kind may be stored with, for SQL filters. */
export function storedSpanKinds(kind: SpanKind): string[] {
  return [`SPAN_KIND_${kind.toUpperCase()}`, capitalized(kind)];
}

export function storedStatusCodes(code: StatusCode): string[] {
  return [`STATUS_CODE_${code.toUpperCase()}`, capitalized(code)];
}

/** Pairs a stored values map with its types map; a key without a type is a string. */
export function typedAttributes(
  values: Record<string, string> | undefined,
  types: Record<string, string> | undefined,
): TypedAttribute[] {
  if (!values) return [];
  return Object.entries(values).map(([key, value]) => ({
    key,
    type: (types?.[key] as AttributeType | undefined) ?? "string",
    value,
  }));
}

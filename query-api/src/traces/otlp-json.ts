import type {
  OtlpAnyValue as AnyValue,
  OtlpKeyValue as KeyValue,
  OtlpSpan,
  OtlpResourceSpans as ResourceSpans,
} from "@runtrace/otlp";
import { SPAN_KINDS, STATUS_CODES, type StoredSpan, type TypedAttribute } from "./span.ts";

/**
 * Stored spans as OTLP/JSON `ResourceSpans` (the protobuf JSON mapping: hex ids, enum numbers,
 * 64-bit integers as decimal strings, typed AnyValues), for api_v3 and Tempo. The types are
 * `@runtrace/otlp`'s, so the same objects also encode as protobuf (`encodeTracesData`).
 */

export type { AnyValue, KeyValue, OtlpSpan, ResourceSpans };

/** proto3 JSON spells the non-finite doubles as strings; JSON itself has no such number. */
function doubleValue(n: number): NonNullable<AnyValue["doubleValue"]> {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
}

/**
 * A value inside a stored array or map (JSON): integral numbers were ints (the writers store
 * ints as JSON numbers while exact), others doubles.
 */
function fromJson(value: unknown): AnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(fromJson) } };
  if (value !== null && typeof value === "object") {
    return {
      kvlistValue: {
        values: Object.entries(value).map(([key, v]) => ({ key, value: fromJson(v) })),
      },
    };
  }
  return {};
}

function compound(text: string): AnyValue {
  try {
    return fromJson(JSON.parse(text));
  } catch {
    return { stringValue: text };
  }
}

export function anyValue(a: TypedAttribute): AnyValue {
  switch (a.type) {
    case "int":
      return { intValue: a.value };
    case "double":
      return { doubleValue: doubleValue(Number(a.value)) };
    case "bool":
      return { boolValue: a.value === "true" };
    case "bytes":
      return { bytesValue: a.value };
    case "array":
    case "kvlist":
      return compound(a.value);
    default:
      return { stringValue: a.value };
  }
}

const keyValues = (attributes: readonly TypedAttribute[]): KeyValue[] =>
  attributes.map((a) => ({ key: a.key, value: anyValue(a) }));

export function toOtlpSpan(span: StoredSpan): OtlpSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.traceState ? { traceState: span.traceState } : {}),
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: SPAN_KINDS.indexOf(span.kind),
    startTimeUnixNano: span.startNs.toString(),
    endTimeUnixNano: (span.startNs + span.durationNs).toString(),
    attributes: keyValues(span.attributes),
    events: span.events.map((e) => ({
      timeUnixNano: e.timeNs.toString(),
      name: e.name,
      attributes: keyValues(e.attributes),
    })),
    links: span.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: keyValues(l.attributes),
    })),
    status: {
      code: STATUS_CODES.indexOf(span.statusCode),
      ...(span.statusMessage ? { message: span.statusMessage } : {}),
    },
  };
}

function resourceAttributes(span: StoredSpan): KeyValue[] {
  const attributes = keyValues(span.resource);
  // The service name is a column of its own; a resource that lost the attribute still has it.
  if (!span.resource.some((a) => a.key === "service.name")) {
    attributes.unshift({ key: "service.name", value: { stringValue: span.serviceName } });
  }
  return attributes;
}

/**
 * One trace's spans grouped by resource, then by instrumentation scope, each group in order of
 * its first span.
 */
export function toResourceSpans(spans: readonly StoredSpan[]): ResourceSpans[] {
  const resources = new Map<string, { out: ResourceSpans; scopes: Map<string, OtlpSpan[]> }>();
  for (const span of spans) {
    const attributes = resourceAttributes(span);
    const resourceKey = JSON.stringify(attributes);
    let resource = resources.get(resourceKey);
    if (!resource) {
      resource = { out: { resource: { attributes }, scopeSpans: [] }, scopes: new Map() };
      resources.set(resourceKey, resource);
    }
    const scopeKey = JSON.stringify([span.scope.name, span.scope.version]);
    let scopeSpans = resource.scopes.get(scopeKey);
    if (!scopeSpans) {
      scopeSpans = [];
      resource.scopes.set(scopeKey, scopeSpans);
      resource.out.scopeSpans.push({
        scope: {
          name: span.scope.name,
          ...(span.scope.version ? { version: span.scope.version } : {}),
        },
        spans: scopeSpans,
      });
    }
    scopeSpans.push(toOtlpSpan(span));
  }
  return [...resources.values()].map((r) => r.out);
}

import type {
  JaegerKeyValue,
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTrace,
} from "../contract/index.ts";
import type { StoredSpan, TypedAttribute } from "../traces/index.ts";

/** Jaeger's v1 JSON trace model (jaeger `internal/uimodel`), from stored spans. */

const HIGH_ZERO = "0".repeat(16);

/** Jaeger prints a trace id whose high 64 bits are zero with 16 digits. */
export function jaegerTraceId(id: string): string {
  return id.length === 32 && id.startsWith(HIGH_ZERO) ? id.slice(16) : id;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** A typed attribute as a Jaeger tag; ints past ±(2^53−1) stay exact as decimal strings. */
export function jaegerKeyValue(a: TypedAttribute): JaegerKeyValue {
  switch (a.type) {
    case "int": {
      if (!/^-?\d+$/.test(a.value)) return { key: a.key, type: "string", value: a.value };
      const n = BigInt(a.value);
      const exact = n <= MAX_EXACT && n >= -MAX_EXACT;
      return { key: a.key, type: "int64", value: exact ? Number(n) : a.value };
    }
    case "double": {
      const n = Number(a.value);
      // NaN and ±Infinity have no JSON number; a strict float64 decoder would fail on them.
      if (!Number.isFinite(n)) return { key: a.key, type: "string", value: a.value };
      return { key: a.key, type: "float64", value: n };
    }
    case "bool":
      return { key: a.key, type: "bool", value: a.value === "true" };
    case "bytes":
      return { key: a.key, type: "binary", value: a.value };
    default:
      // Strings, and arrays and maps as their JSON text, as Jaeger's OTLP translator does.
      return { key: a.key, type: "string", value: a.value };
  }
}

const str = (key: string, value: string): JaegerKeyValue => ({ key, type: "string", value });

/**
 * The tags Jaeger's OTLP translator adds after a span's attributes, for what OTLP keeps in
 * fields: scope, kind, status. An attribute of the same name wins.
 */
function fieldTags(span: StoredSpan): JaegerKeyValue[] {
  const tags: JaegerKeyValue[] = [];
  if (span.scope.name) tags.push(str("otel.scope.name", span.scope.name));
  if (span.scope.version) tags.push(str("otel.scope.version", span.scope.version));
  if (span.kind !== "unspecified") tags.push(str("span.kind", span.kind));
  if (span.statusCode !== "unset")
    tags.push(str("otel.status_code", span.statusCode.toUpperCase()));
  if (span.statusCode === "error") tags.push({ key: "error", type: "bool", value: true });
  if (span.statusMessage) tags.push(str("otel.status_description", span.statusMessage));
  if (span.traceState) tags.push(str("w3c.tracestate", span.traceState));
  const own = new Set(span.attributes.map((a) => a.key));
  return tags.filter((t) => !own.has(t.key));
}

/** The parent first (CHILD_OF), then each link (FOLLOWS_FROM unless it says otherwise). */
function references(span: StoredSpan): JaegerReference[] {
  const refs: JaegerReference[] = [];
  if (span.parentSpanId) {
    refs.push({
      refType: "CHILD_OF",
      traceID: jaegerTraceId(span.traceId),
      spanID: span.parentSpanId,
    });
  }
  for (const link of span.links) {
    const refType = link.attributes.find((a) => a.key === "opentracing.ref_type")?.value;
    refs.push({
      refType: refType === "child_of" ? "CHILD_OF" : "FOLLOWS_FROM",
      traceID: jaegerTraceId(link.traceId),
      spanID: link.spanId,
    });
  }
  return refs;
}

const micros = (ns: bigint) => Number(ns / 1000n);

/** Events become logs whose first field, `event`, is the event's name. */
function logs(span: StoredSpan): JaegerLog[] {
  return span.events.map((e) => ({
    timestamp: micros(e.timeNs),
    fields: [
      ...(e.name && !e.attributes.some((a) => a.key === "event") ? [str("event", e.name)] : []),
      ...e.attributes.map(jaegerKeyValue),
    ],
  }));
}

/** The resource as a process: `service.name` is its name, the other attributes its tags. */
function process(span: StoredSpan): JaegerProcess {
  return {
    serviceName: span.serviceName,
    tags: span.resource.filter((a) => a.key !== "service.name").map(jaegerKeyValue),
  };
}

/** One trace in Jaeger's model: spans in start order, identical processes shared (p1, p2…). */
export function toJaegerTrace(traceId: string, spans: readonly StoredSpan[]): JaegerTrace {
  const processes: Record<string, JaegerProcess> = {};
  const processIds = new Map<string, string>();
  const ordered = [...spans].sort((a, b) =>
    a.startNs !== b.startNs ? (a.startNs < b.startNs ? -1 : 1) : a.spanId < b.spanId ? -1 : 1,
  );
  const out = ordered.map((span): JaegerSpan => {
    const proc = process(span);
    const key = JSON.stringify(proc);
    let processID = processIds.get(key);
    if (processID === undefined) {
      processID = `p${processIds.size + 1}`;
      processIds.set(key, processID);
      processes[processID] = proc;
    }
    return {
      traceID: jaegerTraceId(span.traceId),
      spanID: span.spanId,
      operationName: span.name,
      references: references(span),
      startTime: micros(span.startNs),
      duration: micros(span.durationNs),
      tags: [...span.attributes.map(jaegerKeyValue), ...fieldTags(span)],
      logs: logs(span),
      processID,
      warnings: null,
    };
  });
  return { traceID: jaegerTraceId(traceId), spans: out, processes, warnings: null };
}

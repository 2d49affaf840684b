/**
 * Test support: the row model expected for a random request, computed straight from the
 * request object, independently of the decoder's code. Used by tests.
 */
import type {
  Attributes,
  AttributeType,
  GaugePoint,
  HistogramPoint,
  MetricRows,
  ResourceInput,
  SpanInput,
  SumPoint,
} from "@runtrace/model";
import type {
  AnyValueObj,
  KeyValueObj,
  MetricsRequestObj,
  NumberPointObj,
  ResourceObj,
  TracesRequestObj,
} from "./random-requests.ts";

export function hex(bytes: Uint8Array | undefined): string {
  let s = "";
  for (const b of bytes ?? []) s += b.toString(16).padStart(2, "0");
  return s;
}

export const SAFE = 2n ** 53n - 1n;

function refJson(v: AnyValueObj | undefined): string {
  if (v === undefined) return "null";
  if (v.stringValue !== undefined) return JSON.stringify(v.stringValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) {
    const n = BigInt(v.intValue);
    return n >= -SAFE && n <= SAFE ? n.toString() : `"${n}"`;
  }
  if (v.doubleValue !== undefined) {
    const d = v.doubleValue;
    return Number.isFinite(d) ? JSON.stringify(d) : JSON.stringify(String(d));
  }
  if (v.arrayValue !== undefined) return `[${v.arrayValue.values.map(refJson).join(",")}]`;
  if (v.kvlistValue !== undefined) {
    return `{${v.kvlistValue.values.map((kv) => `${JSON.stringify(kv.key)}:${refJson(kv.value)}`).join(",")}}`;
  }
  if (v.bytesValue !== undefined)
    return JSON.stringify(Buffer.from(v.bytesValue).toString("base64"));
  return "null";
}

function refText(v: AnyValueObj | undefined): [string, AttributeType | undefined] {
  if (v === undefined || v.stringValue !== undefined) return [v?.stringValue ?? "", undefined];
  if (v.boolValue !== undefined) return [String(v.boolValue), "bool"];
  if (v.intValue !== undefined) return [BigInt(v.intValue).toString(), "int"];
  if (v.doubleValue !== undefined) return [String(v.doubleValue), "double"];
  if (v.arrayValue !== undefined) return [refJson(v), "array"];
  if (v.kvlistValue !== undefined) return [refJson(v), "kvlist"];
  if (v.bytesValue !== undefined) return [Buffer.from(v.bytesValue).toString("base64"), "bytes"];
  return ["", undefined];
}

export function refAttributes(list: KeyValueObj[] | undefined): Attributes {
  const values: Record<string, string> = {};
  const types: Record<string, AttributeType> = {};
  for (const kv of list ?? []) {
    const [text, type] = refText(kv.value);
    Object.defineProperty(values, kv.key, {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    if (type) {
      Object.defineProperty(types, kv.key, {
        value: type,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else delete types[kv.key];
  }
  return { values, types };
}

function refResource(resource: ResourceObj | undefined): ResourceInput {
  const attributes = refAttributes(resource?.attributes);
  return {
    serviceName: Object.hasOwn(attributes.values, "service.name")
      ? attributes.values["service.name"]!
      : "",
    attributes,
  };
}

export const KINDS = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
] as const;
export const CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"] as const;

export function expectedSpans(request: TracesRequestObj): SpanInput[] {
  const out: SpanInput[] = [];
  for (const rs of request.resourceSpans) {
    const resource = refResource(rs.resource);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? "", version: ss.scope?.version ?? "" };
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          traceState: s.traceState ?? "",
          name: s.name ?? "",
          kind: KINDS[s.kind ?? 0] ?? "SPAN_KIND_UNSPECIFIED",
          startNs: BigInt(s.startTimeUnixNano ?? 0),
          endNs: BigInt(s.endTimeUnixNano ?? 0),
          attributes: refAttributes(s.attributes),
          statusCode: CODES[s.status?.code ?? 0] ?? "STATUS_CODE_UNSET",
          statusMessage: s.status?.message ?? "",
          events: (s.events ?? []).map((e) => ({
            timeNs: BigInt(e.timeUnixNano ?? 0),
            name: e.name ?? "",
            attributes: refAttributes(e.attributes),
          })),
          links: (s.links ?? []).map((l) => ({
            traceId: hex(l.traceId),
            spanId: hex(l.spanId),
            traceState: l.traceState ?? "",
            attributes: refAttributes(l.attributes),
          })),
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

export interface ExpectedMetrics {
  rows: MetricRows;
  rejectedPoints: number;
}

export function expectedMetrics(request: MetricsRequestObj): ExpectedMetrics {
  const rows: MetricRows = { sums: [], gauges: [], histograms: [] };
  let rejectedPoints = 0;
  for (const rm of request.resourceMetrics) {
    const resource = refResource(rm.resource);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const base = (p: {
          attributes?: KeyValueObj[];
          startTimeUnixNano?: string;
          timeUnixNano?: string;
          flags?: number;
        }) => ({
          resource,
          resourceSchemaUrl: rm.schemaUrl ?? "",
          scopeName: sm.scope?.name ?? "",
          scopeVersion: sm.scope?.version ?? "",
          scopeAttributes: refAttributes(sm.scope?.attributes),
          scopeDroppedAttrCount: sm.scope?.droppedAttributesCount ?? 0,
          scopeSchemaUrl: sm.schemaUrl ?? "",
          metricName: m.name ?? "",
          description: m.description ?? "",
          unit: m.unit ?? "",
          attributes: refAttributes(p.attributes),
          startNs: BigInt(p.startTimeUnixNano ?? 0),
          timeNs: BigInt(p.timeUnixNano ?? 0),
          flags: p.flags ?? 0,
        });
        const value = (p: NumberPointObj): number =>
          p.asDouble !== undefined
            ? p.asDouble
            : p.asInt !== undefined
              ? Number(BigInt(p.asInt))
              : 0;
        if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? [])
            rows.gauges.push({ ...base(p), value: value(p) } satisfies GaugePoint);
        } else if (m.sum) {
          for (const p of m.sum.dataPoints ?? []) {
            rows.sums.push({
              ...base(p),
              value: value(p),
              temporality: m.sum.aggregationTemporality ?? 0,
              isMonotonic: m.sum.isMonotonic ?? false,
            } satisfies SumPoint);
          }
        } else if (m.histogram) {
          for (const p of m.histogram.dataPoints ?? []) {
            rows.histograms.push({
              ...base(p),
              count: Number(BigInt(p.count ?? 0)),
              sum: p.sum ?? 0,
              bucketCounts: (p.bucketCounts ?? []).map((c) => Number(BigInt(c))),
              explicitBounds: p.explicitBounds ?? [],
              min: p.min ?? 0,
              max: p.max ?? 0,
              temporality: m.histogram.aggregationTemporality ?? 0,
            } satisfies HistogramPoint);
          }
        } else if (m.exponentialHistogram)
          rejectedPoints += m.exponentialHistogram.dataPoints?.length ?? 0;
        else if (m.summary) rejectedPoints += m.summary.dataPoints?.length ?? 0;
      }
    }
  }
  return { rows, rejectedPoints };
}

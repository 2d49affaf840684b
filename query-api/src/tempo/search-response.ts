import {
  anyValue,
  type KeyValue,
  type MatchedSpan,
  type SpanOutline,
  type SpanPredicate,
  type SpanSet,
  summarizeTrace,
} from "../traces/index.ts";

/**
 * `tempopb.SearchResponse` in the protobuf JSON mapping Grafana decodes it with (jsonpb, which
 * rejects unknown fields): only the fields below, 64-bit integers as decimal strings.
 */
export interface SearchResponse {
  traces: TraceSearchMetadata[];
  metrics: { inspectedTraces: number; inspectedBytes: string; totalBlocks: number };
}

export interface TraceSearchMetadata {
  traceID: string;
  rootServiceName: string;
  rootTraceName?: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanSets: { spans: SearchSpan[]; matched: number; attributes: KeyValue[] }[];
}

export interface SearchSpan {
  spanID: string;
  name: string;
  startTimeUnixNano: string;
  durationNanos: string;
  attributes: KeyValue[];
}

/** Tempo's stand-in for the root service of a trace whose root span is not stored (yet). */
export const ROOT_SPAN_NOT_YET_RECEIVED = "<root span not yet received>";

const text = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

/**
 * What Tempo shows of a matching span besides its name and times: its service, then the value
 * of each field the query compared (unscoped names, as Tempo keys them).
 */
function spanAttributes(span: MatchedSpan, predicates: readonly SpanPredicate[]): KeyValue[] {
  const out = [text("service.name", span.serviceName)];
  const seen = new Set(["service.name"]);
  for (const { field } of predicates) {
    if (field.kind === "intrinsic") {
      if (field.name === "status" && !seen.has("status")) out.push(text("status", span.statusCode));
      if (field.name === "kind" && !seen.has("kind")) out.push(text("kind", span.kind));
      seen.add(field.name);
      continue;
    }
    if (seen.has(field.name)) continue;
    seen.add(field.name);
    const own =
      field.scope === "resource" ? undefined : span.attributes.find((a) => a.key === field.name);
    const found =
      own ?? (field.scope === "span" ? undefined : span.resource.find((a) => a.key === field.name));
    if (found) out.push({ key: found.key, value: anyValue(found) });
  }
  return out;
}

const NS_PER_MS = 1_000_000n;
/** `durationMs` is a uint32. */
const MAX_DURATION_MS = 2 ** 32 - 1;

/** One result: the trace's root, start and length from all its spans, then its spanset. */
export function traceSearchMetadata(
  set: SpanSet,
  outline: readonly SpanOutline[],
  predicates: readonly SpanPredicate[],
): TraceSearchMetadata {
  const trace = summarizeTrace(set.traceId, outline);
  return {
    traceID: set.traceId,
    rootServiceName: trace.rootServiceName || ROOT_SPAN_NOT_YET_RECEIVED,
    ...(trace.rootSpanName ? { rootTraceName: trace.rootSpanName } : {}),
    startTimeUnixNano: trace.startNs.toString(),
    durationMs: Math.min(Number((trace.endNs - trace.startNs) / NS_PER_MS), MAX_DURATION_MS),
    spanSets: [
      {
        spans: set.spans.map((span) => ({
          spanID: span.spanId,
          name: span.name,
          startTimeUnixNano: span.startNs.toString(),
          durationNanos: span.durationNs.toString(),
          attributes: spanAttributes(span, predicates),
        })),
        matched: set.matched,
        attributes: [],
      },
    ],
  };
}

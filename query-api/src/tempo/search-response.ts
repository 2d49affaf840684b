import type { TempoTraceSearchMetadata as TraceSearchMetadata } from "../contract/index.ts";
import {
  anyValue,
  type KeyValue,
  type MatchedSpan,
  type SpanOutline,
  type SpanPredicate,
  type SpanSet,
  summarizeTrace,
} from "../traces/index.ts";

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

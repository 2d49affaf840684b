import type { SpanOutline } from "./read.ts";

export interface ServiceSummary {
  name: string;
  spanCount: number;
  errorSpanCount: number;
}

/** What a search result list shows of a trace without its spans. */
export interface TraceSummary {
  traceId: string;
  /** The earliest span without a parent; "" when the root has not arrived (yet). */
  rootServiceName: string;
  rootSpanName: string;
  startNs: bigint;
  endNs: bigint;
  spanCount: number;
  errorSpanCount: number;
  /** Spans whose parent is not in the trace. */
  orphanSpanCount: number;
  /** By name. */
  services: ServiceSummary[];
}

export function summarizeTrace(traceId: string, spans: readonly SpanOutline[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const services = new Map<string, ServiceSummary>();
  let root: SpanOutline | undefined;
  let startNs: bigint | undefined;
  let endNs = 0n;
  let errorSpanCount = 0;
  let orphanSpanCount = 0;
  for (const span of spans) {
    const error = span.statusCode === "error";
    let service = services.get(span.serviceName);
    if (!service) {
      service = { name: span.serviceName, spanCount: 0, errorSpanCount: 0 };
      services.set(span.serviceName, service);
    }
    service.spanCount++;
    if (error) {
      service.errorSpanCount++;
      errorSpanCount++;
    }
    if (startNs === undefined || span.startNs < startNs) startNs = span.startNs;
    const end = span.startNs + span.durationNs;
    if (end > endNs) endNs = end;
    if (span.parentSpanId === "") {
      if (!root || span.startNs < root.startNs) root = span;
    } else if (!ids.has(span.parentSpanId)) {
      orphanSpanCount++;
    }
  }
  return {
    traceId,
    rootServiceName: root?.serviceName ?? "",
    rootSpanName: root?.name ?? "",
    startNs: startNs ?? 0n,
    endNs,
    spanCount: spans.length,
    errorSpanCount,
    orphanSpanCount,
    services: [...services.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    ),
  };
}

import type { ClickHouse } from "@runtrace/clickhouse";
import { SPAN_EXECUTION_STATE } from "@runtrace/semconv";
import { QueryParams } from "../executions/query-params.ts";
import {
  type SpanKind,
  type StatusCode,
  type StoredSpan,
  spanKindOf,
  statusCodeOf,
  typedAttributes,
} from "./span.ts";
import { visibleTraceIds } from "./visibility.ts";

export interface ReadOptions {
  /** The request's readable scopes (`null`: all); invisible traces are left out. */
  scopes: readonly string[] | null;
  signal: AbortSignal;
}

/**
 * The rows of these traces: bounded to the traces' own time range from the
 * `otel_traces_trace_id_ts` lookup (seconds, hence the one-second margins), so a read touches
 * only their days' parts; state spans never leave the store; a span stored twice (not merged
 * yet) counts once.
 */
export function traceRowsQuery(p: QueryParams, ids: readonly string[], columns: string): string {
  const traceIds = p.add("Array(String)", ids);
  return `WITH (SELECT (min(Start), max(End)) FROM otel_traces_trace_id_ts WHERE TraceId IN ${traceIds}) AS range
    SELECT ${columns}
    FROM otel_traces
    WHERE TraceId IN ${traceIds}
      AND Timestamp >= toDateTime64(range.1, 9) - INTERVAL 1 SECOND
      AND Timestamp <= toDateTime64(range.2, 9) + INTERVAL 1 SECOND
      AND SpanName != ${p.add("String", SPAN_EXECUTION_STATE)}
    ORDER BY TraceId, Timestamp, SpanId
    LIMIT 1 BY TraceId, SpanId`;
}

interface SpanRow {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ResourceAttributeTypes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  SpanAttributeTypes: Record<string, string>;
  start_ns: string;
  duration_ns: string;
  StatusCode: string;
  StatusMessage: string;
  event_times: string[];
  event_names: string[];
  event_attributes: Record<string, string>[];
  EventAttributeTypes: Record<string, string>[];
  link_trace_ids: string[];
  link_span_ids: string[];
  link_states: string[];
  link_attributes: Record<string, string>[];
  LinkAttributeTypes: Record<string, string>[];
}

// Nanosecond times pass 2^53, so they travel as text.
const SPAN_COLUMNS = `TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
  ResourceAttributes, ResourceAttributeTypes, ScopeName, ScopeVersion, SpanAttributes, SpanAttributeTypes,
  toString(toUnixTimestamp64Nano(Timestamp)) AS start_ns, toString(Duration) AS duration_ns,
  StatusCode, StatusMessage,
  arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS event_times,
  Events.Name AS event_names, Events.Attributes AS event_attributes, EventAttributeTypes,
  Links.TraceId AS link_trace_ids, Links.SpanId AS link_span_ids, Links.TraceState AS link_states,
  Links.Attributes AS link_attributes, LinkAttributeTypes`;

function toStoredSpan(r: SpanRow): StoredSpan {
  return {
    traceId: r.TraceId,
    spanId: r.SpanId,
    parentSpanId: r.ParentSpanId,
    traceState: r.TraceState,
    name: r.SpanName,
    kind: spanKindOf(r.SpanKind),
    startNs: BigInt(r.start_ns),
    durationNs: BigInt(r.duration_ns),
    statusCode: statusCodeOf(r.StatusCode),
    statusMessage: r.StatusMessage,
    serviceName: r.ServiceName,
    resource: typedAttributes(r.ResourceAttributes, r.ResourceAttributeTypes),
    scope: { name: r.ScopeName, version: r.ScopeVersion },
    attributes: typedAttributes(r.SpanAttributes, r.SpanAttributeTypes),
    events: r.event_times.map((t, i) => ({
      timeNs: BigInt(t),
      name: r.event_names[i] ?? "",
      attributes: typedAttributes(r.event_attributes[i], r.EventAttributeTypes[i]),
    })),
    links: r.link_trace_ids.map((traceId, i) => ({
      traceId,
      spanId: r.link_span_ids[i] ?? "",
      traceState: r.link_states[i] ?? "",
      attributes: typedAttributes(r.link_attributes[i], r.LinkAttributeTypes[i]),
    })),
  };
}

function groupByTrace<T extends { traceId: string }>(
  ids: readonly string[],
  spans: T[],
): Map<string, T[]> {
  const byTrace = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const span of spans) byTrace.get(span.traceId)?.push(span);
  for (const [id, list] of byTrace) if (list.length === 0) byTrace.delete(id);
  return byTrace;
}

/**
 * The spans of each trace (stored 32-hex ids), in start order. A trace that is unknown or that
 * the scopes may not see is simply absent, so callers answer both alike.
 */
export async function readTraces(
  ch: ClickHouse,
  ids: readonly string[],
  { scopes, signal }: ReadOptions,
): Promise<Map<string, StoredSpan[]>> {
  if (ids.length === 0) return new Map();
  const p = new QueryParams();
  const rows = await ch.select<SpanRow>(traceRowsQuery(p, ids, SPAN_COLUMNS), p.values, {
    signal,
  });
  const traces = groupByTrace(ids, rows.map(toStoredSpan));
  const visible = await visibleTraceIds(ch, traces, scopes, signal);
  for (const id of traces.keys()) if (!visible.has(id)) traces.delete(id);
  return traces;
}

/** What a trace summary needs of a span: no attributes, events or links. */
export interface SpanOutline {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: SpanKind;
  serviceName: string;
  startNs: bigint;
  durationNs: bigint;
  statusCode: StatusCode;
}

/**
 * The outlines of each trace's spans, in start order, for summaries of search results. The ids
 * must come from a search that already applied the request's scopes (`findTraceIds`).
 */
export async function readSpanOutlines(
  ch: ClickHouse,
  ids: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, SpanOutline[]>> {
  if (ids.length === 0) return new Map();
  const p = new QueryParams();
  const rows = await ch.select<{
    TraceId: string;
    SpanId: string;
    ParentSpanId: string;
    SpanName: string;
    SpanKind: string;
    ServiceName: string;
    start_ns: string;
    duration_ns: string;
    StatusCode: string;
  }>(
    traceRowsQuery(
      p,
      ids,
      `TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
       toString(toUnixTimestamp64Nano(Timestamp)) AS start_ns, toString(Duration) AS duration_ns,
       StatusCode`,
    ),
    p.values,
    { signal },
  );
  return groupByTrace(
    ids,
    rows.map((r) => ({
      traceId: r.TraceId,
      spanId: r.SpanId,
      parentSpanId: r.ParentSpanId,
      name: r.SpanName,
      kind: spanKindOf(r.SpanKind),
      serviceName: r.ServiceName,
      startNs: BigInt(r.start_ns),
      durationNs: BigInt(r.duration_ns),
      statusCode: statusCodeOf(r.StatusCode),
    })),
  );
}

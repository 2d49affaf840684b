import type { Attributes, ResourceInput, SpanInput } from "@runtrace/model";
import { RUN_COUNTS_PERIOD_SECONDS, TOOL_COUNTS_PERIOD_SECONDS } from "../schema/v3-run-rollups.ts";
import { TOOL_MATCH_PERIOD_SECONDS } from "../schema/v7-tool-match-counts.ts";
import type {
  ExecutionRow,
  InteractionRow,
  SnapshotRow,
  ToolCallRow,
  ToolCallStat,
} from "./rows.ts";
import { runToolMatchers } from "./tool-matchers.ts";
import {
  bool,
  microsText,
  millisText,
  NULL,
  nanosText,
  quoted,
  tsvArray,
  tsvMap,
  tsvString,
  tsvStringArray,
} from "./tsv.ts";

/**
 * For each table the writer inserts into: its columns, in the order its serializer writes
 * them. The TSV line of a row is built in one pass, without an intermediate object.
 */

export const OTEL_TRACES_COLUMNS = [
  "Timestamp",
  "TraceId",
  "SpanId",
  "ParentSpanId",
  "TraceState",
  "SpanName",
  "SpanKind",
  "ServiceName",
  "ResourceAttributes",
  "ResourceAttributeTypes",
  "ScopeName",
  "ScopeVersion",
  "SpanAttributes",
  "SpanAttributeTypes",
  "Duration",
  "StatusCode",
  "StatusMessage",
  "Events.Timestamp",
  "Events.Name",
  "Events.Attributes",
  "EventAttributeTypes",
  "Links.TraceId",
  "Links.SpanId",
  "Links.TraceState",
  "Links.Attributes",
  "LinkAttributeTypes",
] as const;

/** Resources repeat across a batch: their three columns are rendered once each. */
const resourceText = new WeakMap<ResourceInput, string>();

function resourceColumns(resource: ResourceInput): string {
  let text = resourceText.get(resource);
  if (text === undefined) {
    text = `${tsvString(resource.serviceName)}\t${attributeColumns(resource.attributes)}`;
    resourceText.set(resource, text);
  }
  return text;
}

/**
 * The values map and the types map of a set of attributes. Compound values (maps, arrays) are
 * read by their own quoted-literal rules inside a TSV field, with no TSV escaping on top.
 */
function attributeColumns(attributes: Attributes): string {
  return `${tsvMap(attributes.values)}\t${tsvMap(attributes.types)}`;
}

export function otelTracesLine(span: SpanInput): string {
  const duration = span.endNs > span.startNs ? span.endNs - span.startNs : 0n;
  let events = "";
  if (span.events.length === 0) {
    events = "[]\t[]\t[]\t[]";
  } else {
    const times: string[] = [];
    const names: string[] = [];
    const attrs: string[] = [];
    const types: string[] = [];
    for (const e of span.events) {
      // Inside an array a time is a quoted literal.
      times.push(quoted(nanosText(e.timeNs)));
      names.push(e.name);
      attrs.push(tsvMap(e.attributes.values));
      types.push(tsvMap(e.attributes.types));
    }
    events = `${tsvArray(times)}\t${tsvStringArray(names)}\t${tsvArray(attrs)}\t${tsvArray(types)}`;
  }
  let links = "";
  if (span.links.length === 0) {
    links = "[]\t[]\t[]\t[]\t[]";
  } else {
    const traceIds: string[] = [];
    const spanIds: string[] = [];
    const states: string[] = [];
    const attrs: string[] = [];
    const types: string[] = [];
    for (const l of span.links) {
      traceIds.push(l.traceId);
      spanIds.push(l.spanId);
      states.push(l.traceState);
      attrs.push(tsvMap(l.attributes.values));
      types.push(tsvMap(l.attributes.types));
    }
    links = `${tsvStringArray(traceIds)}\t${tsvStringArray(spanIds)}\t${tsvStringArray(states)}\t${tsvArray(attrs)}\t${tsvArray(types)}`;
  }
  return `${nanosText(span.startNs)}\t${span.traceId}\t${span.spanId}\t${span.parentSpanId}\t${tsvString(span.traceState)}\t${tsvString(span.name)}\t${span.kind}\t${resourceColumns(span.resource)}\t${tsvString(span.scope.name)}\t${tsvString(span.scope.version)}\t${attributeColumns(span.attributes)}\t${duration}\t${span.statusCode}\t${tsvString(span.statusMessage)}\t${events}\t${links}\n`;
}

export const EXECUTION_COLUMNS = [
  "scope_id",
  "execution_id",
  "row_id",
  "created_at",
  "started_at",
  "completed_at",
  "duration_ms",
  "updated_at",
  "status",
  "trigger_kind",
  "trigger_meta",
  "runtime",
  "code",
  "code_truncated",
  "result",
  "result_truncated",
  "error",
  "error_type",
  "logs",
  "tool_call_count",
  "reported_tool_call_count",
  "tool_paths",
  "tool_path_calls",
  "tool_call_stats",
  "interaction_count",
  "reported_interaction_count",
  "has_elicitation",
  "pending_interaction_id",
  "pending_interaction_kind",
  "pending_interaction_purpose",
  "pending_interaction_payload",
  "pending_interaction_created_at",
  "active_tool_calls",
  "trace_id",
  "span_id",
  "service_name",
  "segment",
  "version",
] as const;

/** An Array(Tuple(path, failed, bucket, calls)) literal. */
function toolCallStatsText(stats: readonly ToolCallStat[]): string {
  // Inside a tuple a Bool is read as a literal: true or false, not 1 or 0.
  return `[${stats.map((t) => `(${quoted(t.path)},${t.failed ? "true" : "false"},${t.bucket},${t.calls})`).join(",")}]`;
}

function nullableMillis(ms: number | null): string {
  return ms === null ? NULL : millisText(ms);
}

export function executionLine(r: ExecutionRow): string {
  return `${tsvString(r.scopeId)}\t${tsvString(r.executionId)}\t${r.rowId}\t${millisText(r.createdAt)}\t${nullableMillis(r.startedAt)}\t${nullableMillis(r.completedAt)}\t${r.durationMs === null ? NULL : r.durationMs}\t${millisText(r.updatedAt)}\t${r.status}\t${tsvString(r.triggerKind)}\t${tsvString(r.triggerMeta)}\t${tsvString(r.runtime)}\t${tsvString(r.code)}\t${bool(r.codeTruncated)}\t${tsvString(r.result)}\t${bool(r.resultTruncated)}\t${tsvString(r.error)}\t${tsvString(r.errorType)}\t${tsvString(r.logs)}\t${r.toolCallCount}\t${r.reportedToolCallCount}\t${tsvStringArray(r.toolPaths)}\t[${r.toolPathCalls.join(",")}]\t${toolCallStatsText(r.toolCallStats)}\t${r.interactionCount}\t${r.reportedInteractionCount}\t${bool(r.hasElicitation)}\t${tsvString(r.pendingInteractionId)}\t${tsvString(r.pendingInteractionKind)}\t${tsvString(r.pendingInteractionPurpose)}\t${tsvString(r.pendingInteractionPayload)}\t${nullableMillis(r.pendingInteractionCreatedAt)}\t${tsvString(r.activeToolCalls)}\t${r.traceId}\t${r.spanId}\t${tsvString(r.serviceName)}\t${r.segment}\t${r.version}\n`;
}

export const TOOL_CALL_COLUMNS = [
  "scope_id",
  "execution_id",
  "span_id",
  "trace_id",
  "parent_span_id",
  "tool_call_id",
  "tool_path",
  "namespace",
  "status",
  "error",
  "error_type",
  "args",
  "args_truncated",
  "result",
  "result_truncated",
  "started_at",
  "completed_at",
  "duration_us",
  "service_name",
] as const;

export function toolCallLine(r: ToolCallRow): string {
  return `${tsvString(r.scopeId)}\t${tsvString(r.executionId)}\t${r.spanId}\t${r.traceId}\t${r.parentSpanId}\t${tsvString(r.toolCallId)}\t${tsvString(r.toolPath)}\t${tsvString(r.namespace)}\t${r.status}\t${tsvString(r.error)}\t${tsvString(r.errorType)}\t${tsvString(r.args)}\t${bool(r.argsTruncated)}\t${tsvString(r.result)}\t${bool(r.resultTruncated)}\t${microsText(r.startedAtUs)}\t${microsText(r.completedAtUs)}\t${r.durationUs}\t${tsvString(r.serviceName)}\n`;
}

export const EXECUTION_SNAPSHOT_COLUMNS = [
  "service_name",
  "scope_id",
  "execution_id",
  "span_id",
  "trace_id",
  "span_name",
  "seq",
  "final",
  "ended_at",
] as const;

export function executionSnapshotLine(r: SnapshotRow): string {
  return `${tsvString(r.serviceName)}\t${tsvString(r.scopeId)}\t${tsvString(r.executionId)}\t${r.spanId}\t${r.traceId}\t${tsvString(r.spanName)}\t${r.seq}\t${bool(r.final)}\t${millisText(r.endedAtMs)}\n`;
}

export const INTERACTION_COLUMNS = [
  "scope_id",
  "execution_id",
  "interaction_id",
  "span_id",
  "trace_id",
  "kind",
  "purpose",
  "status",
  "payload",
  "payload_truncated",
  "response",
  "response_truncated",
  "created_at",
  "resolved_at",
  "service_name",
] as const;

export function interactionLine(r: InteractionRow): string {
  return `${tsvString(r.scopeId)}\t${tsvString(r.executionId)}\t${tsvString(r.interactionId)}\t${r.spanId}\t${r.traceId}\t${tsvString(r.kind)}\t${tsvString(r.purpose)}\t${tsvString(r.status)}\t${tsvString(r.payload)}\t${bool(r.payloadTruncated)}\t${tsvString(r.response)}\t${bool(r.responseTruncated)}\t${millisText(r.createdAt)}\t${millisText(r.resolvedAt)}\t${tsvString(r.serviceName)}\n`;
}

/** A row of `superseded_executions` / `superseded_repeats`: a replaced run row's counts. */
export interface SupersededRow {
  scopeId: string;
  createdAt: number;
  executionId: string;
  rowId: bigint;
  recordId: bigint;
  status: string;
  triggerKind: string;
  hasElicitation: boolean;
  toolPaths: readonly string[];
  toolPathCalls: readonly number[];
  durationMs: number | null;
  toolCallStats: readonly ToolCallStat[];
}

export const SUPERSEDED_COLUMNS = [
  "scope_id",
  "created_at",
  "execution_id",
  "row_id",
  "record_id",
  "status",
  "trigger_kind",
  "has_elicitation",
  "tool_paths",
  "tool_path_calls",
  "duration_ms",
  "tool_call_stats",
] as const;

export function supersededLine(r: SupersededRow): string {
  return `${tsvString(r.scopeId)}\t${millisText(r.createdAt)}\t${tsvString(r.executionId)}\t${r.rowId}\t${r.recordId}\t${tsvString(r.status)}\t${tsvString(r.triggerKind)}\t${bool(r.hasElicitation)}\t${tsvStringArray(r.toolPaths)}\t[${r.toolPathCalls.join(",")}]\t${r.durationMs === null ? NULL : r.durationMs}\t${toolCallStatsText(r.toolCallStats)}\n`;
}

/** The rollups' period of a run's creation time: whole `seconds` in UTC (schema v3). */
function periodOf(createdAtMs: number, seconds: number): number {
  return Math.floor(createdAtMs / 1000 / seconds) * seconds;
}

export const RUN_COUNTS_COLUMNS = [
  "scope_id",
  "period_start",
  "status",
  "trigger_kind",
  "has_elicitation",
  "runs",
] as const;

/** A row of `run_counts` adding back the run a superseded row counted. */
export function runCountsLine(r: SupersededRow): string {
  return `${tsvString(r.scopeId)}\t${periodOf(r.createdAt, RUN_COUNTS_PERIOD_SECONDS)}\t${tsvString(r.status)}\t${tsvString(r.triggerKind)}\t${bool(r.hasElicitation)}\t1\n`;
}

export const TOOL_COUNTS_COLUMNS = [
  "scope_id",
  "period_start",
  "tool_path",
  "status",
  "trigger_kind",
  "has_elicitation",
  "calls",
  "runs",
] as const;

/** The rows of `tool_counts` adding back what a superseded row counted per path. */
export function toolCountsLines(r: SupersededRow): string {
  const period = periodOf(r.createdAt, TOOL_COUNTS_PERIOD_SECONDS);
  return r.toolPaths
    .map(
      (path, i) =>
        `${tsvString(r.scopeId)}\t${period}\t${tsvString(path)}\t${tsvString(r.status)}\t${tsvString(r.triggerKind)}\t${bool(r.hasElicitation)}\t${r.toolPathCalls[i] ?? 0}\t1\n`,
    )
    .join("");
}

export const TOOL_MATCH_COUNTS_COLUMNS = [
  "scope_id",
  "matcher",
  "period_start",
  "status",
  "trigger_kind",
  "has_elicitation",
  "runs",
] as const;

/** The rows of `tool_match_counts` adding back the run a superseded row counted per value. */
export function toolMatchCountsLines(r: SupersededRow): string {
  const period = periodOf(r.createdAt, TOOL_MATCH_PERIOD_SECONDS);
  return runToolMatchers(r.toolPaths)
    .map(
      (matcher) =>
        `${tsvString(r.scopeId)}\t${tsvString(matcher)}\t${period}\t${tsvString(r.status)}\t${tsvString(r.triggerKind)}\t${bool(r.hasElicitation)}\t1\n`,
    )
    .join("");
}

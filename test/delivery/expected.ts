import type { AttributeValue, HrTime } from "@opentelemetry/api";
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS,
  ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT,
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_PRIOR_LOGS,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_SERVICE_NAME,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  EVENT_LOG,
  EXECUTION_STATUSES,
  type ExecutionStatus,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  isExecutionStatus,
  isTerminalStatus,
  SEED_INTERACTION_KIND_ALIASES,
  SEED_SPAN_TOOL_PREFIX,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
  SPAN_INTERACTION,
  SPAN_TOOL_PREFIX,
  TRIGGER_UNKNOWN,
  toolNamespace,
} from "@runtrace/semconv";
import { maskErrorMessage } from "@runtrace/testkit/error-mask";

/**
 * The oracle: what every answer must be, computed from the set of distinct spans a seed
 * produced (never from what was stored). It implements the storage contract: a run is its best
 * root span; its children are the tool and interaction spans that name it; lists, facets,
 * timelines and details all follow from those.
 */

const NS_PER_MS = 1_000_000n;
const CHILD_WINDOW_MS = 60_000;

/** One span as plain facts. */
export interface SpanFacts {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startNs: bigint;
  endNs: bigint;
  attrs: Record<string, AttributeValue | undefined>;
  statusCode: SpanStatusCode;
  statusMessage: string;
  events: { name: string; timeNs: bigint; attrs: Record<string, AttributeValue | undefined> }[];
  links: { traceId: string; spanId: string }[];
  serviceName: string;
}

function hrNs(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

export function spanFacts(span: ReadableSpan): SpanFacts {
  const ctx = span.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    startNs: hrNs(span.startTime),
    endNs: hrNs(span.endTime),
    attrs: { ...span.attributes },
    statusCode: span.status.code,
    statusMessage: span.status.message ?? "",
    events: span.events.map((e) => ({
      name: e.name,
      timeNs: hrNs(e.time),
      attrs: { ...(e.attributes ?? {}) },
    })),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    serviceName: String(span.resource.attributes[ATTR_SERVICE_NAME] ?? ""),
  };
}

export const spanKey = (s: { traceId: string; spanId: string }) => `${s.traceId}:${s.spanId}`;

const ms = (ns: bigint) => Number(ns / NS_PER_MS);
/** Fractional ms at microsecond precision (what the API returns for tool-call times). */
const msFromUs = (ns: bigint) => Number(ns / 1000n) / 1000;

function str(v: AttributeValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : Array.isArray(v) ? JSON.stringify(v) : String(v);
}
function nonEmpty(v: AttributeValue | undefined): string | undefined {
  const s = str(v);
  return s === undefined || s === "" ? undefined : s;
}
function int(v: AttributeValue | undefined): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}
/** A stored JSON text as its value (null when absent; the text itself when it is not JSON). */
function json(v: AttributeValue | undefined): unknown {
  const s = str(v);
  if (s === undefined || s === "") return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
const interactionKind = (raw: string) => SEED_INTERACTION_KIND_ALIASES[raw] ?? raw;

export interface LogLine {
  time: number;
  severity: string;
  message: string;
}

export interface ToolCall {
  id: string;
  toolPath: string;
  namespace: string | null;
  status: "failed" | "completed" | "running";
  startedAt: number;
  completedAt: number | null;
  durationMs: number | null;
  args: unknown;
  result: unknown;
  error: string | null;
  errorType: string | null;
  spanId: string | null;
}

export interface InteractionDetail {
  id: string;
  kind: string;
  purpose: string | null;
  status: string;
  payload: unknown;
  response: unknown;
  createdAt: number;
  resolvedAt: number;
}

export interface PendingInteraction {
  id: string;
  kind: string;
  purpose: string | null;
  payload: unknown;
  createdAt: number | null;
}

/** A run as every answer must show it. */
export interface ExpectedRun {
  id: string;
  scope: string;
  status: ExecutionStatus;
  final: boolean;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  updatedAt: number;
  trigger: { kind: string | null; meta: unknown };
  runtime: string | null;
  code: string;
  codePreview: string;
  result: unknown;
  error: string | null;
  errorType: string | null;
  logs: LogLine[];
  pendingInteraction: PendingInteraction | null;
  traceId: string;
  spanId: string;
  serviceName: string | null;
  /** Child tool calls, in start order (then span id). */
  toolCalls: ToolCall[];
  /**
   * Calls the best root lists in flight (unfinished runs only) whose tool span did not arrive:
   * `/tool-calls` adds them as `running`, in start order after stored calls of the same start.
   */
  runningCalls: ToolCall[];
  /** Child interactions, by createdAt then id. */
  interactions: InteractionDetail[];
  toolCallCount: number;
  interactionCount: number;
  hadElicitation: boolean;
}

export interface Model {
  runs: Map<string, ExpectedRun>;
  /** Distinct non-state spans per trace id. */
  traces: Map<string, SpanFacts[]>;
}

function isRootSpan(s: SpanFacts): boolean {
  if (!nonEmpty(s.attrs[ATTR_EXECUTION_ID])) return false;
  if (s.name === SPAN_EXECUTION || s.name === SPAN_EXECUTION_STATE) return true;
  return s.name === SPAN_EXECUTION_RESUME && s.attrs[ATTR_EXECUTION_STATUS] !== undefined;
}

export function isToolSpan(s: SpanFacts): boolean {
  return (
    s.attrs[ATTR_TOOL_PATH] !== undefined ||
    s.attrs[ATTR_GEN_AI_OPERATION_NAME] === GEN_AI_OPERATION_EXECUTE_TOOL
  );
}

function rootStatus(s: SpanFacts): ExecutionStatus {
  const v = s.attrs[ATTR_EXECUTION_STATUS];
  if (isExecutionStatus(v)) return v;
  if (s.name === SPAN_EXECUTION_STATE) return "running";
  return s.statusCode === SpanStatusCode.ERROR ? "failed" : "completed";
}

/** Best root first: final beats non-final, then higher seq (else later end), then span id. */
function betterRoot(a: SpanFacts, b: SpanFacts): boolean {
  const fa = isTerminalStatus(rootStatus(a));
  const fb = isTerminalStatus(rootStatus(b));
  if (fa !== fb) return fa;
  const sa = int(a.attrs[ATTR_EXECUTION_SEQ]);
  const sb = int(b.attrs[ATTR_EXECUTION_SEQ]);
  if (sa !== undefined && sb !== undefined) {
    if (sa !== sb) return sa > sb;
  } else if (a.endNs !== b.endNs) {
    return a.endNs > b.endNs;
  }
  return a.spanId > b.spanId;
}

function toolPathOf(s: SpanFacts): string {
  const path = nonEmpty(s.attrs[ATTR_TOOL_PATH]) ?? nonEmpty(s.attrs[ATTR_GEN_AI_TOOL_NAME]);
  if (path) return path;
  if (s.name.startsWith(SPAN_TOOL_PREFIX)) return s.name.slice(SPAN_TOOL_PREFIX.length);
  if (s.name.startsWith(SEED_SPAN_TOOL_PREFIX)) return s.name.slice(SEED_SPAN_TOOL_PREFIX.length);
  return s.name;
}

function toolCall(s: SpanFacts): ToolCall {
  const a = s.attrs;
  const path = toolPathOf(s);
  const status = str(a[ATTR_TOOL_STATUS]);
  const failed =
    status === "failed" || (status === undefined && s.statusCode === SpanStatusCode.ERROR);
  return {
    id: nonEmpty(a[ATTR_GEN_AI_TOOL_CALL_ID]) ?? s.spanId,
    toolPath: path,
    namespace: nonEmpty(a[ATTR_TOOL_NAMESPACE]) ?? (toolNamespace(path) || null),
    status: failed ? "failed" : "completed",
    startedAt: msFromUs(s.startNs),
    completedAt: msFromUs(s.endNs),
    durationMs: Number(s.endNs / 1000n - s.startNs / 1000n) / 1000,
    args: json(a[ATTR_TOOL_ARGS]),
    result: json(a[ATTR_TOOL_RESULT]),
    error: failed ? (nonEmpty(a[ATTR_TOOL_ERROR]) ?? (s.statusMessage || null)) : null,
    errorType: failed ? (nonEmpty(a[ATTR_ERROR_TYPE]) ?? null) : null,
    spanId: s.spanId,
  };
}

/** A root's array attribute (the SDK sets arrays; JSON text from elsewhere is read too). */
function list(v: AttributeValue | undefined): unknown[] {
  if (Array.isArray(v)) return v;
  const parsed = json(v);
  return Array.isArray(parsed) ? parsed : [];
}

/** The calls a root lists in flight whose tool span is not among the run's child spans. */
function callsInFlight(root: SpanFacts, stored: ToolCall[]): ToolCall[] {
  const ids = list(root.attrs[ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS]);
  const paths = list(root.attrs[ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS]);
  const starts = list(root.attrs[ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT]);
  const ended = new Set(stored.map((c) => c.id));
  const out: ToolCall[] = [];
  ids.forEach((id, i) => {
    const path = paths[i];
    const startedAt = Number(starts[i]);
    if (typeof id !== "string" || typeof path !== "string" || !Number.isFinite(startedAt)) return;
    if (ended.has(id)) return;
    out.push({
      id,
      toolPath: path,
      namespace: toolNamespace(path) || null,
      status: "running",
      startedAt: Math.trunc(startedAt),
      completedAt: null,
      durationMs: null,
      args: null,
      result: null,
      error: null,
      errorType: null,
      spanId: null,
    });
  });
  return out;
}

function interaction(s: SpanFacts): InteractionDetail {
  const a = s.attrs;
  return {
    id: nonEmpty(a[ATTR_INTERACTION_ID]) ?? s.spanId,
    kind: interactionKind(str(a[ATTR_INTERACTION_KIND]) ?? ""),
    purpose: nonEmpty(a[ATTR_INTERACTION_PURPOSE]) ?? null,
    status: nonEmpty(a[ATTR_INTERACTION_STATUS]) ?? "resolved",
    payload: json(a[ATTR_INTERACTION_PAYLOAD]),
    response: json(a[ATTR_INTERACTION_RESPONSE]),
    createdAt: int(a[ATTR_INTERACTION_CREATED_AT]) ?? ms(s.startNs),
    resolvedAt: ms(s.endNs),
  };
}

function logsOf(root: SpanFacts): LogLine[] {
  const prior = json(root.attrs[ATTR_EXECUTION_PRIOR_LOGS]);
  const lines: LogLine[] = Array.isArray(prior) ? (prior as LogLine[]) : [];
  for (const e of root.events) {
    if (e.name !== EVENT_LOG) continue;
    lines.push({
      time: ms(e.timeNs),
      severity: str(e.attrs[ATTR_LOG_SEVERITY]) ?? "info",
      message: str(e.attrs[ATTR_LOG_MESSAGE]) ?? "",
    });
  }
  return lines;
}

export function codePreview(code: string): string {
  return code.replace(/\s+/g, " ").trim().slice(0, 200);
}

/** Builds the model from every span of a seed, duplicates included or not. */
export function buildModel(spans: readonly ReadableSpan[]): Model {
  const distinct = new Map<string, SpanFacts>();
  for (const span of spans) {
    const f = spanFacts(span);
    distinct.set(spanKey(f), f);
  }
  const best = new Map<string, SpanFacts>();
  const tools = new Map<string, SpanFacts[]>();
  const interactions = new Map<string, SpanFacts[]>();
  const traces = new Map<string, SpanFacts[]>();
  for (const s of distinct.values()) {
    if (s.name !== SPAN_EXECUTION_STATE) {
      const list = traces.get(s.traceId) ?? [];
      list.push(s);
      traces.set(s.traceId, list);
    }
    const id = nonEmpty(s.attrs[ATTR_EXECUTION_ID]);
    if (!id) continue;
    if (isRootSpan(s)) {
      const current = best.get(id);
      if (!current || betterRoot(s, current)) best.set(id, s);
    } else if (isToolSpan(s)) {
      tools.set(id, [...(tools.get(id) ?? []), s]);
    } else if (s.name === SPAN_INTERACTION) {
      interactions.set(id, [...(interactions.get(id) ?? []), s]);
    }
  }
  const runs = new Map<string, ExpectedRun>();
  for (const [id, root] of best) {
    const a = root.attrs;
    const status = rootStatus(root);
    const final = isTerminalStatus(status);
    const scope = nonEmpty(a[ATTR_SCOPE_ID]) ?? "default";
    const createdAt =
      int(a[ATTR_EXECUTION_CREATED_AT]) ?? int(a[ATTR_EXECUTION_STARTED_AT]) ?? ms(root.startNs);
    const startedAt =
      int(a[ATTR_EXECUTION_STARTED_AT]) ?? (status === "pending" ? null : createdAt);
    const completedAt = final ? (int(a[ATTR_EXECUTION_COMPLETED_AT]) ?? ms(root.endNs)) : null;
    const isChild = (s: SpanFacts) => {
      const childScope = nonEmpty(s.attrs[ATTR_SCOPE_ID]);
      return (
        (childScope === undefined || childScope === scope) &&
        s.startNs >= BigInt(createdAt - CHILD_WINDOW_MS) * NS_PER_MS
      );
    };
    const childTools = (tools.get(id) ?? [])
      .filter(isChild)
      .sort((x, y) =>
        x.startNs !== y.startNs ? (x.startNs < y.startNs ? -1 : 1) : x.spanId < y.spanId ? -1 : 1,
      )
      .map(toolCall);
    const childInteractions = (interactions.get(id) ?? [])
      .filter(isChild)
      .map(interaction)
      .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const pendingId =
      status === "waiting_for_interaction" ? nonEmpty(a[ATTR_INTERACTION_ID]) : undefined;
    const pendingInteraction: PendingInteraction | null = pendingId
      ? {
          id: pendingId,
          kind: interactionKind(str(a[ATTR_INTERACTION_KIND]) ?? ""),
          purpose: nonEmpty(a[ATTR_INTERACTION_PURPOSE]) ?? null,
          payload: json(a[ATTR_INTERACTION_PAYLOAD]),
          createdAt: int(a[ATTR_INTERACTION_CREATED_AT]) ?? null,
        }
      : null;
    const trigger = nonEmpty(a[ATTR_TRIGGER_KIND]);
    const code = str(a[ATTR_EXECUTION_CODE]) ?? "";
    runs.set(id, {
      id,
      scope,
      status,
      final,
      createdAt,
      startedAt,
      completedAt,
      durationMs:
        completedAt !== null && startedAt !== null ? Math.max(0, completedAt - startedAt) : null,
      updatedAt: ms(root.endNs),
      trigger: {
        kind: trigger === undefined || trigger === TRIGGER_UNKNOWN ? null : trigger,
        meta: json(a[ATTR_TRIGGER_META]),
      },
      runtime: nonEmpty(a[ATTR_RUNTIME]) ?? null,
      code,
      codePreview: codePreview(code),
      result: json(a[ATTR_EXECUTION_RESULT]),
      error:
        nonEmpty(a[ATTR_EXECUTION_ERROR]) ??
        (status === "failed" ? root.statusMessage || null : null),
      errorType: nonEmpty(a[ATTR_ERROR_TYPE]) ?? null,
      logs: logsOf(root),
      pendingInteraction,
      traceId: root.traceId,
      spanId: root.spanId,
      serviceName: root.serviceName || null,
      toolCalls: childTools,
      runningCalls: final ? [] : callsInFlight(root, childTools),
      interactions: childInteractions,
      toolCallCount: childTools.length,
      interactionCount: childInteractions.length,
      hadElicitation:
        childInteractions.length > 0 ||
        (int(a[ATTR_EXECUTION_INTERACTION_COUNT]) ?? 0) > 0 ||
        nonEmpty(a[ATTR_INTERACTION_KIND]) !== undefined ||
        pendingInteraction !== null,
    });
  }
  return { runs, traces };
}

// ---------------------------------------------------------------------------------------------
// Lists

export interface ListFilter {
  scopes: string[];
  statuses?: ExecutionStatus[];
  /** Trigger kinds; `unknown` stands for "no trigger". */
  triggers?: string[];
  /** Exact paths or `namespace.*`. */
  tools?: string[];
  from?: number;
  to?: number;
  code?: string;
  elicitation?: boolean;
}

type FacetKey = "status" | "trigger" | "tool" | "elicitation";

export type SortKey = "createdAt,desc" | "createdAt,asc" | "durationMs,desc" | "durationMs,asc";
export const SORTS: SortKey[] = [
  "createdAt,desc",
  "createdAt,asc",
  "durationMs,desc",
  "durationMs,asc",
];

export function toolMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith(".*")) {
    const ns = pattern.slice(0, -2);
    return path === ns || path.startsWith(`${ns}.`);
  }
  return path === pattern;
}

function matches(run: ExpectedRun, f: ListFilter, omit?: FacetKey): boolean {
  if (!f.scopes.includes(run.scope)) return false;
  if (f.from !== undefined && run.createdAt < f.from) return false;
  if (f.to !== undefined && run.createdAt > f.to) return false;
  if (f.code !== undefined && !run.code.toLowerCase().includes(f.code.toLowerCase())) return false;
  if (omit !== "status" && f.statuses && !f.statuses.includes(run.status)) return false;
  if (omit !== "trigger" && f.triggers) {
    const kind = run.trigger.kind ?? TRIGGER_UNKNOWN;
    if (!f.triggers.includes(kind)) return false;
  }
  if (omit !== "elicitation" && f.elicitation !== undefined && run.hadElicitation !== f.elicitation)
    return false;
  if (omit !== "tool" && f.tools) {
    const patterns = f.tools;
    if (!run.toolCalls.some((c) => patterns.some((p) => toolMatches(p, c.toolPath)))) return false;
  }
  return true;
}

const byId = (a: ExpectedRun, b: ExpectedRun) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function sortRuns(runs: ExpectedRun[], sort: SortKey): ExpectedRun[] {
  const dir = sort.endsWith(",desc") ? -1 : 1;
  if (sort.startsWith("createdAt")) {
    return [...runs].sort((a, b) => dir * (a.createdAt - b.createdAt) || dir * byId(a, b));
  }
  return [...runs].sort((a, b) => {
    if (a.durationMs === null || b.durationMs === null) {
      if (a.durationMs !== b.durationMs) return a.durationMs === null ? 1 : -1;
      return dir * byId(a, b);
    }
    return dir * (a.durationMs - b.durationMs) || dir * byId(a, b);
  });
}

export function expectedList(model: Model, f: ListFilter, sort: SortKey): ExpectedRun[] {
  return sortRuns(
    [...model.runs.values()].filter((r) => matches(r, f)),
    sort,
  );
}

/** The list row of a run, as `GET /v1/executions` shows it. */
export function expectedRow(run: ExpectedRun) {
  return {
    id: run.id,
    scope: run.scope,
    status: run.status,
    stale: false,
    trigger: run.trigger,
    runtime: run.runtime,
    codePreview: run.codePreview,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
    durationMs: run.durationMs,
    updatedAt: run.updatedAt,
    toolCallCount: run.toolCallCount,
    interactionCount: run.interactionCount,
    hadElicitation: run.hadElicitation,
    pendingInteraction: run.pendingInteraction
      ? {
          id: run.pendingInteraction.id,
          kind: run.pendingInteraction.kind,
          purpose: run.pendingInteraction.purpose,
        }
      : null,
    traceId: run.traceId,
  };
}

export function expectedDetail(run: ExpectedRun) {
  return {
    ...expectedRow(run),
    code: run.code,
    result: run.result,
    error: run.error,
    errorType: run.errorType,
    logs: run.logs,
    interactions: run.interactions,
    pendingInteraction: run.pendingInteraction,
    spanId: run.spanId,
    serviceName: run.serviceName,
  };
}

// ---------------------------------------------------------------------------------------------
// Meta

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const BUCKET_LADDER_MS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

export function bucketMs(from: number, to: number): number {
  return BUCKET_LADDER_MS.find((step) => (to - from) / step <= 60) ?? 24 * HOUR;
}

const zeroCounts = () =>
  Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<string, number>;

export interface ExpectedMeta {
  totalRowCount: number;
  filterRowCount: number;
  statusCounts: { status: string; count: number }[];
  /** As a map: trigger kind ("unknown" for none) → count, zero entries left out. */
  triggerCounts: Record<string, number>;
  interactionCounts: { withElicitation: number; withoutElicitation: number };
  toolFacets: { toolPath: string; count: number; runs: number; calls: number }[];
  /** Null when the timeline has no defined range (no bounds and no matching run). */
  chart: {
    chartBucketMs: number;
    chartData: { bucketStart: number; counts: Record<string, number> }[];
  } | null;
}

export function expectedMeta(model: Model, f: ListFilter): ExpectedMeta {
  const all = [...model.runs.values()];
  const inScopes = all.filter((r) => f.scopes.includes(r.scope));
  const matching = all.filter((r) => matches(r, f));
  const statusCounts = EXECUTION_STATUSES.map((status) => ({
    status,
    count: all.filter((r) => matches(r, f, "status") && r.status === status).length,
  }));
  const triggerCounts: Record<string, number> = {};
  for (const r of all.filter((r) => matches(r, f, "trigger"))) {
    const kind = r.trigger.kind ?? TRIGGER_UNKNOWN;
    triggerCounts[kind] = (triggerCounts[kind] ?? 0) + 1;
  }
  const forElicitation = all.filter((r) => matches(r, f, "elicitation"));
  const facets = new Map<string, { calls: number; runs: number }>();
  for (const r of all.filter((r) => matches(r, f, "tool"))) {
    const perRun = new Map<string, number>();
    for (const c of r.toolCalls) perRun.set(c.toolPath, (perRun.get(c.toolPath) ?? 0) + 1);
    for (const [path, calls] of perRun) {
      const facet = facets.get(path) ?? { calls: 0, runs: 0 };
      facet.calls += calls;
      facet.runs += 1;
      facets.set(path, facet);
    }
  }
  const toolFacets = [...facets]
    .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 20)
    .map(([toolPath, { calls, runs }]) => ({ toolPath, count: calls, runs, calls }));
  let chart: ExpectedMeta["chart"] = null;
  const times = matching.map((r) => r.createdAt);
  const from = f.from ?? (times.length > 0 ? Math.min(...times) : undefined);
  const to = f.to ?? (times.length > 0 ? Math.max(...times) : undefined);
  if (from !== undefined && to !== undefined) {
    const step = bucketMs(from, to);
    const buckets = new Map<number, Record<string, number>>();
    for (let t = Math.floor(from / step) * step; t <= to; t += step) buckets.set(t, zeroCounts());
    for (const r of matching) {
      const counts = buckets.get(Math.floor(r.createdAt / step) * step);
      if (counts) counts[r.status]! += 1;
    }
    chart = {
      chartBucketMs: step,
      chartData: [...buckets].map(([bucketStart, counts]) => ({ bucketStart, counts })),
    };
  }
  return {
    totalRowCount: inScopes.length,
    filterRowCount: matching.length,
    statusCounts,
    triggerCounts,
    interactionCounts: {
      withElicitation: forElicitation.filter((r) => r.hadElicitation).length,
      withoutElicitation: forElicitation.filter((r) => !r.hadElicitation).length,
    },
    toolFacets,
    chart,
  };
}

/** The nearest-rank quantile (the ⌈q·n⌉-th smallest) of a list, null when it is empty. */
export function nearestRank(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

export interface ExpectedNumbers {
  runs: number;
  finished: number;
  failed: number;
  /** Finished runs with a duration, and their exact p50 and p95 (ms). */
  durations: { runs: number; p50: number | null; p95: number | null };
  /** Finished and failed runs by start time, for the answer's own bucket width. */
  series: (bucketMs: number) => Map<number, { finished: number; failed: number }>;
  /** The 20 paths with the most calls (ties by path), with the exact p95 of their calls (ms). */
  tools: { toolPath: string; calls: number; failures: number; p95: number | null }[];
  toolPathCount: number;
}

/** What `/v1/executions/numbers` must say of a filter. */
export function expectedNumbers(model: Model, f: ListFilter): ExpectedNumbers {
  const matching = [...model.runs.values()].filter((r) => matches(r, f));
  const finished = matching.filter((r) => r.final);
  const durations = finished.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs]));
  const tools = new Map<string, { calls: number; failures: number; durations: number[] }>();
  for (const r of matching) {
    for (const c of r.toolCalls) {
      const tool = tools.get(c.toolPath) ?? { calls: 0, failures: 0, durations: [] };
      tool.calls++;
      if (c.status === "failed") tool.failures++;
      tool.durations.push(c.durationMs ?? 0);
      tools.set(c.toolPath, tool);
    }
  }
  return {
    runs: matching.length,
    finished: finished.length,
    failed: finished.filter((r) => r.status === "failed").length,
    durations: {
      runs: durations.length,
      p50: nearestRank(durations, 0.5),
      p95: nearestRank(durations, 0.95),
    },
    series: (step) => {
      const points = new Map<number, { finished: number; failed: number }>();
      for (const r of finished) {
        const start = Math.floor(r.createdAt / step) * step;
        const point = points.get(start) ?? { finished: 0, failed: 0 };
        point.finished++;
        if (r.status === "failed") point.failed++;
        points.set(start, point);
      }
      return points;
    },
    tools: [...tools]
      .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, 20)
      .map(([toolPath, t]) => ({
        toolPath,
        calls: t.calls,
        failures: t.failures,
        p95: nearestRank(t.durations, 0.95),
      })),
    toolPathCount: tools.size,
  };
}

/** What `/v1/executions/errors` must say of a filter: its failed runs by type and masked message. */
export function expectedErrorGroups(
  model: Model,
  f: ListFilter,
): Map<string, { count: number; firstSeen: number; lastSeen: number }> {
  const groups = new Map<string, { count: number; firstSeen: number; lastSeen: number }>();
  for (const r of model.runs.values()) {
    if (r.status !== "failed" || !matches(r, f)) continue;
    const key = `${r.errorType ?? ""}\u0000${maskErrorMessage(r.error ?? "")}`;
    const g = groups.get(key) ?? { count: 0, firstSeen: r.createdAt, lastSeen: r.createdAt };
    g.count++;
    g.firstSeen = Math.min(g.firstSeen, r.createdAt);
    g.lastSeen = Math.max(g.lastSeen, r.createdAt);
    groups.set(key, g);
  }
  return groups;
}

/** The query string of a filter (without sort, limit or cursor). */
export function filterQuery(f: ListFilter): string {
  const q = new URLSearchParams();
  q.set("scope", f.scopes.join(","));
  if (f.statuses) q.set("status", f.statuses.join(","));
  if (f.triggers) q.set("trigger", f.triggers.join(","));
  if (f.tools) q.set("tool", f.tools.join(","));
  if (f.from !== undefined) q.set("from", String(f.from));
  if (f.to !== undefined) q.set("to", String(f.to));
  if (f.code !== undefined) q.set("code", f.code);
  if (f.elicitation !== undefined) q.set("elicitation", String(f.elicitation));
  return q.toString();
}

// ---------------------------------------------------------------------------------------------
// Traces

export interface TreeNode {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  children: TreeNode[];
}

/** Distinct non-state spans of a trace as a tree: roots and children in start order. */
export function expectedTree(
  model: Model,
  traceId: string,
): { spanCount: number; roots: TreeNode[] } {
  const spans = [...(model.traces.get(traceId) ?? [])].sort((a, b) =>
    a.startNs !== b.startNs ? (a.startNs < b.startNs ? -1 : 1) : a.spanId < b.spanId ? -1 : 1,
  );
  const nodes = new Map<string, TreeNode>();
  for (const s of spans) {
    nodes.set(s.spanId, {
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: s.name,
      children: [],
    });
  }
  const roots: TreeNode[] = [];
  for (const s of spans) {
    const node = nodes.get(s.spanId)!;
    const parent = s.parentSpanId ? nodes.get(s.parentSpanId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return { spanCount: spans.length, roots };
}

export interface JaegerSpanShape {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  serviceName: string;
}

/** What Jaeger's `/api/traces/<id>` must list: each distinct non-state span once, by span id. */
export function expectedJaeger(model: Model, traceId: string): JaegerSpanShape[] {
  return [...(model.traces.get(traceId) ?? [])]
    .map((s) => ({
      spanID: s.spanId,
      operationName: s.name,
      references: [
        ...(s.parentSpanId ? [{ refType: "CHILD_OF", spanID: s.parentSpanId }] : []),
        ...s.links.map((l) => ({ refType: "FOLLOWS_FROM", spanID: l.spanId })),
      ],
      serviceName: s.serviceName,
    }))
    .sort((a, b) => (a.spanID < b.spanID ? -1 : 1));
}

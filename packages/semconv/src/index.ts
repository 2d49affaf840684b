/**
 * @module
 * runtrace's span model as typed constants: span names, attribute keys, status values and
 * metric names. Every writer and reader of runtrace data uses these, never string literals.
 * No dependencies, so any runtime can import it.
 */

/** Span names. */
export const SPAN_EXECUTION = "executor.execution";
export const SPAN_EXECUTION_RESUME = "executor.execution.resume";
export const SPAN_EXECUTION_STATE = "executor.execution.state";
export const SPAN_INTERACTION = "executor.interaction";
/** Name of a tool-call span: `execute_tool {path}` (GenAI execute-tool convention). */
export const SPAN_TOOL_PREFIX = "execute_tool ";
/** Name of the sandbox's own work: `executor.code.exec.<runtime>`. */
export const SPAN_CODE_EXEC_PREFIX = "executor.code.exec.";
/** The seed's tool-span names: `executor.tool.<path>` (accepted as they are). */
export const SEED_SPAN_TOOL_PREFIX = "executor.tool.";
/** The seed's runtime-span names: `executor.runtime.<name>` (accepted as they are). */
export const SEED_SPAN_RUNTIME_PREFIX = "executor.runtime.";

export function toolSpanName(path: string): string {
  return `${SPAN_TOOL_PREFIX}${path}`;
}
export function codeExecSpanName(runtime: string): string {
  return `${SPAN_CODE_EXEC_PREFIX}${runtime}`;
}

/** Execution attributes (on the execution, resume and state spans). */
export const ATTR_EXECUTION_ID = "executor.execution.id";
export const ATTR_SCOPE_ID = "executor.scope.id";
export const ATTR_EXECUTION_STATUS = "executor.execution.status";
/** Epoch ms when the execution was accepted (created). Immutable: the run's time key. */
export const ATTR_EXECUTION_CREATED_AT = "executor.execution.created_at";
/** Epoch ms when the execution began running. Immutable once set. */
export const ATTR_EXECUTION_STARTED_AT = "executor.execution.started_at";
/** Epoch ms when the execution reached its final status. */
export const ATTR_EXECUTION_COMPLETED_AT = "executor.execution.completed_at";
/**
 * The range an epoch-millisecond attribute (`created_at`, `started_at`, `completed_at`,
 * `executor.interaction.created_at`) must fall in, 1973 to 2286: a value outside it (seconds
 * instead of milliseconds, most likely) is ignored as if absent, and the span's own time used.
 */
export const MIN_EPOCH_MS = 100_000_000_000;
export const MAX_EPOCH_MS = 10_000_000_000_000;
export const ATTR_TRIGGER_KIND = "executor.trigger.kind";
/** JSON object. */
export const ATTR_TRIGGER_META = "executor.trigger.meta";
export const ATTR_RUNTIME = "executor.runtime";
export const ATTR_EXECUTION_CODE = "executor.execution.code";
/** JSON value. */
export const ATTR_EXECUTION_RESULT = "executor.execution.result";
export const ATTR_EXECUTION_ERROR = "executor.execution.error";
/**
 * JSON array of `{ time, severity, message }` log lines recorded by the earlier segments of a
 * resumed execution. Logs themselves are `log` span events; a resume span carries its
 * predecessors' lines here so the final span alone holds the whole run.
 */
export const ATTR_EXECUTION_PRIOR_LOGS = "executor.execution.prior_logs";
export const ATTR_EXECUTION_TOOL_CALL_COUNT = "executor.execution.tool_call_count";
export const ATTR_EXECUTION_INTERACTION_COUNT = "executor.execution.interaction_count";
/**
 * The distinct tool paths the execution has called so far (string array, first call first),
 * with `ATTR_EXECUTION_TOOL_PATH_CALLS` the number of calls of each (int array, same order).
 * On every snapshot: the runtime's own record, carried across a pause and resume like
 * `ATTR_EXECUTION_TOOL_CALL_COUNT`. runtrace does not count from it: a run's tool paths and
 * calls are derived from its stored tool spans, whatever order they arrive in. At most
 * `MAX_RECORDED_TOOL_PATHS` paths; calls of further paths still count in
 * `ATTR_EXECUTION_TOOL_CALL_COUNT`.
 */
export const ATTR_EXECUTION_TOOL_PATHS = "executor.execution.tool_paths";
export const ATTR_EXECUTION_TOOL_PATH_CALLS = "executor.execution.tool_path_calls";
export const MAX_RECORDED_TOOL_PATHS = 128;
/**
 * The tool calls in flight when the snapshot was taken: their `gen_ai.tool.call.id`s (string
 * array), with `ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS` (string array) and
 * `ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT` (epoch ms, int array) in the same order. A tool
 * span is exported only when the call ends; a call still running after
 * `RUNNING_TOOL_CALL_REPORT_MS` makes the runtime emit a state span listing it, so history
 * shows what a run is doing now. A call listed here whose tool span is stored has ended.
 */
export const ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS = "executor.execution.active_tool_call_ids";
export const ATTR_EXECUTION_ACTIVE_TOOL_CALL_PATHS = "executor.execution.active_tool_call_paths";
export const ATTR_EXECUTION_ACTIVE_TOOL_CALL_STARTED_AT =
  "executor.execution.active_tool_call_started_at";
/** A tool call running this long (ms) is reported in a state span before it ends. */
export const RUNNING_TOOL_CALL_REPORT_MS = 1000;
/** At most this many calls in flight are listed on a snapshot (the oldest first). */
export const MAX_ACTIVE_TOOL_CALLS = 32;
/**
 * Monotonic sequence number of a snapshot of the execution (state spans and the final span).
 * A higher sequence supersedes a lower one; the final span always wins.
 */
export const ATTR_EXECUTION_SEQ = "executor.execution.seq";
/** Number of segments (1 + resumes) the execution ran in. */
export const ATTR_EXECUTION_SEGMENT = "executor.execution.segment";
/** The seed's resume action (`accept`, `decline`, `cancel`). */
export const ATTR_RESUME_ACTION = "executor.resume.action";

/** Tool-call attributes. */
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const GEN_AI_OPERATION_EXECUTE_TOOL = "execute_tool";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_TOOL_PATH = "executor.tool.path";
export const ATTR_TOOL_NAMESPACE = "executor.tool.namespace";
/** Opt-in, JSON. */
export const ATTR_TOOL_ARGS = "executor.tool.args";
/** Opt-in, JSON. */
export const ATTR_TOOL_RESULT = "executor.tool.result";
/** `completed` or `failed`. */
export const ATTR_TOOL_STATUS = "executor.tool.status";
/** The seed's tool error message attribute. */
export const ATTR_TOOL_ERROR = "executor.tool.error";
/** The seed's result size (length of the result JSON). */
export const ATTR_TOOL_RESULT_SIZE = "executor.tool.result_size";

/** Interaction attributes (on interaction spans; `pending_*` copies on state spans). */
export const ATTR_INTERACTION_ID = "executor.interaction.id";
/** `form` or `url`. */
export const ATTR_INTERACTION_KIND = "executor.interaction.kind";
export const ATTR_INTERACTION_PURPOSE = "executor.interaction.purpose";
/** `pending`, `resolved` or `cancelled`. */
export const ATTR_INTERACTION_STATUS = "executor.interaction.status";
/** JSON. */
export const ATTR_INTERACTION_PAYLOAD = "executor.interaction.payload";
/** JSON. */
export const ATTR_INTERACTION_RESPONSE = "executor.interaction.response";
/** Epoch ms when the interaction was raised. */
export const ATTR_INTERACTION_CREATED_AT = "executor.interaction.created_at";

/** Suffix of the flag set beside a value that was cut at `maxValueBytes`. */
export const TRUNCATED_SUFFIX = ".truncated";
export function truncatedFlag(key: string): string {
  return `${key}${TRUNCATED_SUFFIX}`;
}

/** Logs and errors. */
export const EVENT_LOG = "log";
export const ATTR_LOG_SEVERITY = "log.severity";
export const ATTR_LOG_MESSAGE = "log.message";
export const EVENT_EXCEPTION = "exception";
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_EXCEPTION_TYPE = "exception.type";
export const ATTR_EXCEPTION_MESSAGE = "exception.message";
export const ATTR_EXCEPTION_STACKTRACE = "exception.stacktrace";
export const ATTR_SERVICE_NAME = "service.name";

/** Execution statuses, in the seed's order. */
export const EXECUTION_STATUSES = [
  "pending",
  "running",
  "waiting_for_interaction",
  "completed",
  "failed",
  "cancelled",
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_STATUSES = ["completed", "failed", "cancelled"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export function isExecutionStatus(value: unknown): value is ExecutionStatus {
  return typeof value === "string" && (EXECUTION_STATUSES as readonly string[]).includes(value);
}
/**
 * Words people type for a status, and the status each means: the run-history API's `status`
 * parameter and the /runs filter bar read the same words.
 */
export const EXECUTION_STATUS_ALIASES: Readonly<Record<string, ExecutionStatus>> = {
  waiting: "waiting_for_interaction",
  queued: "pending",
  canceled: "cancelled",
  ok: "completed",
  error: "failed",
};

/** Every word a status filter takes, for the message that refuses another. */
export const EXECUTION_STATUS_WORDS = `${EXECUTION_STATUSES.join(", ")} (or ${Object.keys(EXECUTION_STATUS_ALIASES).join(", ")})`;

/** The status a typed word names (any case, a status or an alias), else undefined. */
export function executionStatusOf(word: string): ExecutionStatus | undefined {
  const w = word.trim().toLowerCase();
  if (isExecutionStatus(w)) return w;
  // Own keys only: `constructor` and the like are no status.
  return Object.hasOwn(EXECUTION_STATUS_ALIASES, w) ? EXECUTION_STATUS_ALIASES[w] : undefined;
}

export function isTerminalStatus(value: unknown): value is TerminalStatus {
  return typeof value === "string" && (TERMINAL_STATUSES as readonly string[]).includes(value);
}

export const TOOL_CALL_STATUSES = ["running", "completed", "failed"] as const;
export type ToolCallStatus = (typeof TOOL_CALL_STATUSES)[number];

export const INTERACTION_STATUSES = ["pending", "resolved", "cancelled"] as const;
export type InteractionStatus = (typeof INTERACTION_STATUSES)[number];
export const INTERACTION_KINDS = ["form", "url"] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];
/** The seed (vStack) used the request tags as kinds; they map to `form` / `url`. */
export const SEED_INTERACTION_KIND_ALIASES: Readonly<Record<string, InteractionKind>> = {
  FormElicitation: "form",
  UrlElicitation: "url",
};

/** Trigger kinds seen in the seed; the field is free-form. */
export const TRIGGER_KINDS = ["cli", "http", "mcp"] as const;
/** The seed's placeholder for "no trigger": stored as no trigger. */
export const TRIGGER_UNKNOWN = "unknown";
/** The seed's HTTP header carrying the trigger kind. */
export const HEADER_TRIGGER = "x-executor-trigger";

/** Metric names (the seed's), with their units. */
export const METRIC_EXECUTION_OUTCOMES = "executor.execution.outcomes";
export const METRIC_EXECUTION_DURATION = "executor.execution.duration_ms";
export const METRIC_TOOL_CALLS = "executor.tool_calls";
export const METRIC_TOOL_CALL_DURATION = "executor.tool_call.duration_ms";
export const UNIT_MILLISECONDS = "ms";
export const UNIT_EXECUTIONS = "{execution}";
export const UNIT_TOOL_CALLS = "{call}";
/** Metric attribute keys: the span attribute keys, so a metric and a span speak the same names. */
export const METRIC_ATTR_STATUS = ATTR_EXECUTION_STATUS;
export const METRIC_ATTR_TRIGGER_KIND = ATTR_TRIGGER_KIND;
export const METRIC_ATTR_SCOPE_ID = ATTR_SCOPE_ID;
export const METRIC_ATTR_TOOL_PATH = ATTR_TOOL_PATH;
export const METRIC_ATTR_TOOL_NAMESPACE = ATTR_TOOL_NAMESPACE;
export const METRIC_ATTR_TOOL_STATUS = ATTR_TOOL_STATUS;
/** The seed's execution-duration histogram boundaries: exponential(start 10, factor 2, count 15). */
export const EXECUTION_DURATION_BOUNDARIES_MS: readonly number[] = Array.from(
  { length: 15 },
  (_, i) => 10 * 2 ** i,
);
/** The seed's tool-call duration boundaries: exponential(start 1, factor 2, count 12). */
export const TOOL_CALL_DURATION_BOUNDARIES_MS: readonly number[] = Array.from(
  { length: 12 },
  (_, i) => 2 ** i,
);

/**
 * The namespace of a tool path: its first dotted segment, or the whole path when it has no dot
 * (the seed's v192 rule).
 */
export function toolNamespace(path: string): string {
  const dot = path.indexOf(".");
  return dot === -1 ? path : path.slice(0, dot);
}

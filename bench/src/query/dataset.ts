import {
  type ClickHouse,
  durationBucketSql,
  EXECUTION_COLUMNS,
  UNFINISHED_SNAPSHOT,
} from "@runtrace/clickhouse";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEGMENT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  EVENT_EXCEPTION,
  EVENT_LOG,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  SPAN_EXECUTION,
  SPAN_TOOL_PREFIX,
} from "@runtrace/semconv";

/**
 * A synthetic run history written by the engine itself: every row is a deterministic function
 * of its run number `n` (cityHash64 of `n` and a salt, never rand()), computed server-side by
 * `INSERT … SELECT … FROM numbers(…)`, so ten million runs never pass through JavaScript and
 * the same `n` gives the same run in every table (its tool calls, interactions and spans).
 *
 * The rows are the ones the writer of schema version 4 would derive from the run's spans: a run
 * row's tool calls, paths and interactions are exactly its `tool_calls` and `interactions`
 * rows, its reported counts equal them, `row_id` is non-zero and `version` is packed as
 * `runVersion` packs it (run-version.ts). A share of the runs (`writePathShare`, the newest
 * ones) is left out here: `write-path.ts` reads their values with the same SQL and sends them
 * as OTLP spans through a real collector.
 */

/** Bumped whenever the generated data changes shape: a reused directory must match it. */
export const GENERATOR_VERSION = 7;

export const SCOPES = [
  { id: "ws_alpha", share: 0.6 },
  { id: "ws_beta", share: 0.3 },
  { id: "ws_gamma", share: 0.1 },
] as const;

/** Needle tokens `needle_10` … `needle_99`, in 0.1% of the codes (each needle in 1/90 of those). */
export const NEEDLE_MIN = 10;
export const NEEDLE_COUNT = 90;
/** A word in about a third of the codes (`tools.slack.chat.postMessage(…)`). */
export const COMMON_CODE_WORD = "postMessage";

const TOOL_PATHS = [
  "github.issues.create",
  "github.issues.list",
  "github.pulls.create",
  "github.pulls.merge",
  "github.repos.get",
  "slack.chat.postMessage",
  "slack.conversations.list",
  "slack.users.lookupByEmail",
  "google.sheets.values.append",
  "google.calendar.events.insert",
  "google.drive.files.list",
  "google.gmail.messages.send",
  "jira.issues.create",
  "jira.issues.transition",
  "jira.search.jql",
  "linear.issues.create",
  "linear.issues.update",
  "linear.projects.list",
  "stripe.customers.retrieve",
  "stripe.invoices.list",
  "stripe.refunds.create",
  "notion.pages.create",
  "notion.databases.query",
  "notion.blocks.children.append",
  "notion.search",
] as const;

/** What a run's code says it does (its first line, so the list's code preview varies). */
const TASKS = [
  "Sync open GitHub issues to the Linear backlog",
  "Post the daily standup summary to Slack",
  "Refund duplicate Stripe charges from yesterday",
  "Copy new Jira tickets into the planning sheet",
  "Invite the on-call engineer to the incident review",
  "Archive merged pull requests in Notion",
  "Email unpaid invoices to their customers",
  "Label stale issues and ping their owners",
  "Create onboarding pages for new hires",
  "Reconcile Stripe customers with the CRM sheet",
  "Open a release pull request and announce it",
  "Move finished Linear issues to the changelog",
] as const;

const SERVICE_NAME = "agent-executor";
/** Queued before starting: up to this many ms. */
const MAX_QUEUE_MS = 400;
/**
 * Tool calls of a finished run: `hash % 21` (0–20, 10 on average); runs sent through the write
 * path make `hash % WRITE_PATH_CALLS_MOD` (0–8, 4 on average), so that the share's spans stay
 * within its time budget (see `write-path.ts`).
 */
const CALLS_MOD = 21;
export const WRITE_PATH_CALLS_MOD = 9;
/** `runVersion`'s layout (run-version.ts): final bit, 42 bits of root order, 21 of children. */
const VERSION_CHILD_BITS = 21;
const VERSION_ROOT_MAX = 2 ** 42 - 1;
const VERSION_CHILD_MAX = 2 ** 21 - 1;
/** Write-path shares are rounded to millionths (P / Q of the runs). */
const SHARE_DENOMINATOR = 1_000_000;
/** Durations are log-spread from 3 ms to 3 × 10^5 ms (5 minutes). */
const MIN_DURATION_MS = 3;
const DURATION_SPREAD = 100_000;
const MAX_DURATION_MS = MIN_DURATION_MS * DURATION_SPREAD;

export interface DatasetPlan {
  /** Runs in all: finished ones in `executions`, 1% unfinished only in `execution_states`. */
  executions: number;
  /** "Now" for the data: every run is created before it; the bench's time windows end here. */
  anchorMs: number;
  /** The newest finished runs among this many get spans in `otel_traces`. */
  traced: number;
  /** Runs per INSERT statement. */
  chunk: number;
  /**
   * Share of the runs that go through the real write path (collector, OTLP requests) instead
   * of INSERT … SELECT; 0: none.
   */
  writePathShare: number;
}

/** The share as a fraction P / SHARE_DENOMINATOR. */
function shareNumerator(plan: DatasetPlan): number {
  return Math.round(plan.writePathShare * SHARE_DENOMINATOR);
}

/** How many runs go through the write path: exactly the run numbers `isWritePathSql` picks. */
export function writePathRunCount(plan: DatasetPlan): number {
  return Number(
    (BigInt(plan.executions) * BigInt(shareNumerator(plan))) / BigInt(SHARE_DENOMINATOR),
  );
}

/**
 * Whether run `n` goes through the write path: the newest ⌊N·P/Q⌋ runs (run numbers grow with
 * creation time), over every scope (which are hashed). Late, split and repeated deliveries
 * happen to recent runs — a retry seconds or minutes later, a collector catching up — so the
 * share sits where they do: in the last day and a half of 30 days at 5%, which the 24-hour
 * routes read in full.
 */
function isWritePathSql(plan: DatasetPlan): string {
  const count = writePathRunCount(plan);
  if (count === 0) return "0";
  return `n >= ${plan.executions - count}`;
}

/** `runVersion(final, rootVersion, children)` in SQL (UInt64). */
function versionSql(final: string, rootVersion: string, children: string): string {
  return `bitOr(bitOr(bitShiftLeft(toUInt64(${final}), 63),
      bitShiftLeft(toUInt64(least(greatest(${rootVersion}, 0), ${VERSION_ROOT_MAX})), ${VERSION_CHILD_BITS})),
      toUInt64(least(${children}, ${VERSION_CHILD_MAX})))`;
}

/**
 * Write-path runs per second assumed when sizing the retention margin: well under what was
 * measured on 2 busy cores (~130 runs/s, ~900 spans/s), so the share's last span is stored
 * before the oldest of its runs leaves retention.
 */
const WRITE_PATH_SLOWEST_RUNS_PER_SECOND = 50;

/**
 * How long after the anchor the oldest runs stay inside retention: an hour, plus, with a
 * write-path share, the time it may take to send it. The collector rejects spans past
 * retention, and TTL drops a day's parts once all of their rows are past it.
 */
export function retentionMarginMs(plan: DatasetPlan): number {
  const writePathMs =
    Math.ceil(writePathRunCount(plan) / WRITE_PATH_SLOWEST_RUNS_PER_SECOND) * 1000;
  return 3_600_000 + writePathMs;
}

/** The data's time window: 30 days before the anchor, minus margins so TTL keeps every row and
 * every run (up to 5 minutes long) has finished by the anchor. */
export function windowOf(plan: DatasetPlan): { startMs: number; endMs: number } {
  const startMs = plan.anchorMs - 30 * 86_400_000 + retentionMarginMs(plan);
  const endMs = plan.anchorMs - MAX_DURATION_MS - 60_000;
  return { startMs, endMs };
}

// --- SQL helpers -------------------------------------------------------------------------------

/** A ClickHouse string literal. */
function lit(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** A deterministic 64-bit pseudo-random number of the run (and more arguments) and a salt. */
function h(salt: string, ...args: string[]): string {
  return `cityHash64(${["n", ...args, lit(salt)].join(", ")})`;
}

/** 16 lower-case hex digits of a UInt64 (all 8 bytes, leading zeros kept). */
function hex16(expr: string): string {
  return `lower(hex(reinterpretAsFixedString(${expr})))`;
}

/** A UUID-like string from two hashes. */
function uuid(salt: string, ...args: string[]): string {
  return `toString(reinterpretAsUUID(concat(reinterpretAsFixedString(${h(`${salt}1`, ...args)}), reinterpretAsFixedString(${h(`${salt}2`, ...args)}))))`;
}

function array(values: readonly string[]): string {
  return `[${values.map(lit).join(", ")}]`;
}

/** `array[1 + hash % length]`. */
function pick(values: readonly string[], hash: string): string {
  return `${array(values)}[1 + ${hash} % ${values.length}]`;
}

/** Concatenation of literal text and expressions: strings are literals, `{ sql }` raw. */
function cat(...parts: (string | { sql: string })[]): string {
  return `concat(${parts.map((p) => (typeof p === "string" ? lit(p) : p.sql)).join(", ")})`;
}
const sql = (text: string) => ({ sql: text });
const str = (expr: string) => ({ sql: `toString(${expr})` });

// --- the run of number n -----------------------------------------------------------------------

/**
 * One row per run number in [from, from + count): every per-run value the tables derive from.
 * Status mix: completed 85%, failed 12%, cancelled 2%, unfinished 1% (pending 0.3%, running
 * 0.5%, waiting_for_interaction 0.2%). Triggers cli/http/mcp/none 40/35/20/5.
 */
function runsSql(plan: DatasetPlan, from: number, count: number): string {
  const { startMs, endMs } = windowOf(plan);
  const span = endMs - startMs;
  const slot = Math.max(1, Math.floor(span / plan.executions));
  const toolPath = (i: string) => pick(TOOL_PATHS, h("tool", i));
  return `SELECT
    number AS n,
    ${isWritePathSql(plan)} AS wp,
    ${h("scope")} % 10 AS r_scope,
    multiIf(r_scope < 6, 'ws_alpha', r_scope < 9, 'ws_beta', 'ws_gamma') AS scope,
    ${uuid("id")} AS id,
    toInt64(${startMs} + intDiv(n * ${span}, ${plan.executions}) + ${h("jitter")} % ${slot}) AS created_ms,
    ${h("status")} % 10000 AS r_status,
    multiIf(r_status < 30, 'pending', r_status < 80, 'running', r_status < 100, 'waiting_for_interaction',
      r_status < 300, 'cancelled', r_status < 1500, 'failed', 'completed') AS status,
    r_status >= 100 AS final,
    if(status = 'pending', created_ms, created_ms + toInt64(${h("queue")} % ${MAX_QUEUE_MS})) AS run_start_ms,
    toInt64(${MIN_DURATION_MS} * pow(${DURATION_SPREAD}, pow((${h("duration")} % 1000000) / 1000000, 1.5))) AS run_duration_ms,
    multiIf(final, run_start_ms + run_duration_ms,
      ${h("stale")} % 2 = 0, run_start_ms + toInt64(${h("updated")} % 60000),
      greatest(run_start_ms, toInt64(${endMs} - ${h("updated")} % 1800000))) AS updated_ms,
    greatest(1, updated_ms - run_start_ms) AS active_ms,
    toUInt32(multiIf(status = 'pending', 0, final, ${h("calls")} % if(wp, ${WRITE_PATH_CALLS_MOD}, ${CALLS_MOD}), ${h("calls")} % 8)) AS call_count,
    arrayMap(i -> ${toolPath("i")}, range(call_count)) AS call_paths,
    arrayDistinct(call_paths) AS tool_paths,
    arrayMap(p -> toUInt32(countEqual(call_paths, p)), tool_paths) AS tool_path_calls,
    arrayMap(i -> (${toolPath("i")}, ${callFailedSql("i")}, ${durationBucketSql(callDurationUsSql("i"))}), range(call_count)) AS call_facts,
    arrayMap(t -> (t.1, t.2, t.3, toUInt32(countEqual(call_facts, t))), arraySort(arrayDistinct(call_facts))) AS tool_call_stats,
    ${h("trigger")} % 100 AS r_trigger,
    multiIf(r_trigger < 40, 'cli', r_trigger < 75, 'http', r_trigger < 95, 'mcp', '') AS trigger,
    multiIf(trigger = 'cli', '{"command":"executor run","cwd":"/home/dev/automation"}',
      trigger = 'http', '{"method":"POST","path":"/v1/executions","userAgent":"executor-sdk/1.8.2"}',
      trigger = 'mcp', '{"client":"claude-desktop","tool":"execute"}', '') AS trigger_meta,
    if(${h("runtime")} % 100 < 85, 'quickjs', 'deno') AS runtime,
    final AND ${h("elicit")} % 100 < 5 AS elicited,
    toUInt32(if(elicited, 1 + (${h("elicit2")} % 5 = 0), 0)) AS interaction_count,
    elicited OR status = 'waiting_for_interaction' AS has_elicitation,
    status = 'waiting_for_interaction' AS waiting,
    if(waiting, ${cat("int_", sql(hex16(h("pending"))))}, '') AS pending_id,
    if(waiting, ${pick(["form", "form", "url"], h("pending"))}, '') AS pending_kind,
    if(waiting, 'Approve the refund before it is sent', '') AS pending_purpose,
    if(waiting, ${cat('{"message":"Refund order ', str("n % 100000"), '?","fields":["approve","note"]}')}, '') AS pending_payload,
    ${hex16(h("trace1"))} || ${hex16(h("trace2"))} AS trace_id,
    ${hex16(h("root"))} AS span_id,
    toUInt32(floor(25 * pow((${h("length")} % 1000) / 1000, 2))) AS steps,
    ${h("needle")} % 1000 = 0 AS has_needle,
    ${NEEDLE_MIN} + ${h("needle2")} % ${NEEDLE_COUNT} AS needle,
    ${h("logs")} % 4 AS log_count,
    ${pick(["ToolError", "TimeoutError", "TypeError", "RateLimitError"], h("error"))} AS failure_type,
    multiIf(status = 'failed', ${cat(
      sql("failure_type"),
      ": step ",
      str(`${h("error")} % greatest(1, steps)`),
      " failed: tools.",
      sql(toolPath(`toUInt32(${h("error")} % greatest(1, steps))`)),
      " answered ",
      sql(
        pick(
          ["404 Not Found", "502 Bad Gateway", "429 Too Many Requests", "no answer in 30000 ms"],
          h("error2"),
        ),
      ),
    )}, status = 'cancelled', 'cancelled by user', '') AS error_text
  FROM numbers(${from}, ${count})`;
}

/** The JavaScript a run executed: `steps` tool-call snippets between a header and a footer. */
function codeSql(): string {
  const snippet = cat(
    "  const r",
    str("i"),
    " = await tools.",
    sql(pick(TOOL_PATHS, h("tool", "i"))),
    '({ ref: "',
    str("n % 9973"),
    "-",
    str("i"),
    '", note: "step ',
    str("i"),
    " of ",
    str("steps"),
    '", attempts: ',
    str("1 + i % 3"),
    " });\n  if (!r",
    str("i"),
    '.ok) throw new Error("step ',
    str("i"),
    ' failed with " + r',
    str("i"),
    ".status);\n",
    sql(
      `if(i % 3 = 0, ${cat('  console.log("progress", ', str("i"), ", r", str("i"), ".items?.length ?? 0);\n")}, '')`,
    ),
  );
  return cat(
    "// ",
    sql(pick(TASKS, h("task"))),
    "\nexport default async function main(tools, input) {\n  const started = Date.now();\n",
    sql(`arrayStringConcat(arrayMap(i -> ${snippet}, range(steps)))`),
    sql(`if(has_needle, ${cat('  const marker = "needle_', str("needle"), '";\n')}, '')`),
    "  return { ok: true, steps: ",
    str("steps"),
    ", elapsed: Date.now() - started };\n}\n",
  );
}

function resultSql(): string {
  return `if(status = 'completed', ${cat(
    '{"ok":true,"steps":',
    str("steps"),
    ',"items":',
    str(`${h("items")} % 50`),
    ',"ref":"',
    sql("substring(id, 1, 8)"),
    '"}',
  )}, '')`;
}

/** `[{time, severity, message}, …]` or '' without log lines (as the mapper stores them). */
function logsSql(): string {
  const line = cat(
    '{"time":',
    str("run_start_ms + j * 7"),
    ',"severity":"',
    sql("if(j = 2, 'warn', 'info')"),
    '","message":"step ',
    str("j"),
    ' done"}',
  );
  return `if(log_count = 0, '', concat('[', arrayStringConcat(arrayMap(j -> ${line}, range(log_count)), ','), ']'))`;
}

const ms = (expr: string) => `fromUnixTimestamp64Milli(toInt64(${expr}))`;
const us = (expr: string) => `fromUnixTimestamp64Micro(toInt64(${expr}))`;
const ns = (expr: string) => `fromUnixTimestamp64Nano(toInt64(${expr}))`;

type ExecutionColumn = (typeof EXECUTION_COLUMNS)[number];

/**
 * A run's row, column by column (a column the writer's list gains and this one lacks fails the
 * type check). Tool calls and interactions are the run's own `tool_calls` / `interactions`
 * rows (those rows are generated from the same `call_count` and `interaction_count`), and the
 * root span reported the same numbers; the version is packed as `runVersion` does it, with the
 * run's last update (ms) as the root's order.
 */
function executionValues(): Record<ExecutionColumn, string> {
  return {
    scope_id: "scope",
    execution_id: "id",
    row_id: "bitOr(cityHash64(id), 1)",
    created_at: ms("created_ms"),
    started_at: `if(status = 'pending', NULL, ${ms("run_start_ms")})`,
    completed_at: `if(final, ${ms("run_start_ms + run_duration_ms")}, NULL)`,
    duration_ms: "if(final, run_duration_ms, NULL)",
    updated_at: ms("updated_ms"),
    status: "status",
    trigger_kind: "trigger",
    trigger_meta: "trigger_meta",
    runtime: "runtime",
    code: codeSql(),
    code_truncated: "false",
    result: resultSql(),
    result_truncated: "false",
    error: "error_text",
    error_type: "if(status = 'failed', failure_type, '')",
    logs: logsSql(),
    tool_call_count: "call_count",
    reported_tool_call_count: "call_count",
    tool_paths: "tool_paths",
    tool_path_calls: "tool_path_calls",
    tool_call_stats: "tool_call_stats",
    interaction_count: "interaction_count",
    reported_interaction_count: "interaction_count",
    has_elicitation: "has_elicitation",
    pending_interaction_id: "pending_id",
    pending_interaction_kind: "pending_kind",
    pending_interaction_purpose: "pending_purpose",
    pending_interaction_payload: "pending_payload",
    pending_interaction_created_at: `if(waiting, ${ms("updated_ms")}, NULL)`,
    active_tool_calls: "''",
    trace_id: "trace_id",
    span_id: "span_id",
    service_name: `'${SERVICE_NAME}'`,
    segment: "toUInt16(1 + elicited)",
    version: versionSql("final", "updated_ms", "call_count + interaction_count"),
  };
}

/** Final runs into `executions`, unfinished ones into `execution_states` (write-path runs left out). */
function executionsInsert(plan: DatasetPlan, from: number, count: number, final: boolean): string {
  const values = executionValues();
  return `INSERT INTO ${final ? "executions" : "execution_states"} (${EXECUTION_COLUMNS.join(", ")})
  SELECT ${EXECUTION_COLUMNS.map((c) => values[c]).join(",\n    ")}
  FROM (${runsSql(plan, from, count)})
  WHERE final = ${final ? 1 : 0} AND NOT wp
  SETTINGS max_insert_threads = 2, optimize_on_insert = 0`;
}

/** Whether a run's call i failed (5 %). */
const callFailedSql = (i: string) => `${h("tool-fail", i)} % 100 < 5`;

/** Call i's duration in µs: 40–90 % of its share of the run's active time (at least 20 µs). */
const callDurationUsSql = (i: string) =>
  `greatest(20, intDiv(intDiv(active_ms * 1000, greatest(1, call_count)) * (40 + ${h("tool-duration", i)} % 50), 100))`;

/** One row per tool call of the runs in range, timed inside the run's active window. */
function toolCallsSql(plan: DatasetPlan, from: number, count: number, where = "1"): string {
  return `SELECT *, i,
    ${hex16(h("tool-span", "i"))} AS call_span_id,
    ${uuid("call", "i")} AS call_id,
    ${pick(TOOL_PATHS, h("tool", "i"))} AS path,
    splitByChar('.', path)[1] AS namespace,
    ${callFailedSql("i")} AS call_failed,
    intDiv(active_ms * 1000, greatest(1, call_count)) AS call_slot_us,
    run_start_ms * 1000 + i * call_slot_us + ${h("tool-offset", "i")} % greatest(1, intDiv(call_slot_us, 4)) AS call_start_us,
    ${callDurationUsSql("i")} AS call_duration_us,
    ${cat('{"ref":"', str("n % 9973"), "-", str("i"), '","owner":"acme","repo":"service-', str("n % 97"), '","note":"step ', str("i"), '","attempts":', str("1 + i % 3"), "}")} AS call_args,
    if(call_failed, '', ${cat('{"ok":true,"status":200,"id":"', sql(`substring(${hex16(h("tool-result", "i"))}, 1, 12)`), '","items":', str(`${h("tool-items", "i")} % 40`), ',"nextPage":null,"etag":"W/', sql(`substring(${hex16(h("etag", "i"))}, 1, 8)`), '"}')}) AS call_result,
    if(call_failed, ${pick(["upstream answered 502 Bad Gateway", "upstream answered 429 Too Many Requests", "invalid argument: ref"], h("tool-error", "i"))}, '') AS call_error
  FROM (${runsSql(plan, from, count)})
  ARRAY JOIN range(call_count) AS i
  WHERE ${where}`;
}

function toolCallsInsert(plan: DatasetPlan, from: number, count: number): string {
  return `INSERT INTO tool_calls (scope_id, execution_id, span_id, trace_id, parent_span_id, tool_call_id,
    tool_path, namespace, status, error, error_type, args, args_truncated, result, result_truncated,
    started_at, completed_at, duration_us, service_name)
  SELECT scope, id, call_span_id, trace_id, span_id, call_id, path, namespace,
    if(call_failed, 'failed', 'completed'), call_error, if(call_failed, 'ToolError', ''),
    call_args, false, call_result, false, ${us("call_start_us")},
    ${us("call_start_us + call_duration_us")}, call_duration_us, '${SERVICE_NAME}'
  FROM (${toolCallsSql(plan, from, count, "NOT wp")})
  SETTINGS max_insert_threads = 2, optimize_on_insert = 0`;
}

/** One row per interaction of the finished runs that had elicitations (1 or 2 each). */
function interactionsSql(plan: DatasetPlan, from: number, count: number, where: string): string {
  const step = "intDiv(run_duration_ms, interaction_count + 2)";
  return `SELECT *, j,
    ${uuid("interaction", "j")} AS interaction_id,
    ${hex16(h("interaction-span", "j"))} AS interaction_span_id,
    ${pick(["form", "form", "url"], h("interaction-kind", "j"))} AS interaction_kind,
    ${pick(["Approve the refund before it is sent", "Confirm the calendar invite", "Sign in to Google Drive"], h("interaction-purpose", "j"))} AS interaction_purpose,
    if(${h("interaction-status", "j")} % 10 = 0, 'cancelled', 'resolved') AS interaction_status,
    ${cat('{"message":"Please confirm step ', str("j"), '","fields":["approve","note"]}')} AS interaction_payload,
    '{"action":"accept","content":{"approve":true,"note":"ok"}}' AS interaction_response,
    run_start_ms + ${step} * (j + 1) AS interaction_created_ms,
    interaction_created_ms + intDiv(${step}, 2) AS interaction_resolved_ms
  FROM (${runsSql(plan, from, count)})
  ARRAY JOIN range(interaction_count) AS j
  WHERE elicited AND ${where}`;
}

function interactionsInsert(plan: DatasetPlan, from: number, count: number): string {
  return `INSERT INTO interactions (scope_id, execution_id, interaction_id, span_id, trace_id, kind,
    purpose, status, payload, payload_truncated, response, response_truncated, created_at,
    resolved_at, service_name)
  SELECT scope, id, interaction_id, interaction_span_id, trace_id, interaction_kind,
    interaction_purpose, interaction_status, interaction_payload, false, interaction_response, false,
    ${ms("interaction_created_ms")}, ${ms("interaction_resolved_ms")}, '${SERVICE_NAME}'
  FROM (${interactionsSql(plan, from, count, "NOT wp")})
  SETTINGS max_insert_threads = 2, optimize_on_insert = 0`;
}

const RESOURCE = `map('service.name', '${SERVICE_NAME}', 'service.version', '1.8.2',
    'telemetry.sdk.language', 'nodejs', 'telemetry.sdk.name', 'opentelemetry',
    'telemetry.sdk.version', '2.12.0', 'host.name', concat('executor-', toString(n % 4)),
    'process.pid', toString(4100 + n % 4))`;
const RESOURCE_TYPES = "map('process.pid', 'int')";

const OTEL_COLUMNS = `Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind,
    ServiceName, ResourceAttributes, ResourceAttributeTypes, ScopeName, ScopeVersion,
    SpanAttributes, SpanAttributeTypes, Duration, StatusCode, StatusMessage, Events.Timestamp,
    Events.Name, Events.Attributes, EventAttributeTypes`;

/** The newest finished runs' root spans (`executor.execution`), as the SDK exports them. */
function rootSpansInsert(plan: DatasetPlan, from: number, count: number): string {
  const a = (key: string, value: string) => `${lit(key)}, ${value}`;
  const attributes = `mapFilter((k, v) -> v != '', map(
      ${a(ATTR_EXECUTION_ID, "id")}, ${a(ATTR_SCOPE_ID, "scope")},
      ${a(ATTR_EXECUTION_STATUS, "status")}, ${a(ATTR_EXECUTION_CREATED_AT, "toString(created_ms)")},
      ${a(ATTR_EXECUTION_STARTED_AT, "toString(run_start_ms)")},
      ${a(ATTR_EXECUTION_COMPLETED_AT, "toString(run_start_ms + run_duration_ms)")},
      ${a(ATTR_TRIGGER_KIND, "trigger")}, ${a(ATTR_TRIGGER_META, "trigger_meta")},
      ${a(ATTR_RUNTIME, "runtime")}, ${a(ATTR_EXECUTION_CODE, codeSql())},
      ${a(ATTR_EXECUTION_RESULT, resultSql())}, ${a(ATTR_EXECUTION_ERROR, "error_text")},
      ${a(ATTR_ERROR_TYPE, "if(status = 'failed', failure_type, '')")},
      ${a(ATTR_EXECUTION_TOOL_CALL_COUNT, "toString(call_count)")},
      ${a(ATTR_EXECUTION_INTERACTION_COUNT, "toString(interaction_count)")},
      ${a(ATTR_EXECUTION_SEQ, "toString(3 + call_count)")},
      ${a(ATTR_EXECUTION_SEGMENT, "toString(1 + elicited)")}))`;
  const intKeys = [
    ATTR_EXECUTION_CREATED_AT,
    ATTR_EXECUTION_STARTED_AT,
    ATTR_EXECUTION_COMPLETED_AT,
    ATTR_EXECUTION_TOOL_CALL_COUNT,
    ATTR_EXECUTION_INTERACTION_COUNT,
    ATTR_EXECUTION_SEQ,
    ATTR_EXECUTION_SEGMENT,
  ];
  const types = `map(${intKeys.map((k) => `${lit(k)}, 'int'`).join(", ")})`;
  const logTimes = "arrayMap(j -> toInt64(run_start_ms + j * 7) * 1000000, range(log_count))";
  const logAttributes = `arrayMap(j -> map(${lit(ATTR_LOG_SEVERITY)}, if(j = 2, 'warn', 'info'), ${lit(ATTR_LOG_MESSAGE)}, concat('step ', toString(j), ' done')), range(log_count))`;
  const failed = "status = 'failed'";
  const end = "(run_start_ms + run_duration_ms) * 1000000";
  return `INSERT INTO otel_traces (${OTEL_COLUMNS})
  SELECT ${ns("run_start_ms * 1000000")}, trace_id, span_id, '', '', '${SPAN_EXECUTION}',
    'SPAN_KIND_INTERNAL', '${SERVICE_NAME}', ${RESOURCE}, ${RESOURCE_TYPES}, '@runtrace/sdk', '0.1.0',
    ${attributes}, ${types}, toUInt64(run_duration_ms * 1000000),
    multiIf(${failed}, 'STATUS_CODE_ERROR', status = 'completed', 'STATUS_CODE_OK', 'STATUS_CODE_UNSET'),
    if(${failed}, error_text, ''),
    arrayMap(t -> ${ns("t")}, arrayConcat(${logTimes}, if(${failed}, [toInt64(${end})], []))),
    arrayConcat(arrayMap(j -> '${EVENT_LOG}', range(log_count)), if(${failed}, ['${EVENT_EXCEPTION}'], [])),
    arrayConcat(${logAttributes}, if(${failed}, [map(${lit(ATTR_EXCEPTION_TYPE)}, failure_type, ${lit(ATTR_EXCEPTION_MESSAGE)}, error_text)], [])),
    arrayMap(x -> CAST(map(), 'Map(String, String)'), range(log_count + (${failed})))
  FROM (${runsSql(plan, from, count)})
  WHERE final AND NOT wp
  SETTINGS max_insert_threads = 2, optimize_on_insert = 0`;
}

/** The same runs' tool spans (`execute_tool {path}`), matching their `tool_calls` rows. */
function toolSpansInsert(plan: DatasetPlan, from: number, count: number): string {
  const a = (key: string, value: string) => `${lit(key)}, ${value}`;
  const attributes = `mapFilter((k, v) -> v != '', map(
      ${a(ATTR_GEN_AI_OPERATION_NAME, lit(GEN_AI_OPERATION_EXECUTE_TOOL))},
      ${a(ATTR_GEN_AI_TOOL_NAME, "path")}, ${a(ATTR_GEN_AI_TOOL_CALL_ID, "call_id")},
      ${a(ATTR_TOOL_PATH, "path")}, ${a(ATTR_TOOL_NAMESPACE, "namespace")},
      ${a(ATTR_EXECUTION_ID, "id")}, ${a(ATTR_SCOPE_ID, "scope")},
      ${a(ATTR_TOOL_STATUS, "if(call_failed, 'failed', 'completed')")},
      ${a(ATTR_TOOL_ARGS, "call_args")}, ${a(ATTR_TOOL_RESULT, "call_result")},
      ${a(ATTR_TOOL_ERROR, "call_error")}, ${a(ATTR_ERROR_TYPE, "if(call_failed, 'ToolError', '')")}))`;
  return `INSERT INTO otel_traces (${OTEL_COLUMNS})
  SELECT ${ns("call_start_us * 1000")}, trace_id, call_span_id, span_id, '',
    concat('${SPAN_TOOL_PREFIX}', path), 'SPAN_KIND_INTERNAL', '${SERVICE_NAME}', ${RESOURCE},
    ${RESOURCE_TYPES}, '@runtrace/sdk', '0.1.0', ${attributes}, CAST(map(), 'Map(String, String)'),
    toUInt64(call_duration_us * 1000), if(call_failed, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET'),
    call_error, [], [], [], []
  FROM (${toolCallsSql(plan, from, count, "final AND NOT wp")})
  SETTINGS max_insert_threads = 2, optimize_on_insert = 0`;
}

// --- the write-path runs' values -------------------------------------------------------------

/** A write-path run's values, as `writePathRunsSelect` returns them (JSON of `ch.select`). */
export interface WritePathRun {
  n: number;
  scope: string;
  id: string;
  created_ms: number;
  run_start_ms: number;
  run_duration_ms: number;
  updated_ms: number;
  status: string;
  final: number | boolean;
  trigger: string;
  trigger_meta: string;
  runtime: string;
  code: string;
  result: string;
  error_text: string;
  error_type: string;
  log_count: number;
  call_count: number;
  interaction_count: number;
  trace_id: string;
  span_id: string;
  pending_id: string;
  pending_kind: string;
  pending_purpose: string;
  pending_payload: string;
  host: number;
}

export interface WritePathCall {
  n: number;
  i: number;
  span_id: string;
  call_id: string;
  path: string;
  namespace: string;
  failed: number | boolean;
  start_us: number;
  duration_us: number;
  args: string;
  result: string;
  error: string;
}

export interface WritePathInteraction {
  n: number;
  j: number;
  interaction_id: string;
  span_id: string;
  kind: string;
  purpose: string;
  status: string;
  payload: string;
  response: string;
  created_ms: number;
  resolved_ms: number;
}

/**
 * The write-path runs among run numbers [from, from + count), with every value their spans
 * carry: the same expressions as the INSERT … SELECT of the other runs, so they have the same
 * mix (status, scope, trigger, code, needles, durations) and their stored rows can be checked
 * against the same rules.
 */
export function writePathRunsSelect(plan: DatasetPlan, from: number, count: number): string {
  return `SELECT n, scope, id, created_ms, run_start_ms, run_duration_ms, updated_ms, status, final,
    trigger, trigger_meta, runtime, ${codeSql()} AS code, ${resultSql()} AS result, error_text,
    if(status = 'failed', failure_type, '') AS error_type, log_count, call_count, interaction_count,
    trace_id, span_id, pending_id, pending_kind, pending_purpose, pending_payload, n % 4 AS host
  FROM (${runsSql(plan, from, count)})
  WHERE wp ORDER BY n`;
}

export function writePathCallsSelect(plan: DatasetPlan, from: number, count: number): string {
  return `SELECT n, i, call_span_id AS span_id, call_id, path, namespace, call_failed AS failed,
    call_start_us AS start_us, call_duration_us AS duration_us, call_args AS args,
    call_result AS result, call_error AS error
  FROM (${toolCallsSql(plan, from, count, "wp")})
  ORDER BY n, i`;
}

export function writePathInteractionsSelect(
  plan: DatasetPlan,
  from: number,
  count: number,
): string {
  return `SELECT n, j, interaction_id, interaction_span_id AS span_id, interaction_kind AS kind,
    interaction_purpose AS purpose, interaction_status AS status, interaction_payload AS payload,
    interaction_response AS response, interaction_created_ms AS created_ms,
    interaction_resolved_ms AS resolved_ms
  FROM (${interactionsSql(plan, from, count, "wp")})
  ORDER BY n, j`;
}

/** The service and resource of the generated spans (`host.name` and `process.pid` by `n % 4`). */
export const SPAN_SERVICE = { name: SERVICE_NAME, version: "1.8.2", sdkVersion: "2.12.0" };

// --- generation ------------------------------------------------------------------------------

/** Tables the benchmark fills (lookup tables through their materialized views). */
export const DATA_TABLES = [
  "executions",
  "execution_states",
  "tool_calls",
  "interactions",
  "otel_traces",
  "otel_traces_trace_id_ts",
  "execution_ids",
  "run_counts",
  "tool_counts",
  "superseded_executions",
  "superseded_repeats",
] as const;

const DATASET_TABLE = "bench_query_dataset";

export type TableCounts = Record<(typeof DATA_TABLES)[number], number>;

export interface StoredDataset {
  generator: number;
  executions: number;
  anchorMs: number;
  traced: number;
  seconds: number;
  counts: TableCounts;
  /** The `--write-path-share` it was made with (0: every run by INSERT … SELECT). */
  writePathShare: number;
  /** Runs sent through the write path. */
  writePathRuns: number;
  /**
   * False while the write-path share is still being sent (or when that was interrupted): the
   * directory is not a complete dataset.
   */
  complete: boolean;
  /** What the write path printed about itself when it ran (JSON lines), if it ran. */
  writePathReport: string[];
}

export async function tableCounts(ch: ClickHouse): Promise<TableCounts> {
  const [row] = await ch.select<Record<string, number>>(
    `SELECT ${DATA_TABLES.map((t) => `(SELECT count() FROM ${t}) AS ${t}`).join(", ")}`,
  );
  if (!row) throw new Error("count query returned no row");
  return Object.fromEntries(DATA_TABLES.map((t) => [t, Number(row[t])])) as TableCounts;
}

/**
 * What this benchmark stored in the directory before, if anything: its latest record (a
 * dataset with a write-path share has one when the INSERT … SELECT part is done, and another,
 * complete, once the share is stored). Records of older generator versions lack the newer
 * columns.
 */
export async function storedDataset(ch: ClickHouse): Promise<StoredDataset | undefined> {
  const tables = await ch.select<{ n: number }>(
    `SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = '${DATASET_TABLE}'`,
  );
  if (Number(tables[0]?.n ?? 0) === 0) return undefined;
  const rows = await ch.select<{
    generator: number;
    executions: number;
    anchor_ms: number;
    traced: number;
    seconds: number;
    counts: string;
    write_path_share?: number;
    write_path_runs?: number;
    complete?: number;
    write_path_report?: string;
  }>(`SELECT * FROM ${DATASET_TABLE}`);
  const row = rows.reduce<(typeof rows)[number] | undefined>(
    (best, r) =>
      best === undefined || Number(r.complete ?? 1) > Number(best.complete ?? 1) ? r : best,
    undefined,
  );
  if (!row) return undefined;
  return {
    generator: Number(row.generator),
    executions: Number(row.executions),
    anchorMs: Number(row.anchor_ms),
    traced: Number(row.traced),
    seconds: Number(row.seconds),
    counts: JSON.parse(row.counts) as TableCounts,
    writePathShare: Number(row.write_path_share ?? 0),
    writePathRuns: Number(row.write_path_runs ?? 0),
    complete: Number(row.complete ?? 1) === 1,
    writePathReport: row.write_path_report ? (JSON.parse(row.write_path_report) as string[]) : [],
  };
}

/**
 * Records the dataset (plan, generation time, row counts) so a later run on the same directory
 * can reuse it; `complete` false marks a write-path share not stored yet.
 */
export async function recordDataset(
  ch: ClickHouse,
  plan: DatasetPlan,
  record: { seconds: number; counts: TableCounts; complete: boolean; writePathReport?: string[] },
): Promise<void> {
  await ch.command(`CREATE TABLE IF NOT EXISTS ${DATASET_TABLE} (
    generator UInt32, executions UInt64, anchor_ms Int64, traced UInt64, seconds Float64,
    counts String, write_path_share Float64, write_path_runs UInt64, complete UInt8,
    write_path_report String, generated_at DateTime DEFAULT now()
  ) ENGINE = MergeTree ORDER BY tuple()`);
  await ch.command(
    `INSERT INTO ${DATASET_TABLE} (generator, executions, anchor_ms, traced, seconds, counts,
       write_path_share, write_path_runs, complete, write_path_report)
     VALUES (${GENERATOR_VERSION}, ${plan.executions}, ${plan.anchorMs}, ${plan.traced}, ${record.seconds},
       ${lit(JSON.stringify(record.counts))}, ${plan.writePathShare}, ${writePathRunCount(plan)},
       ${record.complete ? 1 : 0}, ${lit(JSON.stringify(record.writePathReport ?? []))})`,
  );
}

/** Empties every table the benchmark fills (only ever on a directory it filled itself). */
export async function clearDataset(ch: ClickHouse): Promise<void> {
  for (const table of DATA_TABLES) await ch.command(`TRUNCATE TABLE ${table}`);
  await ch.command(`DROP TABLE IF EXISTS ${DATASET_TABLE}`);
}

export interface GenerationStep {
  table: string;
  rows: number;
  seconds: number;
}

/**
 * Fills the tables for `plan` (all but its write-path runs), chunk by chunk; `progress` gets one
 * line per statement. The caller records the dataset (`recordDataset`).
 */
export async function generateDataset(
  ch: ClickHouse,
  plan: DatasetPlan,
  progress: (line: string) => void,
): Promise<{ seconds: number; steps: GenerationStep[]; counts: TableCounts }> {
  const started = performance.now();
  const steps = new Map<string, GenerationStep>();
  let before = await tableCounts(ch);
  // Two write clients (the span lane and the run lane) each run one half of every statement:
  // one INSERT … SELECT keeps about one core busy, two keep both busy.
  const lanes = [
    (statement: string) => ch.writer.command({ query: statement }).then(() => undefined),
    (statement: string) => ch.runs.command(statement),
  ];
  const run = async (
    label: string,
    table: keyof TableCounts,
    from: number,
    count: number,
    statement: (from: number, count: number) => string,
  ) => {
    const t = performance.now();
    const half = Math.ceil(count / 2);
    await Promise.all([
      lanes[0]!(statement(from, half)),
      count > half ? lanes[1]!(statement(from + half, count - half)) : undefined,
    ]);
    const seconds = (performance.now() - t) / 1000;
    const after = await tableCounts(ch);
    const rows = after[table] - before[table];
    before = after;
    const step = steps.get(table) ?? { table, rows: 0, seconds: 0 };
    step.rows += rows;
    step.seconds += seconds;
    steps.set(table, step);
    progress(
      `  ${label}: ${rows.toLocaleString("en-US")} rows in ${seconds.toFixed(1)} s ` +
        `(${Math.round(rows / Math.max(seconds, 0.001)).toLocaleString("en-US")} rows/s)`,
    );
  };
  const fmt = (n: number) => n.toLocaleString("en-US");
  for (let from = 0; from < plan.executions; from += plan.chunk) {
    const count = Math.min(plan.chunk, plan.executions - from);
    const range = `runs ${fmt(from)}–${fmt(from + count - 1)}`;
    await run(`${range} → executions`, "executions", from, count, (f, c) =>
      executionsInsert(plan, f, c, true),
    );
    await run(`${range} → execution_states`, "execution_states", from, count, (f, c) =>
      executionsInsert(plan, f, c, false),
    );
    await run(`${range} → tool_calls`, "tool_calls", from, count, (f, c) =>
      toolCallsInsert(plan, f, c),
    );
    await run(`${range} → interactions`, "interactions", from, count, (f, c) =>
      interactionsInsert(plan, f, c),
    );
  }
  const traced = Math.min(plan.traced, plan.executions);
  const tracedFrom = plan.executions - traced;
  await run(
    `newest ${fmt(traced)} runs → otel_traces (root spans)`,
    "otel_traces",
    tracedFrom,
    traced,
    (f, c) => rootSpansInsert(plan, f, c),
  );
  await run(
    `newest ${fmt(traced)} runs → otel_traces (tool spans)`,
    "otel_traces",
    tracedFrom,
    traced,
    (f, c) => toolSpansInsert(plan, f, c),
  );
  const seconds = (performance.now() - started) / 1000;
  const counts = await tableCounts(ch);
  return { seconds, steps: [...steps.values()], counts };
}

/** Waits until no merge has run for `quietSeconds` (or `maxSeconds` passed); returns the wait. */
export async function settleMerges(
  ch: ClickHouse,
  quietSeconds = 3,
  maxSeconds = 900,
): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  while (quiet < quietSeconds && (performance.now() - started) / 1000 < maxSeconds) {
    const [row] = await ch.select<{ n: number }>(
      "SELECT count() AS n FROM system.merges WHERE database = currentDatabase()",
    );
    quiet = Number(row?.n ?? 0) === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return (performance.now() - started) / 1000;
}

export interface DiskUsage {
  table: string;
  rows: number;
  parts: number;
  bytesOnDisk: number;
  uncompressedBytes: number;
}

export async function diskUsage(ch: ClickHouse): Promise<DiskUsage[]> {
  const rows = await ch.select<{
    table: string;
    rows: number;
    parts: number;
    bytes: number;
    uncompressed: number;
  }>(
    `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes,
       sum(data_uncompressed_bytes) AS uncompressed
     FROM system.parts WHERE active AND database = currentDatabase()
       AND table IN (${DATA_TABLES.map(lit).join(", ")})
     GROUP BY table ORDER BY bytes DESC`,
  );
  return rows.map((r) => ({
    table: r.table,
    rows: Number(r.rows),
    parts: Number(r.parts),
    bytesOnDisk: Number(r.bytes),
    uncompressedBytes: Number(r.uncompressed),
  }));
}

/** Rows of `executions` that count: not replaced by a newer version of their run. */
const CURRENT = "row_id NOT IN (SELECT row_id FROM superseded_executions)";

/** The shape of the stored data, for the reader to check the mix is realistic. */
export async function describeDataset(ch: ClickHouse, anchorMs: number): Promise<string[]> {
  const lines: string[] = [];
  const share = (rows: { k: string; n: number }[]) => {
    const total = rows.reduce((s, r) => s + Number(r.n), 0);
    return rows
      .map((r) => `${r.k === "" ? "(none)" : r.k} ${((100 * Number(r.n)) / total).toFixed(1)}%`)
      .join(", ");
  };
  // Every run once: the current version of finished runs, the latest snapshot of the others.
  const union = `(SELECT scope_id, status, trigger_kind FROM executions WHERE ${CURRENT}
    UNION ALL SELECT scope_id, status, trigger_kind FROM execution_states FINAL WHERE ${UNFINISHED_SNAPSHOT})`;
  const group = (column: string) =>
    ch.select<{ k: string; n: number }>(
      `SELECT ${column} AS k, count() AS n FROM ${union} GROUP BY k ORDER BY n DESC`,
    );
  lines.push(`status: ${share(await group("status"))}`);
  lines.push(`trigger: ${share(await group("trigger_kind"))}`);
  lines.push(`scope: ${share(await group("scope_id"))}`);
  const [e] = await ch.select<Record<string, number>>(
    `SELECT min(length(code)) AS code_min, avg(length(code)) AS code_avg, max(length(code)) AS code_max,
       quantile(0.5)(duration_ms) AS d50, quantile(0.99)(duration_ms) AS d99,
       min(duration_ms) AS dmin, max(duration_ms) AS dmax, avg(tool_call_count) AS calls,
       countIf(has_elicitation) / count() AS elicited,
       countIf(lower(code) LIKE '%needle%') AS needles,
       toUnixTimestamp64Milli(min(created_at)) AS first, toUnixTimestamp64Milli(max(created_at)) AS last
     FROM executions WHERE ${CURRENT}`,
  );
  const [s] = await ch.select<{ stale: number; live: number }>(
    `SELECT countIf(updated_at < fromUnixTimestamp64Milli(${anchorMs - 3_600_000})) AS stale,
       countIf(updated_at >= fromUnixTimestamp64Milli(${anchorMs - 3_600_000})) AS live
     FROM execution_states FINAL WHERE ${UNFINISHED_SNAPSHOT}`,
  );
  const [t] = await ch.select<{ failed: number; paths: number }>(
    "SELECT countIf(status = 'failed') / count() AS failed, uniqExact(tool_path) AS paths FROM tool_calls",
  );
  if (e) {
    const days = (Number(e.last) - Number(e.first)) / 86_400_000;
    lines.push(
      `finished runs: code ${e.code_min}–${e.code_max} B (avg ${Math.round(Number(e.code_avg))}), ` +
        `duration ${e.dmin}–${e.dmax} ms (p50 ${Math.round(Number(e.d50))}, p99 ${Math.round(Number(e.d99))}), ` +
        `${Number(e.calls).toFixed(1)} tool calls on average, ${(100 * Number(e.elicited)).toFixed(1)}% with an ` +
        `elicitation, ${e.needles} codes with a needle_NN token; created over ${days.toFixed(1)} days`,
    );
  }
  if (s && t) {
    lines.push(
      `unfinished runs: ${s.live} updated in the last hour, ${s.stale} stale; tool calls: ` +
        `${t.paths} paths, ${(100 * Number(t.failed)).toFixed(1)}% failed`,
    );
  }
  return lines;
}

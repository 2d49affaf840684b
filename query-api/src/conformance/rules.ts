import {
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_META,
  EXECUTION_STATUSES,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  INTERACTION_KINDS,
  INTERACTION_STATUSES,
  MAX_EPOCH_MS,
  MIN_EPOCH_MS,
  SEED_INTERACTION_KIND_ALIASES,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
  SPAN_INTERACTION,
  truncatedFlag,
} from "@runtrace/semconv";
import type { QueryParams } from "../executions/query-params.ts";

/**
 * The conformance rules: what a runtime's spans must say for runtrace to read them as
 * `docs/semantic-conventions.md` specifies. Each is a condition on one stored span (a row of
 * `otel_traces`), so the check reads each span once, whatever order the spans arrived in: a
 * rule never compares arrival times.
 */
export interface Rule {
  id: string;
  description: string;
  /** A ClickHouse condition on one `otel_traces` row; every value goes in through `p`. */
  condition(p: QueryParams): string;
}

/** The JSON-encoded attributes (strings holding JSON). */
const JSON_ATTRIBUTES = [
  ATTR_TRIGGER_META,
  ATTR_EXECUTION_RESULT,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_RESULT,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_RESPONSE,
];

/** The epoch-millisecond attributes. */
const TIME_ATTRIBUTES = [
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_INTERACTION_CREATED_AT,
];

const has = (p: QueryParams, key: string) => `mapContains(SpanAttributes, ${p.add("String", key)})`;
const attr = (p: QueryParams, key: string) => `SpanAttributes[${p.add("String", key)}]`;
const lacks = (p: QueryParams, key: string) => `${attr(p, key)} = ''`;
const oneOf = (p: QueryParams, key: string, values: readonly string[]) =>
  `${attr(p, key)} IN ${p.add("Array(String)", values)}`;

const isExecution = (p: QueryParams) =>
  `SpanName IN ${p.add("Array(String)", [SPAN_EXECUTION, SPAN_EXECUTION_RESUME])}`;
const isTool = (p: QueryParams) =>
  `(${has(p, ATTR_TOOL_PATH)} OR ${attr(p, ATTR_GEN_AI_OPERATION_NAME)} = ${p.add("String", GEN_AI_OPERATION_EXECUTE_TOOL)})`;
const isInteraction = (p: QueryParams) => `SpanName = ${p.add("String", SPAN_INTERACTION)}`;

export const SPAN_RULES: readonly Rule[] = [
  {
    id: "execution-without-id",
    description: `An ${SPAN_EXECUTION} or ${SPAN_EXECUTION_RESUME} span without ${ATTR_EXECUTION_ID}: it is no run, and the run list never shows it.`,
    condition: (p) => `${isExecution(p)} AND ${lacks(p, ATTR_EXECUTION_ID)}`,
  },
  {
    id: "execution-without-scope",
    description: `An execution span without ${ATTR_SCOPE_ID}: its run is stored in scope "default", which a scoped API token reads only if it names "default".`,
    condition: (p) =>
      `${isExecution(p)} AND NOT ${lacks(p, ATTR_EXECUTION_ID)} AND ${lacks(p, ATTR_SCOPE_ID)}`,
  },
  {
    id: "execution-unknown-status",
    description: `An execution span whose ${ATTR_EXECUTION_STATUS} is not one of ${EXECUTION_STATUSES.join(", ")}: the status is read from the span's status instead (ERROR: failed, else completed).`,
    condition: (p) =>
      `${isExecution(p)} AND ${has(p, ATTR_EXECUTION_STATUS)} AND NOT ${oneOf(p, ATTR_EXECUTION_STATUS, EXECUTION_STATUSES)}`,
  },
  {
    id: "tool-without-execution-id",
    description: `A tool-call span (${ATTR_TOOL_PATH} or ${ATTR_GEN_AI_OPERATION_NAME}=${GEN_AI_OPERATION_EXECUTE_TOOL}) without ${ATTR_EXECUTION_ID}: its trace shows it, but no run lists or counts it.`,
    condition: (p) => `${isTool(p)} AND ${lacks(p, ATTR_EXECUTION_ID)}`,
  },
  {
    id: "tool-unknown-status",
    description: `A tool-call span whose ${ATTR_TOOL_STATUS} is neither completed nor failed: it counts as completed.`,
    condition: (p) =>
      `${isTool(p)} AND ${has(p, ATTR_TOOL_STATUS)} AND NOT ${oneOf(p, ATTR_TOOL_STATUS, ["completed", "failed"])}`,
  },
  {
    id: "interaction-without-execution-id",
    description: `An ${SPAN_INTERACTION} span without ${ATTR_EXECUTION_ID}: no run shows the interaction.`,
    condition: (p) => `${isInteraction(p)} AND ${lacks(p, ATTR_EXECUTION_ID)}`,
  },
  {
    id: "interaction-unknown-kind",
    description: `An ${SPAN_INTERACTION} span whose ${ATTR_INTERACTION_KIND} is missing or not one of ${INTERACTION_KINDS.join(", ")} (or the seed's ${Object.keys(SEED_INTERACTION_KIND_ALIASES).join(", ")}).`,
    condition: (p) =>
      `${isInteraction(p)} AND NOT ${oneOf(p, ATTR_INTERACTION_KIND, [...INTERACTION_KINDS, ...Object.keys(SEED_INTERACTION_KIND_ALIASES)])}`,
  },
  {
    id: "interaction-unknown-status",
    description: `An ${SPAN_INTERACTION} span whose ${ATTR_INTERACTION_STATUS} is not one of ${INTERACTION_STATUSES.join(", ")}.`,
    condition: (p) =>
      `${isInteraction(p)} AND ${has(p, ATTR_INTERACTION_STATUS)} AND NOT ${oneOf(p, ATTR_INTERACTION_STATUS, INTERACTION_STATUSES)}`,
  },
  {
    id: "json-value-not-json",
    description: `A JSON-encoded attribute (${JSON_ATTRIBUTES.join(", ")}) that does not parse as JSON and has no <key>.truncated = true: a value cut without saying so, or one not encoded as JSON.`,
    condition: (p) =>
      `(${JSON_ATTRIBUTES.map(
        (key) =>
          `(${has(p, key)} AND NOT isValidJSON(${attr(p, key)}) AND ${attr(p, truncatedFlag(key))} != 'true')`,
      ).join(" OR ")})`,
  },
  {
    id: "time-not-epoch-ms",
    description: `A time attribute (${TIME_ATTRIBUTES.join(", ")}) that is not a number of epoch milliseconds from 1973 to 2286 (a date string, or seconds): runtrace ignores it and uses the span's own time.`,
    condition: (p) => {
      const min = p.add("Int64", MIN_EPOCH_MS);
      const max = p.add("Int64", MAX_EPOCH_MS);
      return `(${TIME_ATTRIBUTES.map((key) => {
        // Read as the writer reads it: any decimal number, fractions dropped.
        const ms = `trunc(toFloat64OrNull(trimBoth(${attr(p, key)})))`;
        return `(${has(p, key)} AND NOT ifNull(${ms} >= ${min} AND ${ms} < ${max}, false))`;
      }).join(" OR ")})`;
    },
  },
];

/**
 * The rule on snapshot order, read from `execution_snapshots` (state spans are not in
 * `otel_traces`): a state span whose sequence number is higher than every final snapshot of its
 * run. The final span always wins, so the run shows its final status; but the numbering is
 * broken, and a resumed run's snapshots may rank wrongly while it runs.
 */
export const SNAPSHOT_ORDER_RULE = {
  id: "state-after-final",
  description: `An ${SPAN_EXECUTION_STATE} span whose ${ATTR_EXECUTION_SEQ} is higher than its run's final span's: sequence numbers must grow across every snapshot of a run, all segments included (when it arrived does not matter).`,
} as const;

/** Every rule's id, in the report's order. */
export const RULE_IDS: readonly string[] = [
  ...SPAN_RULES.map((rule) => rule.id),
  SNAPSHOT_ORDER_RULE.id,
];

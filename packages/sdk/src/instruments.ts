import type { Attributes, Counter, Histogram, Meter } from "@opentelemetry/api";
import {
  EXECUTION_DURATION_BOUNDARIES_MS,
  METRIC_ATTR_SCOPE_ID,
  METRIC_ATTR_STATUS,
  METRIC_ATTR_TOOL_NAMESPACE,
  METRIC_ATTR_TOOL_PATH,
  METRIC_ATTR_TOOL_STATUS,
  METRIC_ATTR_TRIGGER_KIND,
  METRIC_EXECUTION_DURATION,
  METRIC_EXECUTION_OUTCOMES,
  METRIC_TOOL_CALL_DURATION,
  METRIC_TOOL_CALLS,
  type TerminalStatus,
  TOOL_CALL_DURATION_BOUNDARIES_MS,
  type ToolCallStatus,
  UNIT_EXECUTIONS,
  UNIT_MILLISECONDS,
  UNIT_TOOL_CALLS,
} from "@runtrace/semconv";

/** The four instruments of the seed's metric set, created once per recorder. */
export interface Instruments {
  readonly outcomes: Counter;
  readonly duration: Histogram;
  readonly toolCalls: Counter;
  readonly toolCallDuration: Histogram;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    outcomes: meter.createCounter(METRIC_EXECUTION_OUTCOMES, {
      unit: UNIT_EXECUTIONS,
      description: "Executions that reached a final status",
    }),
    duration: meter.createHistogram(METRIC_EXECUTION_DURATION, {
      unit: UNIT_MILLISECONDS,
      description: "Execution duration from start to final status, across all segments",
      advice: { explicitBucketBoundaries: [...EXECUTION_DURATION_BOUNDARIES_MS] },
    }),
    toolCalls: meter.createCounter(METRIC_TOOL_CALLS, {
      unit: UNIT_TOOL_CALLS,
      description: "Tool invocations",
    }),
    toolCallDuration: meter.createHistogram(METRIC_TOOL_CALL_DURATION, {
      unit: UNIT_MILLISECONDS,
      description: "Tool call duration",
      advice: { explicitBucketBoundaries: [...TOOL_CALL_DURATION_BOUNDARIES_MS] },
    }),
  };
}

/** What the final end of an execution contributes to the metrics. */
export interface ExecutionOutcome {
  status: TerminalStatus;
  /** The trigger kind, or `"unknown"` when there is none. */
  triggerKind: string;
  scopeId: string;
  durationMs: number;
}

export function recordExecutionOutcome(instruments: Instruments, outcome: ExecutionOutcome): void {
  instruments.outcomes.add(1, {
    [METRIC_ATTR_STATUS]: outcome.status,
    [METRIC_ATTR_TRIGGER_KIND]: outcome.triggerKind,
    [METRIC_ATTR_SCOPE_ID]: outcome.scopeId,
  });
  // The scope is on the histogram too, so stats can be restricted to the scopes a reader may
  // see. It multiplies the histogram's series by the scopes reporting, a cost worth paying:
  // without it a scoped token could read no duration at all.
  instruments.duration.record(Math.max(0, outcome.durationMs), {
    [METRIC_ATTR_STATUS]: outcome.status,
    [METRIC_ATTR_TRIGGER_KIND]: outcome.triggerKind,
    [METRIC_ATTR_SCOPE_ID]: outcome.scopeId,
  });
}

/** What the end of a tool call contributes to the metrics. */
export interface ToolCallOutcome {
  path: string;
  namespace: string;
  status: ToolCallStatus;
  /** The execution's scope, so tool stats can be restricted to readable scopes. */
  scopeId: string;
  durationMs: number;
}

export function recordToolCallOutcome(instruments: Instruments, outcome: ToolCallOutcome): void {
  const attributes: Attributes = {
    [METRIC_ATTR_TOOL_PATH]: outcome.path,
    [METRIC_ATTR_TOOL_NAMESPACE]: outcome.namespace,
    [METRIC_ATTR_TOOL_STATUS]: outcome.status,
    [METRIC_ATTR_SCOPE_ID]: outcome.scopeId,
  };
  instruments.toolCalls.add(1, attributes);
  instruments.toolCallDuration.record(Math.max(0, outcome.durationMs), attributes);
}

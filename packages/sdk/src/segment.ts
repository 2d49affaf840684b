import {
  type Attributes,
  type Context,
  context,
  type Link,
  type Span,
  SpanKind,
  type SpanStatus,
  trace,
} from "@opentelemetry/api";
import {
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_SEGMENT,
  ATTR_RESUME_ACTION,
  ATTR_SCOPE_ID,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
} from "@runtrace/semconv";
import type { RecorderCore } from "./options.ts";
import type { ExecutionRecord } from "./record.ts";
import { type FinalValues, snapshotAttributes } from "./snapshot.ts";

/** The span of one segment (the part of an execution that runs in one process, between pauses). */
export interface Segment {
  readonly span: Span;
  /** Set when the segment span ends: nothing is recorded under it any more. */
  ended: boolean;
  /** The active context with the segment span set: the parent of its tool, interaction and state spans. */
  readonly context: Context;
}

/**
 * Starts the segment span: `executor.execution` for the first segment, `executor.execution.resume`
 * for later ones. Only identity attributes are set now; the full snapshot is set at the end.
 */
export function startSegment(
  core: RecorderCore,
  record: ExecutionRecord,
  startTime: number,
  parent: Context,
  links: Link[] = [],
): Segment {
  const attributes: Attributes = {
    [ATTR_EXECUTION_ID]: record.id,
    [ATTR_SCOPE_ID]: record.scopeId,
    [ATTR_EXECUTION_CREATED_AT]: record.createdAt,
    [ATTR_EXECUTION_SEGMENT]: record.segment,
  };
  if (record.resumeAction !== undefined) attributes[ATTR_RESUME_ACTION] = record.resumeAction;
  const name = record.segment === 1 ? SPAN_EXECUTION : SPAN_EXECUTION_RESUME;
  const span = core.tracer.startSpan(
    name,
    { kind: SpanKind.INTERNAL, startTime, attributes, links },
    parent,
  );
  return { span, context: trace.setSpan(parent, span), ended: false };
}

/** The segment span as parent, on top of whatever else (baggage…) is active now. */
export function segmentParent(segment: Segment): Context {
  return trace.setSpan(context.active(), segment.span);
}

/**
 * Emits a zero-length `executor.execution.state` span with the record's current snapshot, so
 * that an unfinished run is visible before its segment span ends (the "pending span" pattern).
 */
export function emitState(
  core: RecorderCore,
  record: ExecutionRecord,
  segment: Segment,
  time: number,
): void {
  record.seq += 1;
  const span = core.tracer.startSpan(
    SPAN_EXECUTION_STATE,
    {
      kind: SpanKind.INTERNAL,
      startTime: time,
      attributes: snapshotAttributes(record, core.maxValueBytes),
    },
    segmentParent(segment),
  );
  span.end(time);
}

/** Ends the segment span with the full snapshot (final end or pause). */
export function endSegment(
  core: RecorderCore,
  record: ExecutionRecord,
  segment: Segment,
  endTime: number,
  final: FinalValues = {},
  status?: SpanStatus,
): void {
  record.seq += 1;
  segment.ended = true;
  segment.span.setAttributes(snapshotAttributes(record, core.maxValueBytes, final));
  if (status !== undefined) segment.span.setStatus(status);
  segment.span.end(endTime);
}

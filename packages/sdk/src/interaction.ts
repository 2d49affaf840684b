import { type Attributes, type Context, type Span, SpanKind } from "@opentelemetry/api";
import {
  ATTR_EXECUTION_ID,
  ATTR_INTERACTION_CREATED_AT,
  ATTR_INTERACTION_ID,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PAYLOAD,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_SCOPE_ID,
  type InteractionKind,
  type InteractionStatus,
  SPAN_INTERACTION,
} from "@runtrace/semconv";
import type { RecorderCore } from "./options.ts";
import type { ExecutionRecord, PendingInteraction } from "./record.ts";
import { encodeJson, setEncoded } from "./values.ts";

/** An interaction (elicitation) the execution waits on. */
export interface InteractionOptions {
  /** `form` (structured input) or `url` (the user visits a URL). */
  kind: InteractionKind;
  /** Why the execution asks, shown to the user. */
  purpose?: string;
  /** What is asked (form schema, URL…), recorded as JSON. */
  payload?: unknown;
}

/** Starts the `executor.interaction` span, which spans the wait from `createdAt`. */
export function startInteractionSpan(
  core: RecorderCore,
  record: ExecutionRecord,
  pending: PendingInteraction,
  parent: Context,
): Span {
  const status: InteractionStatus = "pending";
  const attributes: Attributes = {
    [ATTR_INTERACTION_ID]: pending.id,
    [ATTR_INTERACTION_KIND]: pending.kind,
    [ATTR_INTERACTION_STATUS]: status,
    [ATTR_INTERACTION_CREATED_AT]: pending.createdAt,
    [ATTR_EXECUTION_ID]: record.id,
    [ATTR_SCOPE_ID]: record.scopeId,
  };
  if (pending.purpose !== undefined) attributes[ATTR_INTERACTION_PURPOSE] = pending.purpose;
  setEncoded(attributes, ATTR_INTERACTION_PAYLOAD, pending.payload);
  return core.tracer.startSpan(
    SPAN_INTERACTION,
    { kind: SpanKind.INTERNAL, startTime: pending.createdAt, attributes },
    parent,
  );
}

/** Ends the interaction span with its outcome and the response (JSON), if any. */
export function endInteractionSpan(
  core: RecorderCore,
  span: Span,
  status: Exclude<InteractionStatus, "pending">,
  response: unknown,
  endTime: number,
): void {
  const attributes: Attributes = { [ATTR_INTERACTION_STATUS]: status };
  setEncoded(attributes, ATTR_INTERACTION_RESPONSE, encodeJson(response, core.maxValueBytes));
  span.setAttributes(attributes);
  span.end(endTime);
}

import {
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type Span,
  type SpanStatus,
  SpanStatusCode,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  EVENT_LOG,
  type ExecutionStatus,
  type InteractionStatus,
  type TerminalStatus,
  TRIGGER_UNKNOWN,
  truncatedFlag,
} from "@runtrace/semconv";
import { guard, warnMisuse } from "./guard.ts";
import { recordExecutionOutcome } from "./instruments.ts";
import {
  endInteractionSpan,
  type InteractionOptions,
  startInteractionSpan,
} from "./interaction.ts";
import { Interaction, inertInteraction } from "./interaction-handle.ts";
import type { RecorderCore } from "./options.ts";
import type { ExecutionRecord, PendingInteraction } from "./record.ts";
import { emitState, endSegment, type Segment, segmentParent } from "./segment.ts";
import type { FinalValues } from "./snapshot.ts";
import { type ExecutionState, toState } from "./state.ts";
import { recordToolCall, type ToolCallOptions } from "./tool-call.ts";
import { encodeJson, errorMessage, errorType, toException, truncateUtf8 } from "./values.ts";

/** Severity of a log line; free-form, these are the usual ones. */
export type LogSeverity = "debug" | "info" | "warn" | "error" | (string & {});

/** The interaction the execution currently waits on, with its span in this process. */
interface ActiveInteraction {
  readonly pending: PendingInteraction;
  readonly span: Span;
  status: InteractionStatus;
  readonly handle: Interaction;
}

/**
 * Handle of one execution in this process (one segment). Every method records and returns; none
 * throws into the runtime. After the final end or `pause()` the handle is spent: further calls
 * only warn through `diag`, emit no span, and `toolCall` still runs the tool.
 */
export class Execution {
  readonly #core: RecorderCore;
  readonly #record: ExecutionRecord;
  readonly #segment: Segment | undefined;
  #ended: boolean;
  #interaction: ActiveInteraction | undefined;

  /**
   * Use `recorder.create`, `recorder.run` or `recorder.resume`. Without a segment the handle is
   * inert (recording could not start): it keeps the runtime working and records nothing.
   */
  constructor(core: RecorderCore, record: ExecutionRecord, segment: Segment | undefined) {
    this.#core = core;
    this.#record = record;
    this.#segment = segment;
    this.#ended = segment === undefined;
    const pending = record.pendingInteraction;
    if (segment !== undefined && pending !== undefined) {
      // Carried over a pause: its span is created here, as a child of the resume segment, and
      // starts at the original raise time so it spans the whole wait.
      const span = startInteractionSpan(core, record, pending, segmentParent(segment));
      this.#interaction = this.#track(pending, span);
    }
  }

  /** Execution id (`executor.execution.id`), the same in every segment. */
  get id(): string {
    return this.#record.id;
  }

  get status(): ExecutionStatus {
    return this.#record.status;
  }

  /** Trace id of the segment span (all zeros when nothing is recorded). */
  get traceId(): string {
    return this.#segment?.span.spanContext().traceId ?? INVALID_SPAN_CONTEXT.traceId;
  }

  /** True once the execution ended or was paused: this handle records nothing more. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Context with the segment span active: run the sandbox in it so its spans nest below. */
  get context(): Context {
    return this.#segment?.context ?? context.active();
  }

  /** The interaction the execution is waiting on (after `resume`, the one pending at the pause). */
  get pendingInteraction(): Interaction | undefined {
    const active = this.#interaction;
    return active?.status === "pending" ? active.handle : undefined;
  }

  /** `pending` → `running`, for an execution created with `{ start: false }`. */
  start(): void {
    const segment = this.#live("start()");
    if (segment === undefined) return;
    if (this.#record.status !== "pending") {
      warnMisuse(`start() on execution ${this.id}, which is ${this.#record.status}`);
      return;
    }
    guard(
      "start()",
      () => {
        const time = this.#core.now();
        this.#record.status = "running";
        this.#record.startedAt ??= time;
        emitState(this.#core, this.#record, segment, time);
      },
      undefined,
    );
  }

  /**
   * Runs one tool call, recorded as an `execute_tool {path}` span. Resolves to what `fn`
   * resolves to and rejects with what `fn` throws, after recording it as failed.
   */
  async toolCall<T>(call: ToolCallOptions, fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
    const segment = this.#live("toolCall()");
    if (segment === undefined) return await fn();
    return await recordToolCall(this.#core, this.#record, segment, call, fn);
  }

  /** Records a `log` event on the segment span; later segments carry it in their prior logs. */
  log(message: string, severity: LogSeverity = "info"): void {
    const segment = this.#live("log()");
    if (segment === undefined) return;
    guard(
      "log()",
      () => {
        const time = this.#core.now();
        const text = truncateUtf8(String(message), this.#core.maxValueBytes);
        const sev = String(severity);
        segment.span.addEvent(
          EVENT_LOG,
          {
            [ATTR_LOG_SEVERITY]: sev,
            [ATTR_LOG_MESSAGE]: text.value,
            ...(text.truncated ? { [truncatedFlag(ATTR_LOG_MESSAGE)]: true } : {}),
          },
          time,
        );
        this.#record.logs.push({ time, severity: sev, message: text.value });
      },
      undefined,
    );
  }

  /** Raises an interaction: the execution waits (`waiting_for_interaction`) until it is answered. */
  interaction(options: InteractionOptions): Interaction {
    const segment = this.#live("interaction()");
    if (segment !== undefined && this.pendingInteraction !== undefined) {
      warnMisuse(
        `execution ${this.id} already waits on an interaction; the new one is not recorded`,
      );
    } else if (segment !== undefined) {
      const raised = guard("interaction()", () => this.#raise(segment, options), undefined);
      if (raised !== undefined) return raised;
    }
    return inertInteraction(options);
  }

  /** Final end: `completed`, with `result` recorded as JSON. */
  complete(result?: unknown): void {
    this.#finish("complete()", "completed", { code: SpanStatusCode.OK }, () => ({
      result: encodeJson(result, this.#core.maxValueBytes),
    }));
  }

  /** Final end: `failed`, with the error's message, `error.type` and an exception event. */
  fail(error: unknown): void {
    this.#finish("fail()", "failed", undefined, (span, time) => {
      const message = truncateUtf8(errorMessage(error), this.#core.maxValueBytes);
      span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
      span.recordException(toException(error), time);
      span.setStatus({ code: SpanStatusCode.ERROR, message: message.value });
      return { error: message };
    });
  }

  /** Final end: `cancelled`; the reason, if given, is recorded as the error. */
  cancel(reason?: string): void {
    this.#finish("cancel()", "cancelled", undefined, () => ({
      error:
        reason === undefined ? undefined : truncateUtf8(String(reason), this.#core.maxValueBytes),
    }));
  }

  /**
   * Ends this process's segment and returns the state to `resume` from, possibly elsewhere.
   * The segment span ends with status `waiting_for_interaction` when an interaction is pending.
   */
  pause(): ExecutionState {
    const spanContext = this.#segment?.span.spanContext() ?? INVALID_SPAN_CONTEXT;
    const segment = this.#live("pause()");
    if (segment !== undefined) {
      this.#ended = true;
      // A pending interaction's span is left open on purpose: the resuming process re-creates
      // it from the state (same id and start time), so ending it here would export it twice.
      guard(
        "pause()",
        () => endSegment(this.#core, this.#record, segment, this.#core.now()),
        undefined,
      );
    }
    return toState(this.#record, spanContext);
  }

  /** The segment if this handle still records, else undefined after warning about `what`. */
  #live(what: string): Segment | undefined {
    if (!this.#ended) return this.#segment;
    if (this.#segment !== undefined) warnMisuse(`${what} on execution ${this.id}, which has ended`);
    return undefined;
  }

  #raise(segment: Segment, options: InteractionOptions): Interaction {
    const core = this.#core;
    const time = core.now();
    const pending: PendingInteraction = {
      id: globalThis.crypto.randomUUID(),
      kind: options.kind,
      createdAt: time,
    };
    if (options.purpose !== undefined) pending.purpose = String(options.purpose);
    const payload = encodeJson(options.payload, core.maxValueBytes);
    if (payload !== undefined) pending.payload = payload;
    const span = startInteractionSpan(core, this.#record, pending, segmentParent(segment));
    const active = this.#track(pending, span);
    this.#interaction = active;
    this.#record.pendingInteraction = pending;
    this.#record.interactionCount += 1;
    this.#record.status = "waiting_for_interaction";
    this.#record.startedAt ??= time;
    emitState(core, this.#record, segment, time);
    return active.handle;
  }

  #track(pending: PendingInteraction, span: Span): ActiveInteraction {
    const active: ActiveInteraction = {
      pending,
      span,
      status: "pending",
      handle: new Interaction(pending.id, pending.kind, pending.purpose, {
        status: () => active.status,
        settle: (status, response) => this.#settle(active, status, response),
      }),
    };
    return active;
  }

  #settle(
    active: ActiveInteraction,
    status: Exclude<InteractionStatus, "pending">,
    response: unknown,
  ): boolean {
    const segment = this.#live(`interaction ${active.pending.id} ${status}`);
    if (segment === undefined) return false;
    const time = this.#core.now();
    active.status = status;
    if (this.#record.pendingInteraction === active.pending) {
      this.#record.pendingInteraction = undefined;
      this.#record.status = "running";
    }
    endInteractionSpan(this.#core, active.span, status, response, time);
    emitState(this.#core, this.#record, segment, time);
    return true;
  }

  #finish(
    what: string,
    status: TerminalStatus,
    spanStatus: SpanStatus | undefined,
    values: (span: Span, time: number) => Omit<FinalValues, "completedAt">,
  ): void {
    const segment = this.#live(what);
    if (segment === undefined) return;
    this.#ended = true;
    guard(
      `ending execution as ${status}`,
      () => {
        const core = this.#core;
        const record = this.#record;
        const time = core.now();
        const active = this.#interaction;
        if (active?.status === "pending") {
          // The run ended without an answer: the wait is over, unanswered.
          active.status = "cancelled";
          record.pendingInteraction = undefined;
          endInteractionSpan(core, active.span, "cancelled", undefined, time);
        }
        record.status = status;
        const final = { ...values(segment.span, time), completedAt: time };
        endSegment(core, record, segment, time, final, spanStatus);
        recordExecutionOutcome(core.instruments(), {
          status,
          triggerKind: record.triggerKind ?? TRIGGER_UNKNOWN,
          scopeId: record.scopeId,
          durationMs: time - (record.startedAt ?? record.createdAt),
        });
      },
      undefined,
    );
  }
}

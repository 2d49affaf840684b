import { context, diag } from "@opentelemetry/api";
import type { ExecutionStatus } from "@runtrace/semconv";
import { Execution } from "./execution.ts";
import { guard } from "./guard.ts";
import type { RecorderCore } from "./options.ts";
import type { ExecutionRecord } from "./record.ts";
import { emitState, startSegment } from "./segment.ts";
import { encodeJson, truncateUtf8 } from "./values.ts";

/** What started an execution. */
export interface ExecutionTrigger {
  /** Free-form kind, e.g. `cli`, `http`, `mcp`; the seed's `unknown` is recorded as no trigger. */
  kind: string;
  /** Details, recorded as JSON (`executor.trigger.meta`). */
  meta?: Record<string, unknown>;
}

/** A new execution. */
export interface CreateExecutionOptions {
  /** Tenant/workspace the execution belongs to (`executor.scope.id`). */
  scopeId: string;
  /** The code to run, recorded (cut at `maxValueBytes`) as `executor.execution.code`. */
  code: string;
  trigger?: ExecutionTrigger;
  /**
   * Runtime name (`executor.runtime`).
   * @default the recorder's `runtime`
   */
  runtime?: string;
  /**
   * Execution id.
   * @default crypto.randomUUID()
   */
  id?: string;
}

/** How a new execution begins. */
export interface StartOptions {
  /**
   * True: it is `running` at once. False: it is `pending` (queued) until `start()`.
   * @default true
   */
  start?: boolean;
}

/** Starts the first segment span and emits the first state span (`pending` or `running`). */
export function createExecution(
  core: RecorderCore,
  options: CreateExecutionOptions,
  startOptions: StartOptions = {},
): Execution {
  try {
    const time = core.now();
    const running = startOptions.start ?? true;
    const trigger = options.trigger;
    const record: ExecutionRecord = {
      id: options.id ?? globalThis.crypto.randomUUID(),
      scopeId: String(options.scopeId),
      code: truncateUtf8(String(options.code ?? ""), core.maxValueBytes),
      triggerKind: trigger?.kind,
      triggerMeta:
        trigger?.meta === undefined ? undefined : encodeJson(trigger.meta, core.maxValueBytes),
      runtime: options.runtime ?? core.runtime,
      createdAt: time,
      startedAt: running ? time : undefined,
      status: running ? "running" : "pending",
      toolCallCount: 0,
      toolPathCalls: new Map(),
      activeToolCalls: new Map(),
      reports: { listed: new Set() },
      interactionCount: 0,
      seq: 0,
      segment: 1,
      priorLogs: [],
      logs: [],
    };
    const segment = startSegment(core, record, time, context.active());
    guard("emitting the first state", () => emitState(core, record, segment, time), undefined);
    return new Execution(core, record, segment);
  } catch (error) {
    diag.error("@runtrace/sdk: creating an execution failed; it is not recorded", error);
    return inertExecution(core, options?.id, options?.scopeId, "running");
  }
}

/** A handle that records nothing, for when recording could not start. */
export function inertExecution(
  core: RecorderCore,
  id: unknown,
  scopeId: unknown,
  status: ExecutionStatus,
): Execution {
  const time = guard("reading the clock", () => core.now(), 0);
  const record: ExecutionRecord = {
    id: typeof id === "string" ? id : globalThis.crypto.randomUUID(),
    scopeId: typeof scopeId === "string" ? scopeId : "",
    code: { value: "", truncated: false },
    createdAt: time,
    status,
    toolCallCount: 0,
    toolPathCalls: new Map(),
    activeToolCalls: new Map(),
    reports: { listed: new Set() },
    interactionCount: 0,
    seq: 0,
    segment: 1,
    priorLogs: [],
    logs: [],
  };
  return new Execution(core, record, undefined);
}

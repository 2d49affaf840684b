import {
  type Attributes,
  ROOT_CONTEXT,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  type IdGenerator,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  createExecutionRecorder,
  type Execution,
  type ExecutionRecorder,
  type ExecutionState,
} from "@runtrace/sdk";
import {
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_INTERACTION_KIND,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT_SIZE,
  ATTR_TRIGGER_KIND,
  type ExecutionStatus,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  type InteractionKind,
  SEED_SPAN_RUNTIME_PREFIX,
  SEED_SPAN_TOOL_PREFIX,
  SPAN_EXECUTION,
  TRIGGER_UNKNOWN,
  toolNamespace,
  toolSpanName,
} from "@runtrace/semconv";
import type { SeededRandom } from "@runtrace/testkit/random";

/**
 * Drives the runs of one seed: real `@runtrace/sdk` recorders (two "processes", a pause in one
 * and the resume in the other) and a runtime written with the plain OpenTelemetry API in the
 * seed engine's own span names, all on a controllable clock. Every finished span ends up in one
 * array; beside it, what each run was meant to be (`RunIntent`), written down while it is driven.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Tool paths, most used first (drawn with a skew, so facets have a clear top and a long tail). */
export const TOOL_PATHS = [
  "github.issues.create",
  "slack.chat.postMessage",
  "github.repos.get",
  "search",
  "jira.issue.get",
  "google.calendar.events.list",
  "github.issues.list",
  "slack.users.lookup",
  "fetch",
  "db.query",
  "memory.store",
  "memory.recall",
  "http.get",
  "http.post",
  "linear.issues.search",
  "notion.pages.create",
  "google.drive.files.get",
  "jira.issue.create",
  "files.read",
  "files.write",
  "db.exec",
  "time.now",
  "math.sum",
  "github.pulls.merge",
  "slack.post",
] as const;

/** Words the code is made of, in mixed case: the `code=` filter is case-insensitive. */
export const CODE_WORDS = [
  "apricot",
  "Blueberry",
  "CHERRY",
  "damson",
  "Elderberry",
  "fig",
  "Guava",
  "huckleberry",
] as const;

const TRIGGERS = ["cli", "http", "mcp", null, TRIGGER_UNKNOWN] as const;
const ERROR_NAMES = ["Error", "TypeError", "RateLimitError", "TimeoutError"] as const;

export type SdkShape =
  | "completed"
  | "failed"
  | "cancelled"
  | "running"
  | "waiting"
  | "pending"
  | "queued-then-done"
  | "paused-resumed"
  | "paused-resumed-running"
  | "paused-waiting";
export type SeedShape = "seed-completed" | "seed-failed";
export type Shape = SdkShape | SeedShape;

/** What a run was driven to be: the generator's own account, checked against the oracle. */
export interface RunIntent {
  id: string;
  scope: string;
  shape: Shape;
  status: ExecutionStatus;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  trigger: string | null;
  code: string;
  /** Paths of the tool calls whose spans ended (the run's children), in call order. */
  toolPaths: string[];
  /** Interaction spans that ended (resolved, cancelled, or cancelled by the run's end). */
  interactionCount: number;
  hadElicitation: boolean;
  /** Kind of the interaction the run still waits on. */
  pendingKind: InteractionKind | null;
  /** Log messages the run's best root carries, oldest first. */
  logs: string[];
  error: string | null;
  /** Claimed tool calls that never produced a span (a call still in flight). */
  hungToolCalls: number;
}

/** A delivery constraint on one run, resolved into spans by `deliver.ts`. */
export type ForcedCase =
  /** Its final root in the very first request, its tool spans among the last ones. */
  | "root-first-tools-late"
  /** Its final root first, its earlier state snapshots among the last requests. */
  | "final-first-states-late"
  /** A still-running run: its state spans first, its tool spans among the last requests. */
  | "running-tools-late"
  /** A resumed run: the final resume span first, the first segment's spans last. */
  | "resume-final-first"
  /** A seed-style run: its tool spans (no scope on them) first, its root last. */
  | "seed-tools-first";

export interface SeedRuns {
  seed: number;
  scopes: string[];
  /** Every finished span of the seed, once. */
  spans: ReadableSpan[];
  intents: RunIntent[];
  /** Execution ids that only tool spans name: no run, listed nowhere, 404. */
  orphanIds: string[];
  forced: { runId: string; kind: ForcedCase }[];
  /** The `now` the seed's times were laid out against. */
  now: number;
}

/** Trace and span ids from the seed's PRNG, so a seed lays out the same traces every time. */
class SeededIds implements IdGenerator {
  constructor(private readonly rng: SeededRandom) {}
  generateTraceId(): string {
    return this.rng.hex(32);
  }
  generateSpanId(): string {
    return this.rng.hex(16);
  }
}

interface Process {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  tracer: Tracer;
  recorder: ExecutionRecorder;
}

const never = () => new Promise<never>(() => undefined);

class SeedGenerator {
  readonly intents: RunIntent[] = [];
  readonly orphanIds: string[] = [];
  readonly forced: { runId: string; kind: ForcedCase }[] = [];
  clock = 0;
  readonly #usedCreatedAt = new Set<number>();
  readonly #usedIds = new Set<string>();
  readonly #shapesSeen = new Set<string>();
  readonly processes: [Process, Process];
  readonly seedEngine: {
    exporter: InMemorySpanExporter;
    provider: BasicTracerProvider;
    tracer: Tracer;
  };

  constructor(
    readonly seed: number,
    readonly rng: SeededRandom,
    readonly scopes: string[],
    readonly now: number,
  ) {
    const ids = new SeededIds(rng);
    const process = (service: string): Process => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ "service.name": service }),
        idGenerator: ids,
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
      const tracer = provider.getTracer("delivery-test");
      const recorder = createExecutionRecorder({
        tracer,
        now: () => this.clock,
        runtime: "quickjs",
        recordToolArgs: true,
        recordToolResults: true,
        // A call still pending at the next turn of the event loop is reported in flight: only
        // hung calls are (the others end within the turn), right where they hang.
        reportRunningToolCallsAfterMs: 0,
      });
      return { exporter, provider, tracer, recorder };
    };
    this.processes = [process("sandbox-a"), process("sandbox-b")];
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "executor-engine" }),
      idGenerator: ids,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    this.seedEngine = { exporter, provider, tracer: provider.getTracer("executor-engine") };
  }

  /** A createdAt in the last three hours, at least 20 minutes ago, unused in this seed. */
  createdAt(): number {
    for (;;) {
      const t = this.now - this.rng.int(20 * MINUTE, 3 * HOUR);
      if (!this.#usedCreatedAt.has(t)) {
        this.#usedCreatedAt.add(t);
        return t;
      }
    }
  }

  id(prefix: string): string {
    for (;;) {
      const id = `${prefix}-${this.rng.hex(10)}`;
      if (!this.#usedIds.has(id)) {
        this.#usedIds.add(id);
        return id;
      }
    }
  }

  tick(lo: number, hi: number): number {
    this.clock += this.rng.int(lo, hi);
    return this.clock;
  }

  toolPath(): string {
    return TOOL_PATHS[this.rng.skewedIndex(TOOL_PATHS.length, 1.1)]!;
  }

  code(n: number, paths: string[]): string {
    const rng = this.rng;
    const ws = () => rng.pick([" ", "  ", "\t", "\n", "\n\n  ", " \t "]);
    const parts = [`// ${rng.pick(CODE_WORDS)} task ${n}`];
    for (const path of paths.slice(0, 3)) {
      parts.push(`const r${parts.length} =${ws()}await tools.${path}({ n: ${n} });`);
    }
    parts.push(`return ${rng.pick(CODE_WORDS)}_${rng.int(0, 99)};`);
    if (rng.chance(0.2)) {
      // Longer than the 200-character preview.
      parts.push(`/* ${Array.from({ length: 40 }, () => rng.pick(CODE_WORDS)).join(" ")} */`);
    }
    const body = parts.join(`;${ws()}`);
    return rng.chance(0.3) ? `\n  ${body}\n\n` : body;
  }

  error(message: string): Error {
    const error = new Error(message);
    error.name = this.rng.pick(ERROR_NAMES);
    return error;
  }

  /** Runs one tool call through the SDK; failures are recorded and swallowed. */
  async toolCall(exec: Execution, n: number, intent: RunIntent): Promise<void> {
    const path = this.toolPath();
    const fail = this.rng.chance(0.25);
    // A slow call outlives a turn of the event loop: the SDK reports it in flight first (its
    // timer was set first), then its span ends. Deterministic: timers keep creation order.
    const slow = this.rng.chance(0.15);
    this.tick(1, 60);
    await exec
      .toolCall({ path, args: { n, q: this.rng.pick(CODE_WORDS) } }, async () => {
        if (slow) await new Promise((resolve) => setTimeout(resolve, 1));
        this.tick(1, 400);
        if (fail) throw this.error(`${path} failed (${n})`);
        return { ok: true, items: this.rng.int(0, 9) };
      })
      .catch(() => undefined);
    intent.toolPaths.push(path);
  }

  async toolCalls(exec: Execution, n: number, intent: RunIntent, count: number): Promise<void> {
    for (let k = 0; k < count; k++) await this.toolCall(exec, n, intent);
  }

  /**
   * A tool call that never returns: the SDK counts it, no span ever ends, and its report (a
   * state span listing it in flight) is let out at once, so every seed replays the same spans.
   */
  async hungToolCall(exec: Execution, intent: RunIntent): Promise<void> {
    this.tick(1, 30);
    void exec.toolCall({ path: this.toolPath(), args: { hung: true } }, never);
    intent.hungToolCalls += 1;
    // Timers of one duration fire in creation order: the SDK's report comes first.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }

  logs(exec: Execution, intent: RunIntent, visible: boolean, count = this.rng.int(0, 3)): void {
    for (let k = 0; k < count; k++) {
      this.tick(1, 50);
      const message = `${this.rng.pick(CODE_WORDS)} step ${k} of ${intent.id}`;
      exec.log(message, this.rng.pick(["info", "info", "warn", "debug", "error"]));
      if (visible) intent.logs.push(message);
    }
  }

  raise(exec: Execution, intent: RunIntent) {
    this.tick(1, 100);
    const kind: InteractionKind = this.rng.pick(["form", "url"]);
    const interaction = exec.interaction({
      kind,
      ...(this.rng.chance(0.7) ? { purpose: `${this.rng.pick(CODE_WORDS)} approval` } : {}),
      ...(this.rng.chance(0.8)
        ? { payload: { field: this.rng.pick(CODE_WORDS), n: this.rng.int(1, 9) } }
        : {}),
    });
    intent.hadElicitation = true;
    return { interaction, kind };
  }

  answer(
    interaction: { resolve(r?: unknown): void; cancel(r?: unknown): void },
    intent: RunIntent,
  ) {
    this.tick(SECOND, 2 * MINUTE);
    if (this.rng.chance(0.75)) interaction.resolve({ action: "accept", content: { ok: true } });
    else interaction.cancel({ action: "decline" });
    intent.interactionCount += 1;
  }

  /** A child span of the sandbox's own work, outside the run tables. */
  codeExecSpan(p: Process, exec: Execution): () => void {
    const span = p.tracer.startSpan(
      "executor.code.exec.quickjs",
      { startTime: this.clock, attributes: { "code.lines": this.rng.int(1, 40) } },
      exec.context,
    );
    return () => span.end(this.clock);
  }

  /** Ends the run at a duration some other run may share (ties are broken by id). */
  endTime(startedAt: number): number {
    if (this.rng.chance(0.3)) {
      const d = this.rng.pick([1500, 2500, 4000]);
      if (startedAt + d > this.clock) this.clock = startedAt + d;
      else this.tick(1, 200);
    } else {
      this.tick(1, 3000);
    }
    return this.clock;
  }

  /** Ends an SDK run with a final status, maybe with a tool call or an interaction in flight. */
  async finish(
    exec: Execution,
    intent: RunIntent,
    status: "completed" | "failed" | "cancelled",
  ): Promise<void> {
    if (status !== "completed" && this.rng.chance(0.3)) await this.hungToolCall(exec, intent);
    if (status !== "completed" && exec.pendingInteraction === undefined && this.rng.chance(0.2)) {
      // Raised and never answered: the run's end cancels it (its span ends, status cancelled).
      this.raise(exec, intent);
      intent.interactionCount += 1;
    } else if (exec.pendingInteraction !== undefined) {
      intent.interactionCount += 1;
    }
    intent.completedAt = this.endTime(intent.startedAt ?? intent.createdAt);
    intent.status = status;
    if (status === "completed") {
      exec.complete(this.rng.chance(0.8) ? { value: this.rng.int(0, 1000) } : undefined);
    } else if (status === "failed") {
      const error = this.error(`${this.rng.pick(CODE_WORDS)} went wrong in ${intent.id}`);
      intent.error = error.message;
      exec.fail(error);
    } else {
      const reason = this.rng.chance(0.5) ? `stopped by ${this.rng.pick(CODE_WORDS)}` : undefined;
      intent.error = reason ?? null;
      exec.cancel(reason);
    }
  }

  async sdkRun(shape: SdkShape, n: number): Promise<RunIntent> {
    const rng = this.rng;
    const [first, second]: [Process, Process] = rng.chance(0.5)
      ? this.processes
      : [this.processes[1], this.processes[0]];
    const scope = rng.pick(this.scopes);
    const createdAt = this.createdAt();
    const trigger = rng.pick(TRIGGERS);
    const queued = shape === "pending" || shape === "queued-then-done";
    const plannedPaths = Array.from({ length: 3 }, () => this.toolPath());
    const code = this.code(n, plannedPaths);
    const intent: RunIntent = {
      id: this.id(rng.pick(["run", "exec", "job"])),
      scope,
      shape,
      status: queued ? "pending" : "running",
      createdAt,
      startedAt: queued ? null : createdAt,
      completedAt: null,
      trigger: trigger === TRIGGER_UNKNOWN ? null : trigger,
      code,
      toolPaths: [],
      interactionCount: 0,
      hadElicitation: false,
      pendingKind: null,
      logs: [],
      error: null,
      hungToolCalls: 0,
    };
    this.intents.push(intent);
    this.clock = createdAt;
    const exec = first.recorder.create(
      {
        id: intent.id,
        scopeId: scope,
        code,
        ...(trigger === null
          ? {}
          : {
              trigger: {
                kind: trigger,
                ...(rng.chance(0.6) ? { meta: { n, source: rng.pick(CODE_WORDS) } } : {}),
              },
            }),
        ...(rng.chance(0.15) ? { runtime: "deno" } : {}),
      },
      { start: !queued },
    );
    const finals = { completed: "completed", failed: "failed", cancelled: "cancelled" } as const;
    switch (shape) {
      case "pending": {
        // Queued, never started: only its first state span exists.
        return intent;
      }
      case "completed":
      case "failed":
      case "cancelled":
      case "queued-then-done": {
        if (shape === "queued-then-done") {
          this.tick(100, 20 * SECOND);
          exec.start();
          intent.startedAt = this.clock;
          intent.status = "running";
        }
        const endExec = rng.chance(0.3) ? this.codeExecSpan(first, exec) : undefined;
        this.logs(exec, intent, true);
        // The first completed run calls tools for sure (a forced delivery case needs one).
        const firstCompleted = shape === "completed" && !this.#shapesSeen.has(shape);
        this.#shapesSeen.add(shape);
        const before = rng.int(firstCompleted ? 2 : 0, 6);
        const split = rng.int(0, before);
        await this.toolCalls(exec, n, intent, split);
        if (rng.chance(0.3)) {
          const { interaction } = this.raise(exec, intent);
          this.answer(interaction, intent);
        }
        await this.toolCalls(exec, n, intent, before - split);
        this.logs(exec, intent, true, rng.int(0, 1));
        endExec?.();
        const status =
          shape === "queued-then-done" ? rng.pick(["completed", "failed"] as const) : finals[shape];
        await this.finish(exec, intent, status);
        return intent;
      }
      case "running": {
        this.logs(exec, intent, false);
        if (rng.chance(0.3)) {
          const { interaction } = this.raise(exec, intent);
          this.answer(interaction, intent);
        }
        // Calls made since the latest state span: the snapshot's counts lag behind them.
        await this.toolCalls(exec, n, intent, rng.int(1, 6));
        if (rng.chance(0.4)) await this.hungToolCall(exec, intent);
        return intent;
      }
      case "waiting": {
        this.logs(exec, intent, false);
        await this.toolCalls(exec, n, intent, rng.int(0, 4));
        if (rng.chance(0.3)) await this.hungToolCall(exec, intent);
        const { kind } = this.raise(exec, intent);
        intent.status = "waiting_for_interaction";
        intent.pendingKind = kind;
        return intent;
      }
      case "paused-resumed":
      case "paused-resumed-running":
      case "paused-waiting": {
        this.logs(exec, intent, true);
        await this.toolCalls(exec, n, intent, rng.int(0, 3));
        const waits = shape === "paused-waiting" || rng.chance(0.7);
        const raised = waits ? this.raise(exec, intent) : undefined;
        this.tick(1, 500);
        // The state crosses a process boundary: only its JSON travels.
        const state = JSON.parse(JSON.stringify(exec.pause())) as ExecutionState;
        if (shape === "paused-waiting") {
          intent.status = "waiting_for_interaction";
          intent.pendingKind = raised?.kind ?? null;
          return intent;
        }
        this.tick(SECOND, 5 * MINUTE);
        const resumed = second.recorder.resume(state, { action: "accept" });
        const pending = resumed.pendingInteraction;
        if (pending) this.answer(pending, intent);
        this.logs(resumed, intent, shape === "paused-resumed");
        await this.toolCalls(resumed, n, intent, rng.int(0, 4));
        if (shape === "paused-resumed-running") return intent;
        await this.finish(resumed, intent, rng.pick(["completed", "completed", "failed"] as const));
        return intent;
      }
    }
  }

  /** A run in the seed engine's own span names, written with the plain OpenTelemetry API. */
  seedRun(shape: SeedShape): RunIntent {
    const rng = this.rng;
    const { tracer } = this.seedEngine;
    const scope = rng.pick(this.scopes);
    const t0 = this.createdAt();
    const id = this.id(`seed${this.seed}`);
    const failed = shape === "seed-failed";
    const code = this.code(rng.int(1000, 9999), [this.toolPath()]);
    const intent: RunIntent = {
      id,
      scope,
      shape,
      status: failed ? "failed" : "completed",
      createdAt: t0,
      startedAt: t0,
      completedAt: null,
      trigger: null,
      code,
      toolPaths: [],
      interactionCount: 0,
      hadElicitation: false,
      pendingKind: null,
      logs: [],
      error: null,
      hungToolCalls: 0,
    };
    this.intents.push(intent);
    const attributes: Attributes = {
      [ATTR_EXECUTION_ID]: id,
      [ATTR_SCOPE_ID]: scope,
      [ATTR_EXECUTION_CODE]: code,
      [ATTR_RUNTIME]: "quickjs",
    };
    if (rng.chance(0.8)) attributes[ATTR_TRIGGER_KIND] = TRIGGER_UNKNOWN;
    const root = tracer.startSpan(SPAN_EXECUTION, { startTime: t0, attributes }, ROOT_CONTEXT);
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    const runtime = tracer.startSpan(
      `${SEED_SPAN_RUNTIME_PREFIX}quickjs`,
      { startTime: t0 + 1 },
      ctx,
    );
    let t = t0 + 2;
    const tools = rng.int(this.#shapesSeen.has("seed") ? 0 : 1, 5);
    this.#shapesSeen.add("seed");
    for (let k = 0; k < tools; k++) {
      const path = this.toolPath();
      t += rng.int(1, 80);
      const start = t;
      const toolFails = rng.chance(0.25);
      // Some runtimes mark a tool span only by the GenAI operation name.
      const genAiOnly = rng.chance(0.2);
      const span = tracer.startSpan(
        genAiOnly ? toolSpanName(path) : `${SEED_SPAN_TOOL_PREFIX}${path}`,
        {
          startTime: start,
          attributes: genAiOnly
            ? {
                [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
                [ATTR_GEN_AI_TOOL_NAME]: path,
                [ATTR_EXECUTION_ID]: id,
              }
            : {
                [ATTR_TOOL_PATH]: path,
                [ATTR_TOOL_NAMESPACE]: toolNamespace(path),
                [ATTR_EXECUTION_ID]: id,
              },
        },
        ctx,
      );
      if (toolFails) {
        const message = `${path}: ${rng.pick(["channel_not_found", "rate_limited", "timeout"])}`;
        if (rng.chance(0.7)) span.setAttribute(ATTR_TOOL_ERROR, message);
        span.setStatus({ code: SpanStatusCode.ERROR, message });
      } else {
        span.setAttribute(ATTR_TOOL_RESULT_SIZE, rng.int(2, 500));
      }
      t += rng.int(1, 300);
      span.end(t);
      intent.toolPaths.push(path);
    }
    if (rng.chance(0.3)) {
      root.setAttribute(ATTR_INTERACTION_KIND, rng.pick(["form", "url", "FormElicitation"]));
      intent.hadElicitation = true;
    }
    if (rng.chance(0.5)) root.setAttribute(ATTR_EXECUTION_TOOL_CALL_COUNT, tools);
    // The status attribute is optional: without it, the span status decides.
    if (rng.chance(0.5)) root.setAttribute(ATTR_EXECUTION_STATUS, intent.status);
    if (failed) {
      const message = `${rng.pick(CODE_WORDS)} engine error`;
      if (rng.chance(0.5)) root.setAttribute(ATTR_EXECUTION_ERROR, message);
      root.setStatus({ code: SpanStatusCode.ERROR, message });
      intent.error = message;
    } else if (rng.chance(0.5)) {
      root.setStatus({ code: SpanStatusCode.OK });
    }
    const end = Math.max(t + 1, t0 + rng.pick([1500, 2500, rng.int(100, 9000)]));
    runtime.end(end - 1);
    root.end(end);
    intent.completedAt = end;
    return intent;
  }

  /** A tool span naming an execution that never reports: it must count nowhere. */
  orphan(): void {
    const id = this.id(`orphan${this.seed}`);
    this.orphanIds.push(id);
    const t = this.createdAt();
    const path = this.toolPath();
    const span = this.seedEngine.tracer.startSpan(
      `${SEED_SPAN_TOOL_PREFIX}${path}`,
      {
        startTime: t,
        attributes: {
          [ATTR_TOOL_PATH]: path,
          [ATTR_TOOL_NAMESPACE]: toolNamespace(path),
          [ATTR_EXECUTION_ID]: id,
          ...(this.rng.chance(0.5) ? { [ATTR_SCOPE_ID]: this.scopes[0]! } : {}),
        },
      },
      ROOT_CONTEXT,
    );
    span.end(t + this.rng.int(1, 500));
  }

  /**
   * Tool spans that name a real run but are not its children: one from another scope, one from
   * long before the run was created. Their paths appear nowhere else.
   */
  intruders(run: RunIntent): void {
    const { tracer } = this.seedEngine;
    const other = tracer.startSpan(
      "executor.tool.intruder.scope",
      {
        startTime: run.createdAt + 5,
        attributes: {
          [ATTR_TOOL_PATH]: "intruder.scope",
          [ATTR_EXECUTION_ID]: run.id,
          [ATTR_SCOPE_ID]: `s${this.seed}-x`,
        },
      },
      ROOT_CONTEXT,
    );
    other.end(run.createdAt + 20);
    const early = tracer.startSpan(
      "executor.tool.intruder.early",
      {
        startTime: run.createdAt - 5 * MINUTE,
        attributes: { [ATTR_TOOL_PATH]: "intruder.early", [ATTR_EXECUTION_ID]: run.id },
      },
      ROOT_CONTEXT,
    );
    early.end(run.createdAt - 5 * MINUTE + 30);
  }

  async spans(): Promise<ReadableSpan[]> {
    const all = [...this.processes, this.seedEngine];
    for (const p of all) await p.provider.forceFlush();
    const spans = all.flatMap((p) => p.exporter.getFinishedSpans());
    for (const p of all) await p.provider.shutdown();
    return spans;
  }
}

const SDK_FILL: SdkShape[] = [
  "completed",
  "completed",
  "completed",
  "failed",
  "failed",
  "cancelled",
  "running",
  "waiting",
  "pending",
  "queued-then-done",
  "paused-resumed",
  "paused-resumed-running",
  "paused-waiting",
];

/**
 * Generates the runs of one seed: `runCount` (15–40) runs in 2–3 scopes of its own, created over
 * the last three hours. Every required shape appears at least once (so at least 10 runs).
 */
export async function generateSeed(
  seed: number,
  rng: SeededRandom,
  runCount: readonly [number, number] = [15, 40],
  now = Date.now(),
): Promise<SeedRuns> {
  const scopes = ["a", "b", "c"].slice(0, rng.int(2, 3)).map((s) => `s${seed}-${s}`);
  const gen = new SeedGenerator(seed, rng, scopes, now);
  const required: Shape[] = [
    "completed",
    "completed",
    "failed",
    "cancelled",
    "running",
    "waiting",
    "pending",
    "paused-resumed",
    "seed-completed",
    "seed-failed",
  ];
  const count = rng.int(Math.max(runCount[0], required.length), runCount[1]);
  const shapes: Shape[] = [...required];
  while (shapes.length < count) {
    shapes.push(
      rng.chance(0.2) ? rng.pick(["seed-completed", "seed-failed"] as const) : rng.pick(SDK_FILL),
    );
  }
  rng.shuffle(shapes);
  let n = 0;
  for (const shape of shapes) {
    n += 1;
    if (shape === "seed-completed" || shape === "seed-failed") gen.seedRun(shape);
    else await gen.sdkRun(shape, n);
  }
  // The runs whose delivery is forced into a given order.
  const intents = gen.intents;
  const take = (keep: (r: RunIntent) => boolean, kind: ForcedCase) => {
    const used = new Set(gen.forced.map((f) => f.runId));
    const run = intents.find((r) => keep(r) && !used.has(r.id));
    if (run) gen.forced.push({ runId: run.id, kind });
  };
  take((r) => r.shape === "completed" && r.toolPaths.length >= 1, "root-first-tools-late");
  take((r) => r.shape === "completed" || r.shape === "failed", "final-first-states-late");
  take((r) => r.shape === "running", "running-tools-late");
  take((r) => r.shape === "paused-resumed", "resume-final-first");
  take((r) => r.shape.startsWith("seed-") && r.toolPaths.length > 0, "seed-tools-first");
  gen.orphan();
  if (rng.chance(0.5)) gen.orphan();
  gen.intruders(rng.pick(intents.filter((r) => r.completedAt !== null)));
  return {
    seed,
    scopes,
    spans: await gen.spans(),
    intents,
    orphanIds: gen.orphanIds,
    forced: gen.forced,
    now,
  };
}

/**
 * The demo load: a seeded mix of submissions that exercises every execution status. Finished
 * runs come from the program catalogue; the others are set up on purpose and left as they are
 * (queued, running, waiting for an answer), and one is paused and resumed by another process.
 */
import type { ExecutionTrigger } from "@runtrace/sdk";
import type { ExecutionStatus } from "@runtrace/semconv";
import type { SeededRandom } from "@runtrace/testkit/random";
import type { ExecuteResult, QueuedExecution, Sandbox } from "../sandbox/index.ts";
import { answer, neverAnswer, pauseForLater } from "./answers.ts";
import { resumeInAnotherProcess } from "./handoff.ts";
import { type Arrival, runArrivals } from "./pool.ts";
import {
  abandoned,
  asking,
  failing,
  LONG_RUNNING_CODE,
  PAUSING_CODE,
  type Program,
  QUEUED_CODE,
  RESUMED_CODE,
  succeeding,
  UNANSWERED_CODE,
} from "./programs.ts";
import { type TriggerKind, trigger } from "./triggers.ts";

/** How one submission ended up (for in-progress runs: how it was left). */
export interface Outcome {
  name: string;
  status: ExecutionStatus;
  executionId: string;
  traceId: string;
  trigger: string;
  durationMillis?: number;
  /** The catalogue's expectation, when it has one. */
  expected?: ExecutionStatus;
  note?: string;
}

// Every random choice is made while planning, so a seed always gives the same load.
type Step =
  | {
      kind: "program";
      program: Program;
      scopeId: string;
      trigger: ExecutionTrigger;
      thinkMillis: number;
    }
  | { kind: "start-queued"; queued: QueuedExecution; trigger: ExecutionTrigger }
  | { kind: "long-running"; trigger: ExecutionTrigger }
  | { kind: "unanswered"; trigger: ExecutionTrigger }
  | { kind: "pause-and-resume"; trigger: ExecutionTrigger };

const SCOPES = ["ws_acme", "ws_acme", "ws_acme", "ws_globex", "ws_initech"];
const TRIGGER_KINDS: readonly TriggerKind[] = ["cli", "http", "http", "mcp", "mcp"];
/** Long enough for an in-progress run to stay in progress. */
const ONE_HOUR = 3_600_000;

export interface LoadOptions {
  sandbox: Sandbox;
  random: SeededRandom;
  concurrency: number;
  endpoint: string;
  onOutcome?: (outcome: Outcome) => void;
}

export async function runLoad(options: LoadOptions): Promise<Outcome[]> {
  const { sandbox, random } = options;
  const outcomes: Outcome[] = [];
  const record = (outcome: Outcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };

  // Accepted into the queue up front; half start later, half never do (`pending`).
  const queued = Array.from({ length: 6 }, (_, i) => ({
    queued: sandbox.enqueue({
      scopeId: random.pick(SCOPES),
      code: QUEUED_CODE,
      trigger: trigger("http", random),
    }),
    name: `enterprise customers (queued #${i + 1})`,
  }));
  for (const { queued: q, name } of queued.slice(3)) {
    record({
      name,
      status: "pending",
      executionId: q.executionId,
      traceId: q.traceId,
      trigger: "http",
    });
  }

  const steps = plan(
    random,
    queued.slice(0, 3).map(({ queued: q }) => q),
  );
  const arrivals: Arrival<Step>[] = steps.map((step) => ({
    item: step,
    gapMillis: random.int(50, 650),
  }));
  await runArrivals(arrivals, options.concurrency, async (step) => {
    for (const outcome of await runStep(step, options)) record(outcome);
  });
  return outcomes;
}

function plan(random: SeededRandom, toStart: QueuedExecution[]): Step[] {
  const pickTrigger = () => trigger(random.pick(TRIGGER_KINDS), random);
  const programs = [
    ...succeeding({ repo: "acme/web", city: "Berlin", email: "maria@acme.example" }),
    ...succeeding({ repo: "acme/api", city: "Nairobi", email: "kim@acme.example" }),
    ...failing({ repo: "acme/mobile" }),
    ...asking(),
    abandoned(),
  ];
  const steps: Step[] = programs.map((program) => ({
    kind: "program",
    program,
    scopeId: random.pick(SCOPES),
    trigger: pickTrigger(),
    thinkMillis: random.int(300, 1500),
  }));
  random.shuffle(steps);
  // The special runs go in at fixed points of the stream, so they overlap the regular load.
  const at = (index: number, step: Step) => steps.splice(Math.min(index, steps.length), 0, step);
  at(3, { kind: "pause-and-resume", trigger: trigger("mcp", random) });
  at(8, { kind: "long-running", trigger: trigger("cli", random) });
  at(14, { kind: "unanswered", trigger: trigger("mcp", random) });
  at(20, { kind: "long-running", trigger: trigger("http", random) });
  at(26, { kind: "unanswered", trigger: trigger("http", random) });
  toStart.forEach((queued, i) => {
    at(30 + i * 5, { kind: "start-queued", queued, trigger: trigger("http", random) });
  });
  return steps;
}

async function runStep(step: Step, options: LoadOptions): Promise<Outcome[]> {
  const { sandbox } = options;
  switch (step.kind) {
    case "program": {
      const { program } = step;
      const controller = new AbortController();
      const timer =
        program.abortAfterMillis === undefined
          ? undefined
          : setTimeout(
              () => controller.abort(new Error("Cancelled by the caller (client disconnected)")),
              program.abortAfterMillis,
            );
      const result = await sandbox.execute({
        scopeId: step.scopeId,
        code: program.code,
        trigger: step.trigger,
        timeoutMillis: program.timeoutMillis,
        onElicitation:
          program.answer === undefined ? undefined : answer(program.answer, step.thinkMillis),
        signal: controller.signal,
      });
      clearTimeout(timer);
      return [outcomeOf(program.name, step.trigger.kind, result, program.expect)];
    }
    case "start-queued": {
      const result = await step.queued.start();
      return [
        outcomeOf(
          "enterprise customers (queued, started later)",
          step.trigger.kind,
          result,
          "completed",
        ),
      ];
    }
    case "long-running": {
      // Not awaited: it waits on a deploy for half an hour; the demo reports it as running.
      const queued = sandbox.enqueue({
        scopeId: "ws_acme",
        code: LONG_RUNNING_CODE,
        trigger: step.trigger,
        timeoutMillis: ONE_HOUR,
      });
      void queued.start();
      return [
        {
          name: "production rollout (left running)",
          status: "running",
          executionId: queued.executionId,
          traceId: queued.traceId,
          trigger: step.trigger.kind,
        },
      ];
    }
    case "unanswered": {
      const never = neverAnswer();
      const queued = sandbox.enqueue({
        scopeId: "ws_globex",
        code: UNANSWERED_CODE,
        trigger: step.trigger,
        timeoutMillis: ONE_HOUR,
        onElicitation: never.handler,
      });
      void queued.start();
      await never.asked;
      return [
        {
          name: "partner OAuth (never answered)",
          status: "waiting_for_interaction",
          executionId: queued.executionId,
          traceId: queued.traceId,
          trigger: step.trigger.kind,
        },
      ];
    }
    case "pause-and-resume":
      return pauseAndResume(step.trigger, options);
  }
}

async function pauseAndResume(
  stepTrigger: ExecutionTrigger,
  options: LoadOptions,
): Promise<Outcome[]> {
  const kind = stepTrigger.kind;
  const paused = await options.sandbox.execute({
    scopeId: "ws_acme",
    code: PAUSING_CODE,
    trigger: stepTrigger,
    onElicitation: pauseForLater,
  });
  if (paused.status !== "paused") {
    return [outcomeOf("payment reminders (pause)", kind, paused, "completed")];
  }
  let resumed: Awaited<ReturnType<typeof resumeInAnotherProcess>>;
  try {
    resumed = await resumeInAnotherProcess(
      {
        version: 1,
        state: paused.state,
        resume: { action: "accept", content: { approve: true }, code: RESUMED_CODE },
      },
      options.endpoint,
    );
  } catch (error) {
    // The paused execution stays waiting for its answer; the rest of the demo goes on.
    return [
      {
        name: "payment reminders (paused, resume failed)",
        status: "waiting_for_interaction",
        executionId: paused.executionId,
        traceId: paused.traceId,
        trigger: kind,
        expected: "completed",
        note: `resume failed: ${error instanceof Error ? error.message : String(error)}`,
      },
    ];
  }
  return [
    {
      name: "payment reminders (paused, resumed elsewhere)",
      status: resumed.status as ExecutionStatus,
      executionId: resumed.executionId,
      traceId: resumed.traceId,
      trigger: kind,
      expected: "completed",
      note: `paused in pid ${process.pid}, resumed in pid ${resumed.pid}`,
    },
  ];
}

function outcomeOf(
  name: string,
  kind: string,
  result: ExecuteResult,
  expected: ExecutionStatus,
): Outcome {
  const outcome: Outcome = {
    name,
    // A pause is not an end: only the pause-and-resume step pauses, and it reports the resume.
    status: result.status === "paused" ? "waiting_for_interaction" : result.status,
    executionId: result.executionId,
    traceId: result.traceId,
    trigger: kind,
    durationMillis: result.durationMillis,
    expected,
  };
  if (result.status === "failed" || result.status === "cancelled") {
    outcome.note = `${result.error.name}: ${result.error.message}`;
  }
  return outcome;
}

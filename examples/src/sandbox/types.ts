import type { ExecutionState, ExecutionTrigger } from "@runtrace/sdk";
import type { ElicitationHandler, ElicitationRequest } from "./elicitation.ts";
import type { ErrorInfo } from "./errors.ts";
import type { ConsoleLevel } from "./vm.ts";

/** What a tool gets besides its arguments. */
export interface ToolContext {
  readonly executionId: string;
  readonly scopeId: string;
  /**
   * Asks the user for input (an approval form, an OAuth URL…) and resolves to what they
   * entered. A decline cancels the execution, as in the seed.
   */
  elicit(request: ElicitationRequest): Promise<unknown>;
}

/** Arguments of a tool call: the one object the code passed, `{}` when it passed nothing. */
export type ToolArgs = Readonly<Record<string, unknown>>;

/** A host tool: JSON in, JSON out, async. A thrown error fails the call inside the sandbox. */
export type ToolHandler = (args: ToolArgs, context: ToolContext) => Promise<unknown>;

/** Tools by dotted path (`github.issues.list`), exposed as `tools.github.issues.list(args)`. */
export type ToolRegistry = Readonly<Record<string, ToolHandler>>;

/** One `console.*` line of a run. */
export interface LogEntry {
  /** Epoch ms. */
  time: number;
  level: ConsoleLevel;
  message: string;
}

/** Limits of one run. */
export interface RunLimits {
  /**
   * Time the code may run; time spent waiting for an elicitation answer does not count.
   * @default the sandbox's `timeoutMillis`
   */
  timeoutMillis?: number;
  /** Answers the code's elicitations; without it `elicit` throws inside the sandbox. */
  onElicitation?: ElicitationHandler;
  /** Aborting cancels the execution (status `cancelled`, the reason as its error). */
  signal?: AbortSignal;
}

/** One submission: the code is the body of an async function; its return value is the result. */
export interface ExecuteRequest extends RunLimits {
  scopeId: string;
  code: string;
  trigger?: ExecutionTrigger;
  /** @default a random UUID */
  id?: string;
}

/**
 * Continues a paused execution. QuickJS state cannot be saved, so the resumer supplies the code
 * that runs after the answer; it sees the answer as the global `resumed` (`{ action, content }`).
 */
export interface ResumeRequest extends RunLimits {
  action: "accept" | "decline" | "cancel";
  /** The answer to the interaction pending at the pause. */
  content?: unknown;
  code: string;
}

interface ResultBase {
  executionId: string;
  traceId: string;
  logs: LogEntry[];
  durationMillis: number;
}

export type ExecuteResult = ResultBase &
  (
    | { status: "completed"; result: unknown }
    | { status: "failed"; error: ErrorInfo }
    | { status: "cancelled"; error: ErrorInfo }
    /** Stopped while an elicitation waits; `state` resumes it, possibly in another process. */
    | { status: "paused"; state: ExecutionState }
  );

/** An execution accepted but not started: `pending` until `start()`. */
export interface QueuedExecution {
  readonly executionId: string;
  readonly traceId: string;
  /** Runs it now; a second call rejects. */
  start(): Promise<ExecuteResult>;
}

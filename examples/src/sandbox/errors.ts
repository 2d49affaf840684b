/**
 * Errors the sandbox reports. Each sets `name`, which the SDK records as `error.type`, so a
 * timeout, a memory limit or a cancellation can be told apart in the run history.
 */

/**
 * An error about the run as a whole (a limit, a cancellation). Its stack would show only host
 * frames, which say nothing about the user's code, so it has none beyond the message.
 */
abstract class RunError extends Error {
  protected hideStack(): void {
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** The code ran longer than its time limit (time spent waiting for an answer does not count). */
export class SandboxTimeoutError extends RunError {
  override readonly name = "TimeoutError";
  readonly timeoutMillis: number;

  constructor(timeoutMillis: number) {
    super(`Execution timed out after ${timeoutMillis} ms`);
    this.timeoutMillis = timeoutMillis;
    this.hideStack();
  }
}

/** The code allocated more than the sandbox's memory limit. */
export class SandboxMemoryError extends RunError {
  override readonly name = "MemoryLimitError";

  constructor(limitBytes: number) {
    super(`Execution exceeded its memory limit of ${limitBytes} bytes`);
    this.hideStack();
  }
}

/**
 * The WebAssembly under QuickJS failed (most often the host stack overflowing in recursion
 * QuickJS does not bound); the run's runtime is abandoned.
 */
export class SandboxFaultError extends RunError {
  override readonly name = "SandboxFaultError";

  constructor(cause: unknown) {
    super(`QuickJS stopped abnormally: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.hideStack();
  }
}

/** The user declined or cancelled an elicitation, which cancels the execution (as the seed does). */
export class ExecutionCancelledError extends RunError {
  override readonly name = "CancelledError";

  constructor(message = "Execution cancelled by user") {
    super(message);
    this.hideStack();
  }
}

/**
 * Not a failure: the caller chose to pause while an elicitation waits. It stops the VM; the
 * sandbox then pauses the execution instead of ending it.
 */
export class ExecutionPausedSignal extends RunError {
  override readonly name = "PausedSignal";

  constructor() {
    super("Execution paused while waiting for an answer");
  }
}

/**
 * A value thrown inside the sandbox (an `Error` or anything else), carried to the host with the
 * name, message and stack QuickJS reported.
 */
export class SandboxError extends Error {
  override readonly name: string;

  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    // QuickJS stacks hold only the sandbox frames (`at <anonymous> (sandbox.js:3:9)`): keep them.
    this.stack = stack === undefined ? `${name}: ${message}` : `${name}: ${message}\n${stack}`;
  }
}

/** The JSON-friendly form of an error, as `execute` returns it. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const info: ErrorInfo = { name: error.name, message: error.message };
    if (error.stack !== undefined) info.stack = error.stack;
    return info;
  }
  return { name: "Error", message: String(error) };
}

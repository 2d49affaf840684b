/**
 * @module
 * A QuickJS sandbox instrumented with `@runtrace/sdk`: JavaScript submitted as text calls host
 * tools (`tools.<namespace>.<name>(args)`), logs with `console.*` and asks the user with
 * `elicit(...)`, under a time and a memory limit.
 */

export type {
  ElicitationHandler,
  ElicitationRequest,
  ElicitationResponse,
} from "./elicitation.ts";
export { ElicitationUnavailableError } from "./elicitation.ts";
export type { ErrorInfo } from "./errors.ts";
export {
  ExecutionCancelledError,
  SandboxError,
  SandboxFaultError,
  SandboxMemoryError,
  SandboxTimeoutError,
} from "./errors.ts";
export type { Sandbox, SandboxOptions } from "./sandbox.ts";
export { createSandbox, RUNTIME } from "./sandbox.ts";
export type {
  ExecuteRequest,
  ExecuteResult,
  LogEntry,
  QueuedExecution,
  ResumeRequest,
  RunLimits,
  ToolArgs,
  ToolContext,
  ToolHandler,
  ToolRegistry,
} from "./types.ts";
export type { ConsoleLevel } from "./vm.ts";

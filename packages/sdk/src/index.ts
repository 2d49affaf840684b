/**
 * @module
 * Instrumentation for code-execution runtimes: executions, tool calls, interactions and logs as
 * OpenTelemetry spans and metrics in runtrace's span model, on `@opentelemetry/api` only. A
 * runtime without an OpenTelemetry setup of its own starts one with `@runtrace/sdk-node`.
 *
 * Exports are kept in Biome's sorted order (by module): recorder (`createExecutionRecorder`,
 * `ExecutionRecorder`, `Execution`, `Interaction`), pause/resume (`ExecutionState`,
 * `EXECUTION_STATE_VERSION`, `ResumeOptions`) and the version.
 */

export type {
  CreateExecutionOptions,
  ExecutionTrigger,
  StartOptions,
} from "./create-execution.ts";
export type { Execution, LogSeverity } from "./execution.ts";
export type { InteractionOptions } from "./interaction.ts";
export type { Interaction } from "./interaction-handle.ts";
export type { ExecutionRecorderOptions } from "./options.ts";
export { DEFAULT_MAX_VALUE_BYTES } from "./options.ts";
export type { LogLine, PendingInteraction } from "./record.ts";
export type { ExecutionRecorder } from "./recorder.ts";
export { createExecutionRecorder } from "./recorder.ts";
export type { ResumeOptions } from "./resume-execution.ts";
export type { ExecutionState } from "./state.ts";
export { EXECUTION_STATE_VERSION } from "./state.ts";
export type { ToolCallOptions } from "./tool-call.ts";
export type { EncodedValue } from "./values.ts";
export { SDK_NAME, SDK_VERSION } from "./version.ts";

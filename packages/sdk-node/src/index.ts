/**
 * @module
 * `startTelemetry`: starts and registers the OpenTelemetry Node SDK for a runtime that records
 * with `@runtrace/sdk` and has no OpenTelemetry setup of its own. A runtime that brings its own
 * needs only `@runtrace/sdk`.
 */

export type { Telemetry, TelemetryOptions } from "./setup.ts";
export { startTelemetry } from "./setup.ts";

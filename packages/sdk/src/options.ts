import { diag, type Meter, metrics, type Tracer, trace } from "@opentelemetry/api";
import { RUNNING_TOOL_CALL_REPORT_MS } from "@runtrace/semconv";
import { createInstruments, type Instruments } from "./instruments.ts";
import { SDK_NAME, SDK_VERSION } from "./version.ts";

/** Options of {@link createExecutionRecorder}, resolved once when the recorder is built. */
export interface ExecutionRecorderOptions {
  /**
   * Tracer for all spans.
   * @default trace.getTracer("@runtrace/sdk", SDK_VERSION) (the global tracer provider)
   */
  tracer?: Tracer;
  /**
   * Meter for the execution and tool-call metrics.
   * @default metrics.getMeter("@runtrace/sdk", SDK_VERSION), taken at the first recording
   */
  meter?: Meter;
  /**
   * Largest UTF-8 size of a recorded value (code, result, error, tool args and result,
   * interaction payload and response, log message). Longer values are cut at a character
   * boundary and flagged with `<key>.truncated = true`.
   * @default 65536
   */
  maxValueBytes?: number;
  /**
   * Record tool-call arguments as `executor.tool.args` (JSON). Off by default: arguments may
   * hold secrets or personal data.
   * @default false
   */
  recordToolArgs?: boolean;
  /**
   * Record tool-call results as `executor.tool.result` (JSON).
   * @default false
   */
  recordToolResults?: boolean;
  /**
   * Runtime name (`executor.runtime`) for executions that do not name their own.
   * @default undefined (attribute omitted)
   */
  runtime?: string;
  /**
   * Clock in epoch milliseconds, used for every timestamp attribute, span time and duration.
   * @default Date.now
   */
  now?: () => number;
  /**
   * A tool call still running after this many milliseconds is reported in a state span
   * (`executor.execution.active_tool_call_ids` …), so history shows it before its own span,
   * exported when it ends. Shorter calls cost nothing extra. `false` turns this off.
   * @default RUNNING_TOOL_CALL_REPORT_MS (1000)
   */
  reportRunningToolCallsAfterMs?: number | false;
}

/** Default of {@link ExecutionRecorderOptions.maxValueBytes}: 64 KiB. */
export const DEFAULT_MAX_VALUE_BYTES = 65_536;

/** The resolved options shared by every handle of one recorder. */
export interface RecorderCore {
  readonly tracer: Tracer;
  readonly maxValueBytes: number;
  readonly recordToolArgs: boolean;
  readonly recordToolResults: boolean;
  readonly runtime: string | undefined;
  readonly now: () => number;
  /** null: running tool calls are not reported. */
  readonly reportRunningToolCallsAfterMs: number | null;
  /** The recorder's instruments, created once, on first use. */
  instruments(): Instruments;
}

export function resolveOptions(options: ExecutionRecorderOptions = {}): RecorderCore {
  const tracer = options.tracer ?? trace.getTracer(SDK_NAME, SDK_VERSION);
  let instruments: Instruments | undefined;
  return {
    tracer,
    maxValueBytes: resolveMaxValueBytes(options.maxValueBytes),
    recordToolArgs: options.recordToolArgs ?? false,
    recordToolResults: options.recordToolResults ?? false,
    runtime: options.runtime,
    now: options.now ?? Date.now,
    reportRunningToolCallsAfterMs: resolveReportAfter(options.reportRunningToolCallsAfterMs),
    instruments() {
      // The API has no proxy meter provider: a meter taken before the SDK is registered stays a
      // no-op forever, so the default meter is looked up at the first recording, not here.
      instruments ??= createInstruments(options.meter ?? metrics.getMeter(SDK_NAME, SDK_VERSION));
      return instruments;
    },
  };
}

function resolveReportAfter(value: number | false | undefined): number | null {
  if (value === false) return null;
  if (value === undefined) return RUNNING_TOOL_CALL_REPORT_MS;
  if (Number.isFinite(value) && value >= 0) return value;
  diag.warn(
    `@runtrace/sdk: reportRunningToolCallsAfterMs must be a number ≥ 0 or false, got ${value}; using ${RUNNING_TOOL_CALL_REPORT_MS}`,
  );
  return RUNNING_TOOL_CALL_REPORT_MS;
}

function resolveMaxValueBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_VALUE_BYTES;
  if (Number.isInteger(value) && value > 0) return value;
  diag.warn(
    `@runtrace/sdk: maxValueBytes must be a positive integer, got ${value}; using ${DEFAULT_MAX_VALUE_BYTES}`,
  );
  return DEFAULT_MAX_VALUE_BYTES;
}

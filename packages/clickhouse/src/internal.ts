/**
 * @module
 * Internal: the row serializers the writer sends, for the benchmarks' raw baselines (they send
 * byte for byte the writer's bodies). Not part of the package's public surface; may change
 * with the writer.
 */
export { otelTracesNative } from "./rows/otel-traces-native.ts";
export { emptySpanRows } from "./rows/span-to-rows.ts";
export {
  EXECUTION_COLUMNS,
  executionLine,
  OTEL_TRACES_COLUMNS,
  otelTracesLine,
  TOOL_CALL_COLUMNS,
  toolCallLine,
} from "./rows/tables.ts";

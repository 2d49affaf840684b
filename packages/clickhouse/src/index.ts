/**
 * @module
 * runtrace's one ClickHouse access layer: connection (embedded or server), migrations, the
 * span → rows mapping, the batching writer and the OpenTelemetry exporters built on it.
 */

/** Connection */
export {
  type ClickHouse,
  createClickHouse,
  type QueryParams,
  type ReadOptions,
  type WriteLane,
} from "./connection/client.ts";
export {
  type ClickHouseConfig,
  redactUrl,
  resolveClickHouseConfig,
} from "./connection/config.ts";
export { DataDirectoryLockedError, EmbeddedOpenError } from "./connection/errors.ts";
export {
  inlineParams,
  quoteString,
  SqlLiteralError,
  sqlLiteral,
} from "./connection/sql-literal.ts";
export { fromOtelAttributes } from "./exporter/attributes.ts";
export {
  ClickHouseMetricExporter,
  type ClickHouseMetricExporterOptions,
  metricRowsFromResourceMetrics,
} from "./exporter/metric-exporter.ts";
/** OpenTelemetry exporters */
export {
  ClickHouseSpanExporter,
  type ClickHouseSpanExporterOptions,
} from "./exporter/span-exporter.ts";
export { spanInputFromReadable } from "./exporter/span-input-from-readable.ts";
/** Reading */
export { readArrivalBoundary } from "./read/arrival.ts";
export {
  currentVersion,
  type RunFilter,
  type StoredRun,
  selectRuns,
  UNFINISHED_SNAPSHOT,
} from "./read/runs.ts";
export {
  type BucketQuantile,
  bucketQuantiles,
  bucketRangeUs,
  DURATION_BUCKET_BOUNDS_US,
  durationBucket,
  durationBucketSql,
} from "./rows/duration-buckets.ts";
export { errorGroupSql, errorPatternSql } from "./rows/error-groups.ts";
export type {
  ExecutionRow,
  InteractionRow,
  RejectReason,
  SpanRows,
  ToolCallRow,
  ToolCallStat,
} from "./rows/rows.ts";
export { DEFAULT_SCOPE, type MapOptions, mapSpans } from "./rows/span-to-rows.ts";
export { EXECUTION_COLUMNS, OTEL_TRACES_COLUMNS } from "./rows/tables.ts";
export { exactMatcher, namespaceMatcher, runToolMatchers } from "./rows/tool-matchers.ts";
/** Schema */
export {
  MIGRATIONS,
  type MigrateOptions,
  type MigrateResult,
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
} from "./schema/migrate.ts";
export { retentionCutoffMs } from "./schema/retention.ts";
export { RUN_COUNTS_PERIOD_SECONDS, TOOL_COUNTS_PERIOD_SECONDS } from "./schema/v3-run-rollups.ts";
export { DAY_SECONDS, HOUR_SECONDS } from "./schema/v11-duration-counts.ts";
export {
  BatchingWriter,
  type BatchingWriterOptions,
  type WriteOptions,
  type WriterStats,
} from "./writer/batching-writer.ts";
export type { WriteResult } from "./writer/result.ts";
/** Writing */
export { briefError } from "./writer/retryable.ts";
export { CHILD_START_SLACK_MS } from "./writer/run-state.ts";
export { runVersion } from "./writer/run-version.ts";

import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/**
 * Schema version 1: the span store, the run tables and the metrics tables.
 *
 * Every table is partitioned by day on the time its TTL reads, with `ttl_only_drop_parts = 1`,
 * so retention drops whole daily parts instead of rewriting them. Every table keeps a
 * `non_replicated_deduplication_window`, so a batch retried with the same
 * `insert_deduplication_token` is stored once.
 */
const TABLE_SETTINGS =
  "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000";

export const v1Initial: Migration = {
  version: 1,
  name: "span store, run tables and metrics tables",
  statements: ({ retentionDays }) => [
    // The OpenTelemetry Collector ClickHouse exporter's table, column for column, so Grafana's
    // ClickHouse data source (OTel mode) and ClickStack read it as they read the exporter's.
    // Extra columns keep attribute types (the exporter stringifies every value): a key appears
    // in *AttributeTypes only when its value is not a string (int, double, bool, bytes, array,
    // kvlist), so an int stays an int through the Jaeger API.
    // ReplacingMergeTree on a key that ends in SpanId: a span delivered twice outside the
    // writer's de-duplication window collapses at merge time instead of living on twice.
    `CREATE TABLE IF NOT EXISTS otel_traces (
      Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
      TraceId String CODEC(ZSTD(1)),
      SpanId String CODEC(ZSTD(1)),
      ParentSpanId String CODEC(ZSTD(1)),
      TraceState String CODEC(ZSTD(1)),
      SpanName LowCardinality(String) CODEC(ZSTD(1)),
      SpanKind LowCardinality(String) CODEC(ZSTD(1)),
      ServiceName LowCardinality(String) CODEC(ZSTD(1)),
      ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      ScopeName String CODEC(ZSTD(1)),
      ScopeVersion String CODEC(ZSTD(1)),
      SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      Duration UInt64 CODEC(T64, ZSTD(1)),
      StatusCode LowCardinality(String) CODEC(ZSTD(1)),
      StatusMessage String CODEC(ZSTD(1)),
      Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
      ) CODEC(ZSTD(1)),
      Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
      ) CODEC(ZSTD(1)),
      ResourceAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))')),
      SpanAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))')),
      ResourceAttributeTypes Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
      SpanAttributeTypes Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
      EventAttributeTypes Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1)),
      LinkAttributeTypes Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1)),
      INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
      INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toDate(Timestamp)
    PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))
    ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp, SpanId)
    ${ttl("toDateTime(Timestamp)", retentionDays)}
    ${TABLE_SETTINGS}`,

    // One row per FINISHED execution (completed, failed, cancelled), written once: the writer
    // looks the key up before inserting, so lists and counts read this table without FINAL.
    // ReplacingMergeTree is only the safety net for two collector processes racing on one run.
    // ORDER BY (scope_id, created_at, execution_id): every run-history query is "one scope,
    // a time range, newest first"; created_at is immutable, so the key never moves, and
    // (scope_id, created_at, execution_id) also locates one run exactly.
    `CREATE TABLE IF NOT EXISTS executions (${executionColumns()},
      INDEX idx_execution_id execution_id TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_status status TYPE set(8) GRANULARITY 4,
      INDEX idx_trigger trigger_kind TYPE set(256) GRANULARITY 4,
      INDEX idx_duration duration_ms TYPE minmax GRANULARITY 4,
      INDEX idx_updated_at updated_at TYPE minmax GRANULARITY 4,
      INDEX idx_code lower(code) TYPE ngrambf_v1(3, 65536, 2, 0) GRANULARITY 1
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toDate(created_at)
    ORDER BY (scope_id, created_at, execution_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    ${TABLE_SETTINGS}`,

    // Snapshots of UNFINISHED executions (pending, running, waiting_for_interaction), from
    // state spans and paused segments. Kept small on purpose: the writer drops snapshots that a
    // final row supersedes and deletes stored ones once the run finishes, so FINAL (the latest
    // snapshot per run) stays cheap here. Same key as executions, so "not finished" is a
    // primary-key anti-join.
    `CREATE TABLE IF NOT EXISTS execution_states (${executionColumns()},
      INDEX idx_execution_id execution_id TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_updated_at updated_at TYPE minmax GRANULARITY 1
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toDate(created_at)
    ORDER BY (scope_id, created_at, execution_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    ${TABLE_SETTINGS}`,

    // One row per tool call. ORDER BY (scope_id, started_at, ...): the tool filter and tool
    // facets read one scope over a time range; an execution's calls are found inside its own
    // [created_at, completed_at] window, then by execution_id (bloom filter).
    `CREATE TABLE IF NOT EXISTS tool_calls (
      scope_id LowCardinality(String),
      execution_id String,
      span_id String,
      trace_id String,
      parent_span_id String,
      tool_call_id String,
      tool_path LowCardinality(String),
      namespace LowCardinality(String),
      status LowCardinality(String),
      error String CODEC(ZSTD(3)),
      error_type LowCardinality(String),
      args String CODEC(ZSTD(3)),
      args_truncated Bool,
      result String CODEC(ZSTD(3)),
      result_truncated Bool,
      started_at DateTime64(6) CODEC(Delta(8), ZSTD(1)),
      completed_at DateTime64(6) CODEC(Delta(8), ZSTD(1)),
      duration_us UInt64 CODEC(T64, ZSTD(1)),
      service_name LowCardinality(String),
      INDEX idx_execution_id execution_id TYPE bloom_filter(0.001) GRANULARITY 1,
      INDEX idx_tool_path tool_path TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_namespace namespace TYPE set(256) GRANULARITY 4
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toDate(started_at)
    ORDER BY (scope_id, started_at, execution_id, span_id)
    ${ttl("toDateTime(started_at)", retentionDays)}
    ${TABLE_SETTINGS}`,

    // One row per finished interaction (elicitation); a pending one lives on its execution's
    // snapshot until it ends.
    `CREATE TABLE IF NOT EXISTS interactions (
      scope_id LowCardinality(String),
      execution_id String,
      interaction_id String,
      span_id String,
      trace_id String,
      kind LowCardinality(String),
      purpose String,
      status LowCardinality(String),
      payload String CODEC(ZSTD(3)),
      payload_truncated Bool,
      response String CODEC(ZSTD(3)),
      response_truncated Bool,
      created_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
      resolved_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
      service_name LowCardinality(String),
      INDEX idx_execution_id execution_id TYPE bloom_filter(0.001) GRANULARITY 1
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toDate(created_at)
    ORDER BY (scope_id, created_at, execution_id, span_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    ${TABLE_SETTINGS}`,

    // The collector exporter's metrics tables (sum, gauge, histogram), same names and types.
    `CREATE TABLE IF NOT EXISTS otel_metrics_sum (${metricCommonColumns()},
      Value Float64 CODEC(ZSTD(1)),
      Flags UInt32 CODEC(ZSTD(1)),
      ${exemplarColumns()},
      AggregationTemporality Int32 CODEC(ZSTD(1)),
      IsMonotonic Boolean CODEC(Delta, ZSTD(1)),
      ${metricIndexes()}
    ) ENGINE = MergeTree
    PARTITION BY toDate(TimeUnix)
    ORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)
    ${ttl("toDateTime(TimeUnix)", retentionDays)}
    ${TABLE_SETTINGS}`,
    `CREATE TABLE IF NOT EXISTS otel_metrics_gauge (${metricCommonColumns()},
      Value Float64 CODEC(ZSTD(1)),
      Flags UInt32 CODEC(ZSTD(1)),
      ${exemplarColumns()},
      ${metricIndexes()}
    ) ENGINE = MergeTree
    PARTITION BY toDate(TimeUnix)
    ORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)
    ${ttl("toDateTime(TimeUnix)", retentionDays)}
    ${TABLE_SETTINGS}`,
    `CREATE TABLE IF NOT EXISTS otel_metrics_histogram (${metricCommonColumns()},
      Count UInt64 CODEC(Delta, ZSTD(1)),
      Sum Float64 CODEC(ZSTD(1)),
      BucketCounts Array(UInt64) CODEC(ZSTD(1)),
      ExplicitBounds Array(Float64) CODEC(ZSTD(1)),
      ${exemplarColumns()},
      Flags UInt32 CODEC(ZSTD(1)),
      Min Float64 CODEC(ZSTD(1)),
      Max Float64 CODEC(ZSTD(1)),
      AggregationTemporality Int32 CODEC(ZSTD(1)),
      ${metricIndexes()}
    ) ENGINE = MergeTree
    PARTITION BY toDate(TimeUnix)
    ORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)
    ${ttl("toDateTime(TimeUnix)", retentionDays)}
    ${TABLE_SETTINGS}`,
  ],
};

/** Columns shared by `executions` (final rows) and `execution_states` (snapshots). */
function executionColumns(): string {
  return `
      scope_id LowCardinality(String),
      execution_id String,
      created_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
      started_at Nullable(DateTime64(3)),
      completed_at Nullable(DateTime64(3)),
      duration_ms Nullable(Int64),
      updated_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
      status LowCardinality(String),
      trigger_kind LowCardinality(String),
      trigger_meta String CODEC(ZSTD(3)),
      runtime LowCardinality(String),
      code String CODEC(ZSTD(3)),
      code_truncated Bool,
      code_preview String MATERIALIZED leftUTF8(trimBoth(replaceRegexpAll(code, '\\\\s+', ' ')), 200),
      result String CODEC(ZSTD(3)),
      result_truncated Bool,
      error String CODEC(ZSTD(3)),
      error_type LowCardinality(String),
      logs String CODEC(ZSTD(3)),
      tool_call_count UInt32,
      interaction_count UInt32,
      has_elicitation Bool,
      pending_interaction_id String,
      pending_interaction_kind LowCardinality(String),
      pending_interaction_purpose String,
      pending_interaction_payload String CODEC(ZSTD(3)),
      pending_interaction_created_at Nullable(DateTime64(3)),
      trace_id String,
      span_id String,
      service_name LowCardinality(String),
      segment UInt16,
      version UInt64`;
}

function metricCommonColumns(): string {
  return `
      ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      ResourceSchemaUrl String CODEC(ZSTD(1)),
      ScopeName String CODEC(ZSTD(1)),
      ScopeVersion String CODEC(ZSTD(1)),
      ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),
      ScopeSchemaUrl String CODEC(ZSTD(1)),
      ServiceName LowCardinality(String) CODEC(ZSTD(1)),
      MetricName String CODEC(ZSTD(1)),
      MetricDescription String CODEC(ZSTD(1)),
      MetricUnit String CODEC(ZSTD(1)),
      Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
      StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
      TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1))`;
}

function exemplarColumns(): string {
  return `Exemplars Nested (
        FilteredAttributes Map(LowCardinality(String), String),
        TimeUnix DateTime64(9),
        Value Float64,
        SpanId String,
        TraceId String
      ) CODEC(ZSTD(1))`;
}

function metricIndexes(): string {
  return `INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1`;
}

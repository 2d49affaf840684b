import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/**
 * Schema version 2: lookup tables keyed by id, each fed by a materialized view and back-filled
 * from the rows already stored when a version-1 data directory is upgraded.
 */
export const v2Lookups: Migration = {
  version: 2,
  name: "trace-id and execution-id lookup tables",
  statements: ({ retentionDays }) => [
    // The collector exporter's trace-id → time-range table, which Grafana's ClickHouse data
    // source uses to bound a trace-by-id read to the trace's own minutes.
    `CREATE TABLE IF NOT EXISTS otel_traces_trace_id_ts (
      TraceId String CODEC(ZSTD(1)),
      Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
      End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))
    ) ENGINE = AggregatingMergeTree
    PARTITION BY toStartOfWeek(Start)
    ORDER BY (TraceId)
    ${ttl("Start", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv TO otel_traces_trace_id_ts
    AS SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
    FROM otel_traces WHERE TraceId != '' GROUP BY TraceId`,
    `INSERT INTO otel_traces_trace_id_ts
    SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
    FROM otel_traces WHERE TraceId != '' GROUP BY TraceId`,

    // execution_id → the run's primary key (scope_id, created_at): a lookup by id becomes two
    // primary-key reads instead of a bloom-filter scan over every day.
    `CREATE TABLE IF NOT EXISTS execution_ids (
      execution_id String,
      scope_id LowCardinality(String),
      created_at DateTime64(3),
      trace_id String
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toStartOfWeek(created_at)
    ORDER BY (execution_id)
    ${ttl("toDateTime(created_at)", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS execution_ids_from_executions_mv TO execution_ids
    AS SELECT execution_id, scope_id, created_at, trace_id FROM executions`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS execution_ids_from_states_mv TO execution_ids
    AS SELECT execution_id, scope_id, created_at, trace_id FROM execution_states`,
    `INSERT INTO execution_ids
    SELECT execution_id, scope_id, created_at, trace_id FROM executions
    UNION ALL
    SELECT execution_id, scope_id, created_at, trace_id FROM execution_states`,
  ],
};

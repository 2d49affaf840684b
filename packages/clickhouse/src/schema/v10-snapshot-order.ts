import type { Migration } from "./migration.ts";
import { ttl } from "./retention.ts";

/**
 * Schema version 10: `execution_snapshots`, the order facts of every snapshot span (state span
 * or segment end) that carries `executor.execution.seq` — its run, span, sequence number,
 * final-ness and end. The run tables keep only the winning snapshot (`execution_states`
 * replaces older ones and its rows are deleted once the run finishes), and state spans are not
 * in `otel_traces`; this is what lets the conformance check find a state span numbered after
 * its run's final span, whatever order they arrived in. A few dozen bytes per snapshot.
 */
export const v10SnapshotOrder: Migration = {
  version: 10,
  name: "snapshot order facts",
  statements: ({ retentionDays }) => [
    `CREATE TABLE IF NOT EXISTS execution_snapshots (
      service_name LowCardinality(String),
      scope_id LowCardinality(String),
      execution_id String,
      span_id String,
      trace_id String,
      span_name LowCardinality(String),
      seq UInt64,
      final Bool,
      ended_at DateTime64(3) CODEC(Delta(8), ZSTD(1))
    ) ENGINE = ReplacingMergeTree
    PARTITION BY toDate(ended_at)
    ORDER BY (service_name, execution_id, span_id)
    ${ttl("toDateTime(ended_at)", retentionDays)}
    SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000`,
  ],
};

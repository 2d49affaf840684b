import { status } from "@grpc/grpc-js";
import type { BatchingWriter, ClickHouse } from "@runtrace/clickhouse";
import type { OtlpForwarder } from "./forward/otlp-forwarder.ts";
import type { IngestStats } from "./ingest-stats.ts";

const PARTS_CACHE_MILLIS = 10_000;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Renders the collector's counters in the Prometheus text format (version 0.0.4). */
export class PrometheusMetrics {
  readonly #ch: ClickHouse;
  readonly #writer: BatchingWriter;
  readonly #stats: IngestStats;
  readonly #forwarder: OtlpForwarder | undefined;
  #parts: { at: number; rows: { table: string; parts: number }[] } | undefined;

  constructor(
    ch: ClickHouse,
    writer: BatchingWriter,
    stats: IngestStats,
    forwarder?: OtlpForwarder,
  ) {
    this.#ch = ch;
    this.#writer = writer;
    this.#stats = stats;
    this.#forwarder = forwarder;
  }

  async #activeParts(): Promise<{ table: string; parts: number }[]> {
    if (this.#parts && performance.now() - this.#parts.at < PARTS_CACHE_MILLIS)
      return this.#parts.rows;
    try {
      const rows = await this.#ch.select<{ table: string; parts: number }>(
        "SELECT table, toUInt32(count()) AS parts FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table",
      );
      this.#parts = { at: performance.now(), rows };
      return rows;
    } catch {
      return this.#parts?.rows ?? [];
    }
  }

  async render(): Promise<string> {
    const s = this.#stats;
    const w = this.#writer.stats();
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric(
      "runtrace_collector_requests_total",
      "counter",
      "OTLP/HTTP requests by signal and HTTP status.",
      [...s.requests]
        .filter(([key]) => key.startsWith("http\u0000"))
        .map(([key, n]) => {
          const [, signal, status] = key.split("\u0000");
          return [`{signal="${signal}",code="${status}"}`, n];
        }),
    );
    metric(
      "runtrace_collector_grpc_requests_total",
      "counter",
      "OTLP/gRPC calls by signal and gRPC status (OK, RESOURCE_EXHAUSTED, UNAVAILABLE, INVALID_ARGUMENT, UNAUTHENTICATED, …).",
      [...s.requests]
        .filter(([key]) => key.startsWith("grpc\u0000"))
        .map(([key, n]) => {
          const [, signal, code] = key.split("\u0000");
          return [`{signal="${signal}",code="${grpcCodeName(Number(code))}"}`, n];
        }),
    );
    metric("runtrace_collector_spans_accepted_total", "counter", "Spans stored.", [
      ["", s.spansAccepted],
    ]);
    metric(
      "runtrace_collector_spans_rejected_total",
      "counter",
      "Spans rejected (reported in partialSuccess), by reason.",
      [...s.spansRejected].map(([reason, n]) => [`{reason="${escapeLabel(reason)}"}`, n]),
    );
    metric("runtrace_collector_metric_points_accepted_total", "counter", "Metric points stored.", [
      ["", s.pointsAccepted],
    ]);
    metric(
      "runtrace_collector_metric_points_rejected_total",
      "counter",
      "Metric points rejected.",
      [["", s.pointsRejected]],
    );
    metric(
      "runtrace_collector_metric_points_scope_rejected_total",
      "counter",
      "Metric points refused for their scope (RUNTRACE_INGEST_TOKENS), by reason.",
      [...s.pointsRejectedByReason].map(([reason, n]) => [`{reason="${escapeLabel(reason)}"}`, n]),
    );
    metric("runtrace_writer_retries_total", "counter", "Insert attempts retried.", [
      ["", w.retries],
    ]);
    metric(
      "runtrace_writer_failed_batches_total",
      "counter",
      "Batches that failed every attempt.",
      [["", w.failedBatches]],
    );
    metric(
      "runtrace_writer_duplicates_dropped_total",
      "counter",
      "Re-delivered spans and rows not stored again.",
      [["", w.duplicatesDropped]],
    );
    metric("runtrace_writer_queue_rows", "gauge", "Rows waiting to be written.", [
      ["", w.queueRows],
    ]);
    metric(
      "runtrace_writer_queue_bytes",
      "gauge",
      "Bytes of the requests waiting to be written or being written (RUNTRACE_MAX_QUEUE_BYTES bounds them).",
      [["", w.queueBytes]],
    );
    metric("runtrace_writer_insert_duration_seconds", "summary", "Time to write one batch.", [
      ["_sum", w.insertMillisTotal / 1000],
      ["_count", w.batchesWritten],
    ]);
    metric("runtrace_writer_last_insert_duration_seconds", "gauge", "Time the last batch took.", [
      ["", w.lastInsertMillis / 1000],
    ]);
    const forwarder = this.#forwarder;
    if (forwarder) {
      metric(
        "runtrace_forward_requests_total",
        "counter",
        "Copies of stored requests sent to RUNTRACE_FORWARD_OTLP_ENDPOINT, by result: ok, failed (error, non-2xx or timeout), dropped (over the in-flight bound).",
        forwarder
          .counts()
          .map(({ signal, result, n }) => [`{signal="${signal}",result="${result}"}`, n]),
      );
      metric("runtrace_forward_in_flight", "gauge", "Copies being sent.", [
        ["", forwarder.inFlight],
      ]);
      metric("runtrace_forward_in_flight_bytes", "gauge", "Bytes of the copies being sent.", [
        ["", forwarder.inFlightBytes],
      ]);
    }
    metric(
      "runtrace_clickhouse_active_parts",
      "gauge",
      "Active data parts per table.",
      (await this.#activeParts()).map((r) => [
        `{table="${escapeLabel(r.table)}"}`,
        Number(r.parts),
      ]),
    );
    return `${lines.join("\n")}\n`;
  }
}

/** A gRPC status code's name (grpc-js's `status` enum maps numbers back to names). */
function grpcCodeName(code: number): string {
  return status[code] ?? String(code);
}

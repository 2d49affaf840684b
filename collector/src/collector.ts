import { BatchingWriter, briefError, type ClickHouse } from "@runtrace/clickhouse";
import type { Hono } from "hono";
import { createCollectorApp } from "./app.ts";
import { type CollectorConfig, resolveCollectorConfig } from "./config.ts";
import { OtlpForwarder } from "./forward/otlp-forwarder.ts";
import type { GrpcReceiverOptions } from "./grpc/server.ts";
import { IngestStats } from "./ingest-stats.ts";

export interface Collector {
  app: Hono;
  writer: BatchingWriter;
  config: CollectorConfig;
  /** Copies stored requests to `RUNTRACE_FORWARD_OTLP_ENDPOINT`, when set. */
  forwarder: OtlpForwarder | undefined;
  /** What the OTLP/gRPC receiver needs (see `listenGrpc`): the same writer, limits and token. */
  grpc: GrpcReceiverOptions;
  /** Writes everything accepted; the HTTP and gRPC servers must be closed first. */
  close(): Promise<void>;
}

/**
 * The collector on an open ClickHouse: the batching writer every request group-commits into,
 * and the HTTP app. Listening is the caller's (see `listen`).
 */
export function createCollector(
  clickhouse: ClickHouse,
  options: Partial<CollectorConfig> = {},
): Collector {
  const config = resolveCollectorConfig(options);
  const writer = new BatchingWriter(clickhouse, {
    dedupWindowSpans: config.dedupWindowSpans,
    maxQueueRows: config.maxQueueRows,
    maxQueueBytes: config.maxQueueBytes,
    // Under load, fewer and larger inserts: each insert has a fixed cost in the engine.
    maxBatchRows: 30_000,
    // A request waits for its batch: give up soon enough to answer 503 well inside the OTLP
    // exporters' 10 s timeout, so they retry instead of timing out.
    maxAttempts: 4,
    initialBackoffMillis: 200,
    maxBackoffMillis: 2_000,
    onError: (error) => console.error(`collector: insert failed: ${briefError(error, 1_000)}`),
  });
  const forwarder = config.forwardEndpoint
    ? new OtlpForwarder({
        endpoint: config.forwardEndpoint,
        signals: config.forwardSignals,
        timeoutMillis: config.forwardTimeoutMillis,
        maxInFlight: config.forwardMaxInFlight,
        maxInFlightBytes: config.forwardMaxInFlightBytes,
      })
    : undefined;
  const stats = new IngestStats();
  const app = createCollectorApp({
    clickhouse,
    writer,
    maxBodyBytes: config.maxBodyBytes,
    ingestTokens: config.ingestTokens,
    forwarder,
    stats,
  });
  const grpc: GrpcReceiverOptions = {
    writer,
    stats,
    maxMessageBytes: config.maxBodyBytes,
    ingestTokens: config.ingestTokens,
    forwarder,
  };
  return {
    app,
    writer,
    config,
    forwarder,
    grpc,
    async close() {
      await writer.close();
      await forwarder?.close();
    },
  };
}

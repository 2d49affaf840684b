import { BatchingWriter, type ClickHouse } from "@runtrace/clickhouse";
import type { Hono } from "hono";
import { createCollectorApp } from "./app.ts";
import { type CollectorConfig, resolveCollectorConfig } from "./config.ts";

export interface Collector {
  app: Hono;
  writer: BatchingWriter;
  config: CollectorConfig;
  /** Writes everything accepted; the HTTP server must be closed first. */
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
    // Under load, fewer and larger inserts: each insert has a fixed cost in the engine.
    maxBatchRows: 30_000,
    // A request waits for its batch: give up soon enough to answer 503 well inside the OTLP
    // exporters' 10 s timeout, so they retry instead of timing out.
    maxAttempts: 4,
    initialBackoffMillis: 200,
    maxBackoffMillis: 2_000,
    onError: (error) =>
      console.error(`collector: insert failed: ${(error as Error).message ?? error}`),
  });
  const app = createCollectorApp({
    clickhouse,
    writer,
    maxBodyBytes: config.maxBodyBytes,
    ingestToken: config.ingestToken,
  });
  return { app, writer, config, close: () => writer.close() };
}

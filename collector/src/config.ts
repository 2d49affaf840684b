import { parseInteger } from "@runtrace/clickhouse";

/** The collector's settings, resolved once at start-up. */
export interface CollectorConfig {
  /** @default process.env.RUNTRACE_COLLECTOR_PORT ?? 4318 */
  port: number;
  /** @default process.env.RUNTRACE_HOST ?? "127.0.0.1" */
  host: string;
  /**
   * Largest request body accepted, measured after decompression.
   * @default process.env.RUNTRACE_MAX_BODY_BYTES ?? 64 MiB
   */
  maxBodyBytes: number;
  /** When set, `POST /v1/*` needs `Authorization: Bearer <token>`. @default process.env.RUNTRACE_INGEST_TOKEN */
  ingestToken: string | undefined;
  /**
   * Span ids remembered to recognise a re-delivered span; size it to spans/s × the clients'
   * retry horizon (the OTel JS exporter retries for up to 10 s).
   * @default process.env.RUNTRACE_DEDUP_WINDOW_SPANS ?? 262144
   */
  dedupWindowSpans: number;
  /**
   * Rows waiting to be written beyond which requests get 429: at a few seconds of write
   * throughput, so queued requests are answered well inside the exporters' 10 s timeout.
   * @default process.env.RUNTRACE_MAX_QUEUE_ROWS ?? 60000
   */
  maxQueueRows: number;
}

export function resolveCollectorConfig(
  options: Partial<CollectorConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  return {
    port: parseInteger({
      key: "RUNTRACE_COLLECTOR_PORT",
      value: options.port ?? env.RUNTRACE_COLLECTOR_PORT,
      fallback: 4318,
      min: 0,
      max: 65_535,
    }),
    host: options.host ?? (env.RUNTRACE_HOST || "127.0.0.1"),
    maxBodyBytes: parseInteger({
      key: "RUNTRACE_MAX_BODY_BYTES",
      value: options.maxBodyBytes ?? env.RUNTRACE_MAX_BODY_BYTES,
      fallback: 64 * 1024 * 1024,
      min: 1024,
      max: 1024 * 1024 * 1024,
    }),
    ingestToken: options.ingestToken ?? (env.RUNTRACE_INGEST_TOKEN || undefined),
    dedupWindowSpans: parseInteger({
      key: "RUNTRACE_DEDUP_WINDOW_SPANS",
      value: options.dedupWindowSpans ?? env.RUNTRACE_DEDUP_WINDOW_SPANS,
      fallback: 262_144,
      min: 0,
      max: 50_000_000,
    }),
    maxQueueRows: parseInteger({
      key: "RUNTRACE_MAX_QUEUE_ROWS",
      value: options.maxQueueRows ?? env.RUNTRACE_MAX_QUEUE_ROWS,
      fallback: 60_000,
      min: 1_000,
      max: 10_000_000,
    }),
  };
}

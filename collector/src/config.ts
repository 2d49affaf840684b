import {
  ConfigError,
  type Environment,
  parseInteger,
  parseTokenScopes,
  type TokenScopes,
} from "@runtrace/config";
import { FORWARD_SIGNALS, type ForwardSignal } from "./forward/otlp-forwarder.ts";

/** The collector's settings, resolved once at start-up. */
export interface CollectorConfig {
  /** @default `RUNTRACE_COLLECTOR_PORT` of the environment passed ?? 4318 */
  port: number;
  /** @default `RUNTRACE_HOST` of the environment passed ?? "127.0.0.1" */
  host: string;
  /**
   * The OTLP/gRPC port (`runtrace start` and `runtrace collector` listen on it beside HTTP);
   * `null`: no gRPC (`RUNTRACE_GRPC_PORT=off`).
   * @default `RUNTRACE_GRPC_PORT` of the environment passed ?? 4317
   */
  grpcPort: number | null;
  /**
   * Largest request body accepted, measured after decompression.
   * @default `RUNTRACE_MAX_BODY_BYTES` of the environment passed ?? 64 MiB
   */
  maxBodyBytes: number;
  /** When set, `POST /v1/*` needs `Authorization: Bearer <token>`. @default `RUNTRACE_INGEST_TOKEN` of the environment passed */
  ingestToken: string | undefined;
  /**
   * Ingest tokens and the scopes each may write (`token=scopeA,scopeB;token2=*`); the single
   * `ingestToken` joins them as a token for every scope. Unset (and no `ingestToken`): open.
   * @default `RUNTRACE_INGEST_TOKENS` of the environment passed
   */
  ingestTokens: TokenScopes | undefined;
  /**
   * Span ids remembered to recognise a re-delivered span; size it to spans/s × the clients'
   * retry horizon (the OTel JS exporter retries for up to 10 s).
   * @default `RUNTRACE_DEDUP_WINDOW_SPANS` of the environment passed ?? 262144
   */
  dedupWindowSpans: number;
  /**
   * Rows waiting to be written beyond which requests get 429: at a few seconds of write
   * throughput, so queued requests are answered well inside the exporters' 10 s timeout.
   * @default `RUNTRACE_MAX_QUEUE_ROWS` of the environment passed ?? 60000
   */
  maxQueueRows: number;
  /**
   * Bytes of requests waiting to be written or being written (their size after decompression)
   * beyond which requests get 429: the rows bound alone lets a queue of large spans (64 KiB of
   * code each) grow to gigabytes. At least `maxBodyBytes`, or a request of the largest size
   * could never be taken while anything waits; one near that size waits for a queue about
   * empty (lower `maxBodyBytes` to let large requests in sooner under steady load).
   * @default `RUNTRACE_MAX_QUEUE_BYTES` of the environment passed ?? maxBodyBytes (64 MiB)
   */
  maxQueueBytes: number;
  /**
   * An OTLP/HTTP base URL (`http://jaeger:4318`) that every stored request is also sent to,
   * unchanged, at `/v1/traces` and `/v1/metrics`. Unset: no copies.
   * @default `RUNTRACE_FORWARD_OTLP_ENDPOINT` of the environment passed
   */
  forwardEndpoint: string | undefined;
  /** Signals copied. @default `RUNTRACE_FORWARD_SIGNALS` of the environment passed ?? "traces,metrics" */
  forwardSignals: readonly ForwardSignal[];
  /** Longest one copy may take. @default `RUNTRACE_FORWARD_TIMEOUT_MS` of the environment passed ?? 5000 */
  forwardTimeoutMillis: number;
  /** Copies in flight beyond which more are dropped. @default `RUNTRACE_FORWARD_MAX_IN_FLIGHT` of the environment passed ?? 64 */
  forwardMaxInFlight: number;
  /**
   * Bytes of the copies in flight beyond which more are dropped.
   * @default `RUNTRACE_FORWARD_MAX_IN_FLIGHT_BYTES` of the environment passed ?? 32 MiB
   */
  forwardMaxInFlightBytes: number;
}

/** Checks a forward endpoint: a base http(s) URL that fetch can post to. */
export function parseForwardEndpoint(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const key = "RUNTRACE_FORWARD_OTLP_ENDPOINT";
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(
      key,
      `"${value}" is not a URL; expected an OTLP/HTTP base URL such as http://jaeger:4318`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(key, `expected an http or https URL, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new ConfigError(key, "credentials in the URL are not supported");
  }
  if (url.search || url.hash) {
    throw new ConfigError(
      key,
      "expected a base URL without query or fragment; /v1/traces and /v1/metrics are appended",
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function parseSignals(value: string | readonly ForwardSignal[] | undefined): ForwardSignal[] {
  if (value === undefined || value === "") return [...FORWARD_SIGNALS];
  const names = typeof value === "string" ? value.split(",").map((s) => s.trim()) : [...value];
  const signals: ForwardSignal[] = [];
  for (const name of names) {
    if (!FORWARD_SIGNALS.includes(name as ForwardSignal)) {
      throw new ConfigError(
        "RUNTRACE_FORWARD_SIGNALS",
        `unknown signal "${name}"; expected a comma list of ${FORWARD_SIGNALS.join(", ")}`,
      );
    }
    if (!signals.includes(name as ForwardSignal)) signals.push(name as ForwardSignal);
  }
  if (signals.length === 0) {
    throw new ConfigError("RUNTRACE_FORWARD_SIGNALS", "names no signal");
  }
  return signals;
}

/** The scoped tokens and the single every-scope token, as one map. */
function ingestTokensOf(
  scoped: TokenScopes | undefined,
  single: string | undefined,
): TokenScopes | undefined {
  if (single === undefined) return scoped;
  const scopes = scoped?.get(single);
  if (scopes !== undefined && scopes !== null) {
    throw new ConfigError(
      "RUNTRACE_INGEST_TOKENS",
      "gives RUNTRACE_INGEST_TOKEN's token limited scopes; RUNTRACE_INGEST_TOKEN may write every scope: use one of the two for it",
    );
  }
  return new Map([...(scoped ?? []), [single, null]]);
}

export function resolveCollectorConfig(
  options: Partial<CollectorConfig> = {},
  env: Environment = {},
): CollectorConfig {
  const maxBodyBytes = parseInteger({
    key: "RUNTRACE_MAX_BODY_BYTES",
    value: options.maxBodyBytes ?? env.RUNTRACE_MAX_BODY_BYTES,
    fallback: 64 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
  });
  const maxQueueBytes = parseInteger({
    key: "RUNTRACE_MAX_QUEUE_BYTES",
    value: options.maxQueueBytes ?? env.RUNTRACE_MAX_QUEUE_BYTES,
    fallback: maxBodyBytes,
    min: 1024,
    max: 64 * 1024 * 1024 * 1024,
  });
  if (maxQueueBytes < maxBodyBytes) {
    throw new ConfigError(
      "RUNTRACE_MAX_QUEUE_BYTES",
      `${maxQueueBytes} is below RUNTRACE_MAX_BODY_BYTES (${maxBodyBytes}): a request of the largest accepted size could never be taken while anything waits; raise it or lower RUNTRACE_MAX_BODY_BYTES`,
    );
  }
  const ingestToken = options.ingestToken ?? (env.RUNTRACE_INGEST_TOKEN || undefined);
  return {
    port: parseInteger({
      key: "RUNTRACE_COLLECTOR_PORT",
      value: options.port ?? env.RUNTRACE_COLLECTOR_PORT,
      fallback: 4318,
      min: 0,
      max: 65_535,
    }),
    host: options.host ?? (env.RUNTRACE_HOST || "127.0.0.1"),
    grpcPort:
      options.grpcPort !== undefined
        ? options.grpcPort
        : env.RUNTRACE_GRPC_PORT?.trim().toLowerCase() === "off"
          ? null
          : parseInteger({
              key: "RUNTRACE_GRPC_PORT",
              value: env.RUNTRACE_GRPC_PORT,
              fallback: 4317,
              min: 0,
              max: 65_535,
            }),
    maxBodyBytes,
    ingestToken,
    ingestTokens: ingestTokensOf(
      options.ingestTokens ??
        parseTokenScopes("RUNTRACE_INGEST_TOKENS", env.RUNTRACE_INGEST_TOKENS),
      ingestToken,
    ),
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
    maxQueueBytes,
    forwardEndpoint: parseForwardEndpoint(
      options.forwardEndpoint ?? env.RUNTRACE_FORWARD_OTLP_ENDPOINT,
    ),
    forwardSignals: parseSignals(options.forwardSignals ?? env.RUNTRACE_FORWARD_SIGNALS?.trim()),
    forwardTimeoutMillis: parseInteger({
      key: "RUNTRACE_FORWARD_TIMEOUT_MS",
      value: options.forwardTimeoutMillis ?? env.RUNTRACE_FORWARD_TIMEOUT_MS,
      fallback: 5_000,
      min: 100,
      max: 600_000,
    }),
    forwardMaxInFlight: parseInteger({
      key: "RUNTRACE_FORWARD_MAX_IN_FLIGHT",
      value: options.forwardMaxInFlight ?? env.RUNTRACE_FORWARD_MAX_IN_FLIGHT,
      fallback: 64,
      min: 1,
      max: 10_000,
    }),
    forwardMaxInFlightBytes: parseInteger({
      key: "RUNTRACE_FORWARD_MAX_IN_FLIGHT_BYTES",
      value: options.forwardMaxInFlightBytes ?? env.RUNTRACE_FORWARD_MAX_IN_FLIGHT_BYTES,
      fallback: 32 * 1024 * 1024,
      min: 1024,
      max: 4 * 1024 * 1024 * 1024,
    }),
  };
}

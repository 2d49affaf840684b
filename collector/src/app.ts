import type { BatchingWriter, ClickHouse } from "@runtrace/clickhouse";
import type { TokenScopes } from "@runtrace/config";
import { Hono } from "hono";
import type { OtlpForwarder } from "./forward/otlp-forwarder.ts";
import { scopesOfToken } from "./ingest-scopes.ts";
import { IngestStats } from "./ingest-stats.ts";
import { GRPC, statusResponse, wireOf } from "./otlp-response.ts";
import { PrometheusMetrics } from "./prometheus.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";

export interface CollectorAppOptions {
  clickhouse: ClickHouse;
  writer: BatchingWriter;
  maxBodyBytes: number;
  /** When set, `POST /v1/*` needs a bearer token of these, and writes only its scopes. */
  ingestTokens?: TokenScopes | undefined;
  /** Receives a copy of every stored request. */
  forwarder?: OtlpForwarder | undefined;
  /** The counters /metrics shows, shared with the gRPC receiver. @default new ones */
  stats?: IngestStats;
}

/** The collector's HTTP app: OTLP/HTTP ingest, health, readiness and Prometheus metrics. */
export function createCollectorApp(options: CollectorAppOptions): Hono {
  const app = new Hono();
  const stats = options.stats ?? new IngestStats();
  const prometheus = new PrometheusMetrics(
    options.clickhouse,
    options.writer,
    stats,
    options.forwarder,
  );
  const tokens = options.ingestTokens;
  if (tokens) {
    app.use("/v1/*", async (c, next) => {
      if (scopesOfToken(c.req.header("authorization"), tokens) !== undefined) return next();
      return statusResponse(
        wireOf(c.req.header("content-type")) ?? "json",
        401,
        GRPC.UNAUTHENTICATED,
        "missing or wrong bearer token: send Authorization: Bearer <a token of RUNTRACE_INGEST_TOKEN or RUNTRACE_INGEST_TOKENS>",
        { "www-authenticate": "Bearer" },
      );
    });
  }
  ingestRoutes(app, {
    writer: options.writer,
    stats,
    maxBodyBytes: options.maxBodyBytes,
    forwarder: options.forwarder,
    ingestTokens: tokens,
  });
  healthRoutes(app, options.clickhouse);
  app.get("/metrics", async (c) =>
    c.text(await prometheus.render(), 200, { "content-type": "text/plain; version=0.0.4" }),
  );
  app.onError((error, c) => {
    console.error("collector: unexpected error", error);
    return c.json({ code: 13, message: "internal error" }, 500);
  });
  return app;
}

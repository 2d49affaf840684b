import { timingSafeEqual } from "node:crypto";
import type { BatchingWriter, ClickHouse } from "@runtrace/clickhouse";
import { Hono } from "hono";
import type { OtlpForwarder } from "./forward/otlp-forwarder.ts";
import { IngestStats } from "./ingest-stats.ts";
import { GRPC, statusResponse, wireOf } from "./otlp-response.ts";
import { PrometheusMetrics } from "./prometheus.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";

export interface CollectorAppOptions {
  clickhouse: ClickHouse;
  writer: BatchingWriter;
  maxBodyBytes: number;
  ingestToken?: string | undefined;
  /** Receives a copy of every stored request. */
  forwarder?: OtlpForwarder | undefined;
  /** The counters /metrics shows, shared with the gRPC receiver. @default new ones */
  stats?: IngestStats;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7).trim() : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
  if (options.ingestToken) {
    const token = options.ingestToken;
    app.use("/v1/*", async (c, next) => {
      if (tokenMatches(c.req.header("authorization"), token)) return next();
      return statusResponse(
        wireOf(c.req.header("content-type")) ?? "json",
        401,
        GRPC.UNAUTHENTICATED,
        "missing or wrong bearer token: send Authorization: Bearer <RUNTRACE_INGEST_TOKEN>",
        { "www-authenticate": "Bearer" },
      );
    });
  }
  ingestRoutes(app, {
    writer: options.writer,
    stats,
    maxBodyBytes: options.maxBodyBytes,
    forwarder: options.forwarder,
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

import type { ClickHouse } from "@runtrace/clickhouse";
import { Hono } from "hono";

export interface QueryApiOptions {
  clickhouse: ClickHouse;
}

/**
 * The query API's HTTP app. This release serves its health, readiness and metrics routes;
 * the run-history routes (`/v1/executions…`) arrive with the query issue.
 */
export function createQueryApiApp(options: QueryApiOptions): Hono {
  const { clickhouse } = options;
  const app = new Hono();
  const requests = new Map<number, number>();
  app.use("*", async (c, next) => {
    await next();
    requests.set(c.res.status, (requests.get(c.res.status) ?? 0) + 1);
  });
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (await clickhouse.ping()) return c.json({ status: "ready", clickhouse: clickhouse.kind });
    return c.json(
      { status: "unavailable", clickhouse: clickhouse.kind, error: "ClickHouse did not answer" },
      503,
    );
  });
  app.get("/metrics", (c) => {
    const lines = [
      "# HELP runtrace_query_requests_total Query API requests by HTTP status.",
      "# TYPE runtrace_query_requests_total counter",
      ...[...requests].map(([status, n]) => `runtrace_query_requests_total{code="${status}"} ${n}`),
    ];
    return c.text(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4" });
  });
  app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));
  return app;
}

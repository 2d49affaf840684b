import type { ClickHouse } from "@runtrace/clickhouse";
import type { Hono } from "hono";

/** `/healthz` (the process is up) and `/readyz` (ClickHouse answers). */
export function healthRoutes(app: Hono, ch: ClickHouse): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (await ch.ping()) return c.json({ status: "ready", clickhouse: ch.kind });
    return c.json(
      { status: "unavailable", clickhouse: ch.kind, error: "ClickHouse did not answer" },
      503,
    );
  });
}

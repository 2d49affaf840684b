import { type Context, Hono } from "hono";
import type { AppEnv } from "../../http/env.ts";
import { structured } from "../envelope.ts";
import { metricFamily } from "./family.ts";
import { callRate, errorRate, latency, type Measure } from "./measures.ts";
import { parseMetricsQuery, parseQuantile } from "./params.ts";
import { readBuckets } from "./queries.ts";

/**
 * Jaeger's Service Performance Monitoring API (`/api/metrics/…`, the Monitor tab), computed
 * from the stored spans rather than from span metrics in Prometheus.
 */
export function metricsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/latencies", (c) => {
    const quantile = parseQuantile(c.req.queries());
    return answer(c, latency(quantile));
  });
  routes.get("/calls", (c) => answer(c, callRate));
  routes.get("/errors", (c) => answer(c, errorRate));
  // Jaeger 1.x's smallest step (ms), in its envelope; removed in Jaeger 2.18, no UI asks.
  routes.get("/minstep", (c) => structured(c, 1));
  return routes;
}

async function answer(c: Context<AppEnv>, measure: Measure): Promise<Response> {
  const query = parseMetricsQuery(c.req.queries());
  const rows = await readBuckets(
    c.get("clickhouse"),
    query,
    measure,
    c.get("scopes"),
    c.get("signal"),
  );
  // Jaeger indents with four spaces for any `prettyPrint` but "false".
  const pretty = c.req.query("prettyPrint");
  const indent = pretty && pretty !== "false" ? 4 : undefined;
  return new Response(JSON.stringify(metricFamily(measure, query, rows), null, indent), {
    headers: { "content-type": "application/json" },
  });
}

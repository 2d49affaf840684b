import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { metricsRoutes } from "./metrics/routes.ts";
import { v1Routes } from "./v1-routes.ts";
import { v3Routes } from "./v3-routes.ts";

/** Jaeger's query API, mounted at `/api`: the classic v1 routes and `api_v3` under `/v3`. */
export function jaegerRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.route("/v3", v3Routes());
  routes.route("/metrics", metricsRoutes());
  routes.route("/", v1Routes());
  return routes;
}

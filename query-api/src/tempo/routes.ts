import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { searchRoutes } from "./search-routes.ts";
import { tagRoutes } from "./tag-routes.ts";
import { traceRoutes } from "./trace-routes.ts";

/**
 * The Tempo HTTP API subset Grafana's Tempo data source uses, mounted at `/tempo` (the data
 * source URL): health, trace by id, TraceQL search and the search editor's autocomplete.
 */
export function tempoRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  // Grafana's "Save & test" calls echo; `ready` is Tempo's readiness probe.
  // The type spelled out: Node's fast path for a bare string writes it so, a copy of the
  // answer (the tests' contract check) would say `text/plain;charset=UTF-8`.
  const TEXT = { "content-type": "text/plain; charset=UTF-8" };
  routes.get("/api/echo", (c) => c.text("echo", 200, TEXT));
  routes.get("/ready", (c) => c.text("ready", 200, TEXT));
  routes.route("/", traceRoutes());
  routes.route("/", searchRoutes());
  routes.route("/", tagRoutes());
  return routes;
}

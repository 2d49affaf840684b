import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import {
  dependencyLinks,
  findTraceIds,
  listOperations,
  listServices,
  readTraces,
} from "../traces/index.ts";
import { structured, traceNotFound } from "./envelope.ts";
import { jaegerTraceId, toJaegerTrace } from "./v1-model.ts";
import { parseDependencies, parseOperations, parseSearch, traceIdParam } from "./v1-params.ts";

/**
 * Jaeger's classic v1 HTTP API (`/api/…`), which Grafana's Jaeger data source and Jaeger UI
 * call: services, operations, trace search and trace by id, dependencies.
 */
export function v1Routes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/services", async (c) => {
    const services = await listServices(c.get("clickhouse"), c.get("scopes"), c.get("signal"));
    return structured(c, services, { total: services.length });
  });

  routes.get("/services/:service/operations", async (c) => {
    const operations = await listOperations(
      c.get("clickhouse"),
      c.req.param("service"),
      undefined,
      c.get("scopes"),
      c.get("signal"),
    );
    const names = [...new Set(operations.map((o) => o.name))];
    return structured(c, names, { total: names.length });
  });

  routes.get("/operations", async (c) => {
    const { service, spanKind } = parseOperations(c.req.query());
    const operations = await listOperations(
      c.get("clickhouse"),
      service,
      spanKind,
      c.get("scopes"),
      c.get("signal"),
    );
    const data = operations.map((o) => ({
      name: o.name,
      spanKind: o.kind === "unspecified" ? "" : o.kind,
    }));
    return structured(c, data, { total: data.length });
  });

  routes.get("/traces", async (c) => {
    const request = parseSearch(c.req.query(), c.req.queries());
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    if ("traceIds" in request) {
      const traces = await readTraces(ch, request.traceIds, { scopes: c.get("scopes"), signal });
      const missing = request.traceIds.filter((id) => !traces.has(id));
      return structured(
        c,
        [...traces].map(([id, spans]) => toJaegerTrace(id, spans)),
        { errors: missing.map((id) => ({ msg: "trace not found", traceID: jaegerTraceId(id) })) },
      );
    }
    const ids = await findTraceIds(ch, request.query, c.get("scopes"), signal);
    // The search applied the scopes already: the ids are visible ones.
    const traces = await readTraces(ch, ids, { scopes: null, signal });
    return structured(
      c,
      [...traces].map(([id, spans]) => toJaegerTrace(id, spans)),
    );
  });

  routes.get("/traces/:traceID", async (c) => {
    // `start`/`end` are ignored: Grafana sends milliseconds where Jaeger expects microseconds,
    // and the trace-id lookup table bounds the read better than either.
    const id = traceIdParam("traceID", c.req.param("traceID"));
    const traces = await readTraces(c.get("clickhouse"), [id], {
      scopes: c.get("scopes"),
      signal: c.get("signal"),
    });
    const spans = traces.get(id);
    if (!spans) throw traceNotFound();
    return structured(c, [toJaegerTrace(id, spans)]);
  });

  routes.get("/dependencies", async (c) => {
    const links = await dependencyLinks(
      c.get("clickhouse"),
      parseDependencies(c.req.query()),
      c.get("scopes"),
      c.get("signal"),
    );
    // Jaeger leaves `total` at 0 here, unlike the service and operation lists.
    return structured(c, links);
  });

  return routes;
}

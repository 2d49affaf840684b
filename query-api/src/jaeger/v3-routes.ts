import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import {
  findTraceIds,
  listOperations,
  listServices,
  parseTraceId,
  readSpanOutlines,
  readTraces,
  type StoredSpan,
  summarizeTrace,
  toResourceSpans,
} from "../traces/index.ts";
import { checkV3TraceTimes, parseV3Operations, parseV3Search, v3Error } from "./v3-params.ts";

/** The traces' spans as one OTLP/JSON `result`, each trace's resources in turn. */
function result(traces: Iterable<readonly StoredSpan[]>) {
  return { result: { resourceSpans: [...traces].flatMap((spans) => toResourceSpans(spans)) } };
}

/**
 * Jaeger's api_v3 over HTTP (`/api/v3/…`): OTLP/JSON traces, services, operations, and the
 * trace summaries current Jaeger UI searches with.
 */
export function v3Routes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/services", async (c) => {
    const services = await listServices(c.get("clickhouse"), c.get("scopes"), c.get("signal"));
    return c.json({ services });
  });

  routes.get("/operations", async (c) => {
    const { service, spanKind } = parseV3Operations(c.req.query());
    const operations = await listOperations(
      c.get("clickhouse"),
      service,
      spanKind,
      c.get("scopes"),
      c.get("signal"),
    );
    // Jaeger reports a span without a kind as internal; both then name one operation.
    const seen = new Set<string>();
    const out: { name: string; spanKind: string }[] = [];
    for (const o of operations) {
      const spanKind = o.kind === "unspecified" ? "internal" : o.kind;
      const key = `${spanKind}\u0000${o.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: o.name, spanKind });
    }
    return c.json({ operations: out });
  });

  routes.get("/traces/:traceId", async (c) => {
    const text = c.req.param("traceId");
    const id = parseTraceId(text);
    if (id === undefined) {
      throw v3Error(400, `malformed parameter trace_id: "${text}" is not a trace id`);
    }
    // startTime/endTime must be well-formed, but the trace-id lookup bounds the read already.
    checkV3TraceTimes(c.req.query());
    const traces = await readTraces(c.get("clickhouse"), [id], {
      scopes: c.get("scopes"),
      signal: c.get("signal"),
    });
    if (traces.size === 0) throw v3Error(404, "trace not found");
    return c.json(result(traces.values()));
  });

  routes.get("/traces", async (c) => {
    const query = parseV3Search(c.req.query());
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    const ids = await findTraceIds(ch, query, c.get("scopes"), signal);
    // The search applied the scopes already: the ids are visible ones.
    const traces = await readTraces(ch, ids, { scopes: null, signal });
    if (traces.size === 0) throw v3Error(404, "No traces found");
    return c.json(result(traces.values()));
  });

  routes.get("/trace-summaries", async (c) => {
    const query = parseV3Search(c.req.query());
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    const ids = await findTraceIds(ch, query, c.get("scopes"), signal);
    const outlines = await readSpanOutlines(ch, ids, signal);
    // Jaeger answers an empty summary search with 200 and no summaries (unlike /traces).
    const summaries = [...outlines].map(([id, spans]) => {
      const s = summarizeTrace(id, spans);
      return {
        traceId: s.traceId,
        rootServiceName: s.rootServiceName,
        rootOperationName: s.rootSpanName,
        minStartTimeUnixNano: s.startNs.toString(),
        maxEndTimeUnixNano: s.endNs.toString(),
        spanCount: s.spanCount,
        errorSpanCount: s.errorSpanCount,
        orphanSpanCount: s.orphanSpanCount,
        services: s.services,
      };
    });
    return c.json({ summaries });
  });

  return routes;
}

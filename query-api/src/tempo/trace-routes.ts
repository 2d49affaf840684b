import { encodeTracesData, type OtlpTracesData, WireWriter, writeTracesData } from "@runtrace/otlp";
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { readTraces, toResourceSpans } from "../traces/index.ts";
import { tempoError } from "./errors.ts";
import { checkTraceTimes, traceIdParam } from "./params.ts";

const PROTOBUF = "application/protobuf";

/** The trace of the path's id as OTLP data; 404 when unknown or not readable with the token. */
async function traceData(c: Context<AppEnv>): Promise<OtlpTracesData> {
  const id = traceIdParam(c.req.param("traceId") ?? "");
  checkTraceTimes(c.req.query());
  const traces = await readTraces(c.get("clickhouse"), [id], {
    scopes: c.get("scopes"),
    signal: c.get("signal"),
  });
  const spans = traces.get(id);
  // Grafana tries v1 after a v2 404, then reports the trace as not found.
  if (!spans) throw tempoError(404, "trace not found");
  return { resourceSpans: toResourceSpans(spans) };
}

const wantsProtobuf = (c: Context<AppEnv>) => (c.req.header("accept") ?? "").includes(PROTOBUF);

function protobuf(body: Uint8Array): Response {
  return new Response(body, { status: 200, headers: { "content-type": PROTOBUF } });
}

/**
 * Trace by id, both versions Grafana calls: `/api/v2/traces/{id}` answers
 * `tempopb.TraceByIDResponse` (field 1, `Trace`, holds the ResourceSpans), `/api/traces/{id}`
 * the bare `Trace`, which is wire-identical to OTLP `TracesData`. Protobuf for
 * `Accept: application/protobuf` (what Grafana sends), else OTLP/JSON.
 */
export function traceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/api/v2/traces/:traceId", async (c) => {
    const data = await traceData(c);
    if (wantsProtobuf(c)) {
      const w = new WireWriter();
      w.message(1, () => writeTracesData(w, data));
      return protobuf(w.finish());
    }
    return c.json({ trace: data });
  });

  routes.get("/api/traces/:traceId", async (c) => {
    const data = await traceData(c);
    if (wantsProtobuf(c)) return protobuf(encodeTracesData(data));
    // Tempo's v1 JSON keeps the field's old name.
    return c.json({ batches: data.resourceSpans });
  });

  return routes;
}

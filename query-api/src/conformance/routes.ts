import { Hono } from "hono";
import { ConformanceQuery } from "../contract/index.ts";
import { scopesToRead } from "../http/access.ts";
import type { AppEnv } from "../http/env.ts";
import { badParameter } from "../http/errors.ts";
import { parseQuery } from "../http/params.ts";
import { checkConformance } from "./check.ts";

/** The window when neither `from` nor `to` is given: the last hour. */
export const DEFAULT_CONFORMANCE_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_CONFORMANCE_EXAMPLES = 5;

/** `GET /v1/conformance`: the rules a runtime's stored spans break (`runtrace check` asks it). */
export function conformanceRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    const q = parseQuery(ConformanceQuery, c.req.query());
    const toMs = q.to ?? Date.now();
    const fromMs = q.from ?? toMs - DEFAULT_CONFORMANCE_WINDOW_MS;
    if (fromMs >= toMs) throw badParameter("from", "must be before to");
    const report = await checkConformance(c.get("clickhouse"), {
      service: q.service,
      fromMs,
      toMs,
      examples: q.examples ?? DEFAULT_CONFORMANCE_EXAMPLES,
      scopes: scopesToRead(c.get("scopes"), undefined),
      signal: c.get("signal"),
    });
    return c.json(report);
  });
  return app;
}

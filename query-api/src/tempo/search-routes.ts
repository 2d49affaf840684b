import { Hono } from "hono";
import type { TempoSearchResponse } from "../contract/index.ts";
import type { AppEnv } from "../http/env.ts";
import { findSpanSets, readSpanOutlines } from "../traces/index.ts";
import { regexErrorsAreBadQueries } from "./errors.ts";
import { parseSearch } from "./params.ts";
import { traceSearchMetadata } from "./search-response.ts";

/**
 * `GET /api/search`: TraceQL's single spanset (or Tempo's legacy tag search) over the window,
 * answered as `tempopb.SearchResponse` JSON, the most recently started trace first.
 */
export function searchRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/api/search", async (c) => {
    const { query, spansPerSet } = parseSearch(c.req.query());
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    const found = await regexErrorsAreBadQueries(
      findSpanSets(ch, query, spansPerSet, c.get("scopes"), signal),
    );
    // The search applied the scopes already: these are visible traces.
    const outlines = await readSpanOutlines(
      ch,
      found.spanSets.map((s) => s.traceId),
      signal,
    );
    const traces = found.spanSets
      .map((set) =>
        traceSearchMetadata(set, outlines.get(set.traceId) ?? [], query.predicates ?? []),
      )
      .sort((a, b) => {
        const d = BigInt(b.startTimeUnixNano) - BigInt(a.startTimeUnixNano);
        return d > 0n ? 1 : d < 0n ? -1 : a.traceID < b.traceID ? -1 : 1;
      });
    const body: TempoSearchResponse = {
      traces,
      // Tempo counts what it read; the nearest truth here is how many traces matched.
      metrics: { inspectedTraces: found.matchedTraces, inspectedBytes: "0", totalBlocks: 0 },
    };
    return c.json(body);
  });

  return routes;
}

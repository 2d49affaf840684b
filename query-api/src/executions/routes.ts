import { readArrivalBoundary } from "@runtrace/clickhouse";
import { Hono } from "hono";
import { DEFAULT_EXPORT_ROWS, ExportQuery, NumbersQuery } from "../contract/index.ts";
import { scopesToRead } from "../http/access.ts";
import type { AppEnv } from "../http/env.ts";
import { badParameter } from "../http/errors.ts";
import { parseQuery } from "../http/params.ts";
import { executionDetail, findRun, toolCalls, traceTree } from "./detail.ts";
import { errorGroups } from "./error-groups.ts";
import { exportStream } from "./export.ts";
import { runsNamed } from "./find-ids.ts";
import { listExecutions, newestStart } from "./list.ts";
import { parseListRequest } from "./list-params.ts";
import { followLive } from "./live.ts";
import { encodeLivePosition, positionAt } from "./live-cursor.ts";
import { listMeta } from "./meta.ts";
import { executionNumbers, toolNumbers } from "./numbers.ts";

export interface ExecutionRoutesOptions {
  staleAfterMs: number;
  /** Runs a code filter's counts may read (`RUNTRACE_CODE_COUNT_BUDGET`). */
  codeCountBudget: number;
}

const ID = /^[A-Za-z0-9_.:-]{1,200}$/;

function runId(id: string): string {
  if (!ID.test(id)) throw badParameter("id", "expected an execution id (letters, digits, _ . : -)");
  return id;
}

/** `/v1/executions`: the list with facets and timeline, one run, its tool calls, its trace. */
export function executionRoutes(options: ExecutionRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/", async (c) => {
    const req = parseListRequest(c.req.query());
    // Scopes the token cannot read select nothing (an empty IN list), never an error that
    // would confirm they exist.
    const scopes = scopesToRead(c.get("scopes"), req.filter.scopes);
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    if (req.idValues) req.filter.ids = await runsNamed(ch, req.idValues, signal);
    const metaOptions = {
      scopes,
      readable: c.get("scopes"),
      chart: req.chart,
      codeCountBudget: options.codeCountBudget,
    };
    if (req.metaOnly) {
      // The counts alone: /runs asks for the page and its counts side by side.
      if (!req.meta) {
        throw badParameter("meta", "only is for a first page (no cursor, after or updatedSince)");
      }
      const meta = await listMeta(ch, req.filter, metaOptions, signal);
      return c.json({ executions: [], nextCursor: null, meta });
    }
    const live = req.after ?? req.updatedSince;
    if (live) {
      const order = req.after ? "after" : "updatedSince";
      return c.json(await followLive(order, ch, req, live, scopes, options.staleAfterMs, signal));
    }
    const [page, meta] = await Promise.all([
      // A first page tells where live mode starts: the arrival boundary read before the page,
      // so every run placed before it is on the page or sorted beyond it.
      req.cursor
        ? listExecutions(ch, req, scopes, options.staleAfterMs, signal)
        : Promise.all([
            readArrivalBoundary(ch, { signal }),
            // Beside the boundary: where the page's windows end.
            newestStart(ch, req, scopes, signal),
          ]).then(async ([boundary, newest]) => ({
            ...(await listExecutions(ch, req, scopes, options.staleAfterMs, signal, newest)),
            liveCursor: encodeLivePosition(positionAt(boundary - 1)),
          })),
      req.meta ? listMeta(ch, req.filter, metaOptions, signal) : undefined,
    ]);
    return c.json({ ...page, ...(meta ? { meta } : {}) });
  });

  // Before /:id, which would take "export" for an id.
  routes.get("/export", async (c) => {
    const query = c.req.query();
    // Validated as the export's own parameters first (a list-only one is a 400 naming it)...
    const q = parseQuery(ExportQuery, query);
    const { format: _format, rows: _rows, ...listQuery } = query;
    // ...then read as the list reads its filters and sort.
    const req = parseListRequest({ ...listQuery, meta: "false" });
    const scopes = scopesToRead(c.get("scopes"), req.filter.scopes);
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    if (req.idValues) req.filter.ids = await runsNamed(ch, req.idValues, signal);
    const format = q.format ?? "csv";
    const rows = q.rows ?? DEFAULT_EXPORT_ROWS;
    const stream = exportStream(ch, req, scopes, options.staleAfterMs, format, rows, signal);
    return c.body(stream, 200, {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
      "content-disposition": `attachment; filename="runs.${format === "csv" ? "csv" : "jsonl"}"`,
      "x-runtrace-row-limit": String(rows),
    });
  });

  // Before /:id, as /export: the numbers, per-tool numbers and error groups of the list's
  // filter. They take its filters only (a list-only parameter such as limit, sort or cursor
  // is a 400 naming it).
  for (const [path, read] of [
    ["/numbers", executionNumbers],
    ["/numbers/tools", toolNumbers],
    ["/errors", errorGroups],
  ] as const) {
    routes.get(path, async (c) => {
      const query = c.req.query();
      parseQuery(NumbersQuery, query);
      const req = parseListRequest({ ...query, meta: "false" });
      const ch = c.get("clickhouse");
      const signal = c.get("signal");
      if (req.idValues) req.filter.ids = await runsNamed(ch, req.idValues, signal);
      const scopes = scopesToRead(c.get("scopes"), req.filter.scopes);
      const budget = options.codeCountBudget;
      return c.json(await read(ch, req.filter, { scopes, codeCountBudget: budget }, signal));
    });
  }

  routes.get("/:id", async (c) => {
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    const key = await findRun(ch, runId(c.req.param("id")), c.get("scopes"), signal);
    return c.json(await executionDetail(ch, key, options.staleAfterMs, signal));
  });

  routes.get("/:id/tool-calls", async (c) => {
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    const key = await findRun(ch, runId(c.req.param("id")), c.get("scopes"), signal);
    return c.json({
      executionId: key.executionId,
      toolCalls: await toolCalls(ch, key, options.staleAfterMs, signal),
    });
  });

  routes.get("/:id/trace", async (c) => {
    const ch = c.get("clickhouse");
    const signal = c.get("signal");
    const key = await findRun(ch, runId(c.req.param("id")), c.get("scopes"), signal);
    return c.json({ executionId: key.executionId, ...(await traceTree(ch, key, signal)) });
  });

  return routes;
}

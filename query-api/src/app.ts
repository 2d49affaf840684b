import type { ClickHouse } from "@runtrace/clickhouse";
import { Hono } from "hono";
import { conformanceRoutes } from "./conformance/index.ts";
import { docsRoutes } from "./docs/index.ts";
import { executionRoutes } from "./executions/routes.ts";
import { type ApiTokens, access } from "./http/access.ts";
import type { AppEnv } from "./http/env.ts";
import { onError } from "./http/errors.ts";
import { jaegerRoutes } from "./jaeger/index.ts";
import { openApiDocument } from "./openapi.ts";
import { statsRoutes } from "./stats/routes.ts";
import { tempoRoutes } from "./tempo/index.ts";
import { runsPageRoutes } from "./ui/index.ts";

export interface QueryApiOptions {
  clickhouse: ClickHouse;
  /** Bearer tokens and their scopes (`RUNTRACE_API_TOKENS`); unset: open, for local use. */
  apiTokens?: ApiTokens;
  /** An unfinished run with no news for this long is marked stale (`RUNTRACE_STALE_AFTER`). */
  staleAfterMs?: number;
  /**
   * Runs a code filter's counts may read before they stop and say so
   * (`RUNTRACE_CODE_COUNT_BUDGET`; `meta.partial`).
   * @default DEFAULT_CODE_COUNT_BUDGET
   */
  codeCountBudget?: number;
  /**
   * The built /runs page (Vite's output: index.html, assets/). Missing: /runs answers 503.
   * @default the `query-api/ui/dist` folder of this checkout (`npm run build` fills it)
   */
  uiDir?: string;
  /**
   * The renderer of the page's first screen (`dist-server/first-screen.js`, built with the
   * page). Missing: the page renders everything itself. Not used with `apiTokens`.
   * @default the `query-api/ui/dist-server` folder of this checkout
   */
  firstScreenDir?: string;
  /**
   * Where runtimes send their telemetry (OTLP/HTTP), for the page to say so on an empty
   * database: `runtrace start` passes its collector's; else `RUNTRACE_COLLECTOR_URL`.
   */
  collectorUrl?: string;
  /**
   * A Jaeger UI that reads this API's Jaeger routes (`/api`), for the page to link a run's
   * trace there as `<jaegerUiUrl>/trace/<traceId>` (`RUNTRACE_JAEGER_UI_URL`). Unset: no link.
   */
  jaegerUiUrl?: string;
  /**
   * Called with every answer before it leaves; throwing turns it into a 500. The tests check
   * each answer against the OpenAPI document with it; unset in production (no cost).
   */
  checkAnswer?: (request: Request, answer: Response) => void | Promise<void>;
}

export const DEFAULT_STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Runs a code filter's counts read at most by default: every run of a day at 10M runs a
 * month, and a week of the busiest scope's (see the README's benchmarks).
 */
export const DEFAULT_CODE_COUNT_BUDGET = 1_500_000;

/**
 * The query API's HTTP app: run history, stats, the Jaeger and Tempo APIs, health, OpenAPI,
 * and the /runs page.
 */
export function createQueryApiApp(options: QueryApiOptions): Hono<AppEnv> {
  const { clickhouse } = options;
  const app = new Hono<AppEnv>();
  const requests = new Map<number, number>();
  app.onError(onError);
  app.use("*", async (c, next) => {
    c.set("clickhouse", clickhouse);
    c.set("signal", c.req.raw.signal);
    await next();
    if (options.checkAnswer) await options.checkAnswer(c.req.raw, c.res.clone());
    requests.set(c.res.status, (requests.get(c.res.status) ?? 0) + 1);
  });
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (await clickhouse.ping()) return c.json({ status: "ready", clickhouse: clickhouse.kind });
    return c.json(
      { status: "unavailable", clickhouse: clickhouse.kind, error: "ClickHouse did not answer" },
      503,
    );
  });
  app.get("/metrics", (c) => {
    const lines = [
      "# HELP runtrace_query_requests_total Query API requests by HTTP status.",
      "# TYPE runtrace_query_requests_total counter",
      ...[...requests].map(([status, n]) => `runtrace_query_requests_total{code="${status}"} ${n}`),
    ];
    return c.text(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4" });
  });
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  // Swagger UI on /openapi.json, its files served from here: /docs and /docs/assets/….
  app.route("/", docsRoutes());

  const guard = access(options.apiTokens);
  app.use("/v1/*", guard);
  // What the /runs page needs to tell a newcomer how to send a first run, and to link a trace.
  app.get("/v1/about", (c) =>
    c.json({
      collectorUrl: options.collectorUrl ?? null,
      jaegerUiUrl: options.jaegerUiUrl ?? null,
    }),
  );
  app.use("/api/*", guard);
  app.use("/tempo/*", guard);
  app.route(
    "/v1/executions",
    executionRoutes({
      staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
      codeCountBudget: options.codeCountBudget ?? DEFAULT_CODE_COUNT_BUDGET,
    }),
  );
  app.route("/v1/stats", statsRoutes());
  app.route("/v1/conformance", conformanceRoutes());
  app.route("/api", jaegerRoutes());
  app.route("/tempo", tempoRoutes());
  // The page holds no data, so it is outside the token guard; its API calls carry the token.
  app.route(
    "/",
    runsPageRoutes({
      dir: options.uiDir,
      // With tokens the page comes without data: its request carries none.
      firstScreen: options.apiTokens
        ? undefined
        : {
            ...(options.firstScreenDir === undefined ? {} : { dir: options.firstScreenDir }),
            read: async (path, signal) =>
              app.request(path, { headers: { accept: "application/json" }, signal }),
          },
    }),
  );
  app.notFound((c) =>
    c.json({ error: "not_found", message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  return app;
}

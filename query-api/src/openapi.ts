import { PARTIAL_COUNTS } from "./executions/meta.ts";
import { jaegerOpenApiPaths } from "./jaeger/index.ts";
import { statsOpenApiPaths } from "./stats/routes.ts";
import { tempoOpenApiPaths } from "./tempo/index.ts";

/**
 * The query API's OpenAPI 3.1 document, written by hand next to the routes it describes, and
 * `/docs`, a self-contained page rendering it (no scripts fetched from elsewhere).
 */

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const nullable = (schema: object) => ({ anyOf: [schema, { type: "null" }] });

const STATUS_ENUM = [
  "pending",
  "running",
  "waiting_for_interaction",
  "completed",
  "failed",
  "cancelled",
];

function q(name: string, description: string, schema: object = str) {
  return { name, in: "query", required: false, description, schema };
}

const idParam = {
  name: "id",
  in: "path",
  required: true,
  description: "Execution id",
  schema: str,
};

const errorResponses = {
  "400": { description: "A parameter is invalid; `parameter` names it.", content: json("Error") },
  "401": {
    description: "`RUNTRACE_API_TOKENS` is set and the bearer token is missing or unknown.",
    content: json("Error"),
  },
};

function json(ref: string) {
  return { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } };
}

const schemas = {
  Error: {
    type: "object",
    required: ["error", "message"],
    properties: { error: str, message: str, parameter: str },
  },
  ExecutionSummary: {
    type: "object",
    properties: {
      id: str,
      scope: str,
      status: { type: "string", enum: STATUS_ENUM },
      stale: {
        type: "boolean",
        description: "Unfinished and silent for longer than RUNTRACE_STALE_AFTER.",
      },
      trigger: {
        type: "object",
        properties: {
          kind: nullable(str),
          meta: { description: "The trigger's JSON meta, or null." },
        },
      },
      runtime: nullable(str),
      codePreview: {
        type: "string",
        description: "The code, whitespace collapsed, first 200 characters.",
      },
      createdAt: {
        ...int,
        description:
          "Start of the execution (epoch ms); the time filters and the createdAt sort use it.",
      },
      startedAt: nullable(int),
      completedAt: nullable(int),
      durationMs: nullable(int),
      updatedAt: { ...int, description: "Last state change (epoch ms)." },
      toolCallCount: {
        ...int,
        description:
          "The run's tool-call spans stored (each span once), whatever order they arrived in; equals the length of /tool-calls.",
      },
      interactionCount: {
        ...int,
        description:
          "The run's interaction spans stored; equals the length of the detail's interactions.",
      },
      hadElicitation: {
        type: "boolean",
        description:
          "An interaction span is stored, the root span claims one (executor.execution.interaction_count, or the seed's executor.interaction.kind), or one is pending.",
      },
      pendingInteraction: nullable({
        type: "object",
        properties: { id: str, kind: str, purpose: nullable(str) },
      }),
      traceId: nullable(str),
    },
  },
  ExecutionListMeta: {
    type: "object",
    description:
      "Only on a first page (no cursor, no after) unless meta=false. Each facet counts with every filter except its own.",
    properties: {
      totalRowCount: { ...int, description: "Runs in the readable scopes, no filters." },
      filterRowCount: { ...int, description: "Runs matching every filter." },
      statusCounts: {
        type: "array",
        description: "All six statuses, zeros included; every filter except status.",
        items: { type: "object", properties: { status: str, count: int } },
      },
      triggerCounts: {
        type: "array",
        description:
          "Every filter except trigger; triggerKind null = no trigger (filter value `unknown`).",
        items: { type: "object", properties: { triggerKind: nullable(str), count: int } },
      },
      toolFacets: {
        type: "array",
        description:
          "Top 20 tool paths by calls, every filter except tool, over the runs started within from–to that the other filters keep: runs = runs that called the path (what tool=<path> lists), calls = their calls of it, count = calls (the seed's meaning: tool-call rows per path).",
        items: {
          type: "object",
          properties: { toolPath: str, count: int, runs: int, calls: int },
        },
      },
      scopeCounts: {
        type: "array",
        description:
          "The scopes the token may read with runs started within from–to, and how many, most first, at most 50: the scopes to pick from (no other filter applies, scope included).",
        items: { type: "object", properties: { scope: str, count: int } },
      },
      interactionCounts: {
        type: "object",
        description: "Every filter except elicitation.",
        properties: { withElicitation: int, withoutElicitation: int },
      },
      chartBucketMs: {
        ...int,
        description:
          "The smallest of 1s 2s 5s 10s 15s 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d that covers the range in at most 60 buckets aligned to multiples of it (epoch).",
      },
      chartFrom: {
        ...int,
        description:
          "The chart's window starts here: `from` (a missing bound: the filtered runs' first start), or with chart=runs and chartZoomed the first bucket holding runs.",
      },
      chartTo: { ...int, description: "The chart's window ends here (inclusive)." },
      chartZoomed: {
        type: "boolean",
        description:
          "chart=runs narrowed the window to the runs (chartFrom–chartTo within from–to).",
      },
      partial: nullable({
        type: "object",
        description:
          "Set when a code filter's counts stopped at the budget (RUNTRACE_CODE_COUNT_BUDGET runs read, by whole 5-minute periods from the range's end back): the counts named were counted from countedFrom to the range's end only and are lower bounds; buckets before countedFrom are zeros. totalRowCount and scopeCounts are always exact. Null: every count is exact. The same stored runs always give the same answer.",
        properties: {
          countedFrom: {
            ...int,
            description: "Epoch ms: the counts cover runs started from here.",
          },
          counts: {
            type: "array",
            items: { type: "string", enum: [...PARTIAL_COUNTS] },
          },
        },
      }),
      chartData: {
        type: "array",
        description:
          "Every bucket from chartFrom to chartTo, zeros filled; all filters apply, so without zoom the counts add up to filterRowCount.",
        items: {
          type: "object",
          properties: {
            bucketStart: int,
            counts: {
              type: "object",
              additionalProperties: int,
              description: "Per status, all six.",
            },
          },
        },
      },
    },
  },
  ExecutionList: {
    type: "object",
    properties: {
      executions: { type: "array", items: { $ref: "#/components/schemas/ExecutionSummary" } },
      nextCursor: {
        ...nullable(str),
        description:
          "Paging: pass as `cursor` for the next page (null at the end). Live mode (`after` / `updatedSince`): pass as the same parameter on the next poll (never null).",
      },
      hasMore: {
        type: "boolean",
        description:
          "Live mode only: more runs than `limit` are waiting before the arrival boundary; poll again at once.",
      },
      liveCursor: {
        type: "string",
        description:
          "First pages only (no `cursor`): where live mode starts. Pass as `after` (runs that arrive from now on) or `updatedSince` (runs that change from now on).",
      },
      meta: { $ref: "#/components/schemas/ExecutionListMeta" },
    },
  },
};

const listParameters = [
  q(
    "status",
    `Comma list of ${STATUS_ENUM.join(", ")} (ORed), any case; also ok (completed), error (failed), waiting, queued, canceled.`,
  ),
  q("trigger", "Comma list of trigger kinds (ORed); `unknown` = no trigger."),
  q(
    "tool",
    "Comma list of tool paths, exact or `namespace.*` (a bare namespace without a dot, `github`, reads as `github.*`); a run matches if any of its tool calls does.",
  ),
  q(
    "from",
    "Inclusive lower bound on createdAt: epoch ms, RFC 3339, or relative to now (`15m`, `1h`, `7d`, `2w`).",
  ),
  q(
    "to",
    "Inclusive upper bound on createdAt: epoch ms, RFC 3339, or relative to now (`15m`, `1h`, `7d`, `2w`).",
  ),
  q("code", "Case-insensitive substring of the stored code."),
  q("elicitation", "`true`: runs with an interaction; `false`: without.", {
    type: "string",
    enum: ["true", "false"],
  }),
  q("scope", "Comma list of scopes (default: every scope the token may read)."),
  q(
    "id",
    "Comma list of up to 20 execution ids or trace ids, exact (ORed): the runs they name, within the other filters. Another scope's id finds nothing.",
  ),
  q(
    "chart",
    "The timeline's window: `range` (default: from–to) or `runs` (zoomed into the part that holds the filtered runs when they fill less than half of it, up to three steps).",
    { type: "string", enum: ["range", "runs"], default: "range" },
  ),
  q(
    "sort",
    "`createdAt,desc` (default), `createdAt,asc`, `durationMs,desc`, `durationMs,asc`. Runs without a duration come last; ties by id.",
    {
      type: "string",
      enum: ["createdAt,desc", "createdAt,asc", "durationMs,desc", "durationMs,asc"],
    },
  ),
  q("limit", "1–200, default 50.", { type: "integer", minimum: 1, maximum: 200, default: 50 }),
  q("cursor", "Opaque keyset cursor from `nextCursor`; only valid with the sort it was made for."),
  q(
    "after",
    "Live mode, in arrival order: a `liveCursor` or `nextCursor`, or a time (epoch ms / RFC 3339, ClickHouse's clock). Returns every run whose first row reached ClickHouse after it, however long ago the run started, each once, oldest arrival first, at most `limit`, up to the arrival boundary (the start of the oldest run-row insert still running: nothing before it can still appear). Not with `cursor`, `updatedSince` or a `sort`.",
  ),
  q(
    "updatedSince",
    "Live mode, in order of change: a `liveCursor` or `nextCursor`, or a time. Returns every run whose current version first arrived after it (it finished, gained a tool call or an interaction) or that went stale after it, oldest change first, up to the arrival boundary. Not with `cursor`, `after` or a `sort`.",
  ),
  q(
    "meta",
    "`false` skips meta on a first page; `only` answers meta alone (no runs, no reading of the page), so a client can show the page without waiting for the counts.",
    { type: "string", enum: ["true", "false", "only"] },
  ),
];

export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: {
      title: "runtrace query API",
      version: "0.1.0",
      description:
        "Run history of code executions from OpenTelemetry spans stored in ClickHouse. Times are epoch milliseconds. When RUNTRACE_API_TOKENS is set, every /v1, /api and /tempo route needs `Authorization: Bearer <token>` and reads only that token's scopes.",
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      "/v1/executions": {
        get: {
          summary: "List executions with filters, facets and a timeline",
          parameters: listParameters,
          responses: {
            "200": { description: "A page of runs", content: json("ExecutionList") },
            ...errorResponses,
          },
        },
      },
      "/v1/executions/{id}": {
        get: {
          summary:
            "One execution: stored code, result, error, logs, trigger meta, interactions, pending interaction",
          parameters: [idParam],
          responses: {
            "200": {
              description:
                "The execution: the list row's fields plus code, result, error, errorType, logs, interactions (its interaction spans stored), pendingInteraction, spanId, serviceName, and reportedToolCallCount (the tool calls the root span itself claims; toolCallCount counts the tool-call spans stored)",
            },
            "404": {
              description: "Unknown id, or a run of a scope the token cannot read",
              content: json("Error"),
            },
            ...errorResponses,
          },
        },
      },
      "/v1/executions/{id}/tool-calls": {
        get: {
          summary:
            "An execution's tool calls in start order, with status, duration, args and result where recorded: the tool spans naming its id, in its scope or naming none, started at most a minute before it was created; and, for an unfinished run that is not stale, the calls its latest snapshot lists as in flight whose span is not stored yet (status `running`, completedAt, durationMs and spanId null)",
          parameters: [idParam],
          responses: {
            "200": { description: "`{ executionId, toolCalls }`" },
            "404": { description: "Unknown id", content: json("Error") },
            ...errorResponses,
          },
        },
      },
      "/v1/executions/{id}/trace": {
        get: {
          summary: "The execution's trace as a span tree (state spans left out)",
          parameters: [idParam],
          responses: {
            "200": { description: "`{ executionId, traceId, spanCount, roots }`" },
            "404": { description: "Unknown id or no spans stored", content: json("Error") },
            ...errorResponses,
          },
        },
      },
      "/v1/about": {
        get: {
          summary: "What the /runs page tells a newcomer: where runtimes send telemetry",
          responses: {
            "200": {
              description:
                "`{ collectorUrl }`: the OTLP/HTTP endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT` (`runtrace start`'s collector, else `RUNTRACE_COLLECTOR_URL`), or null",
            },
            ...errorResponses,
          },
        },
      },
      ...statsOpenApiPaths,
      ...jaegerOpenApiPaths,
      ...tempoOpenApiPaths,
      "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "ok" } } } },
      "/readyz": {
        get: {
          summary: "Readiness: ClickHouse answers",
          responses: {
            "200": { description: "ready" },
            "503": { description: "ClickHouse unreachable" },
          },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus text: requests by status",
          responses: { "200": { description: "metrics" } },
        },
      },
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A readable, dependency-free rendering of the OpenAPI document. */
export function docsPage(): string {
  const doc = openApiDocument() as {
    info: { title: string; description: string };
    paths: Record<
      string,
      Record<
        string,
        {
          summary?: string;
          parameters?: { name: string; in: string; description?: string }[];
          responses?: Record<string, { description?: string }>;
        }
      >
    >;
  };
  const sections = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${escapeHtml(p.description ?? "")}</td></tr>`,
        )
        .join("");
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><b>${code}</b> ${escapeHtml(r.description ?? "")}</li>`)
        .join("");
      return `<section><h2><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
        <p>${escapeHtml(op.summary ?? "")}</p>
        ${params ? `<table><tr><th>parameter</th><th>in</th><th>meaning</th></tr>${params}</table>` : ""}
        <ul>${responses}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:0 .25em;border-radius:3px}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.m{background:#1f6feb;color:#fff;border-radius:3px;padding:0 .4em;font-size:.8em}section{margin-bottom:2rem}</style>
</head><body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>${sections.join("\n")}</body></html>`;
}

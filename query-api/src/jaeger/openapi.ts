/** OpenAPI 3.1 path items of the Jaeger-compatible routes, merged into `/openapi.json`. */

const str = { type: "string" } as const;

function q(name: string, description: string, required = false) {
  return { name, in: "query", required, description, schema: str };
}

function path(name: string, description: string) {
  return { name, in: "path", required: true, description, schema: str };
}

const envelope = {
  description:
    "Jaeger's envelope `{data, total, limit, offset, errors}`; every field present, `errors: null` when none.",
};

const v1Errors = {
  "400": { description: "A malformed parameter; `errors[0].msg` names it (same envelope)." },
  "401": {
    description: "`RUNTRACE_API_TOKENS` is set and the bearer token is missing or unknown.",
  },
};

const v3Errors = {
  "400": { description: '`{"error":{"httpCode":400,"message":"malformed parameter …"}}`' },
  "401": v1Errors["401"],
};

const traceId = path(
  "traceID",
  "Trace id: hex (1–32 digits, any case; 16 digits = a 64-bit id) or the 16 bytes in base64.",
);

const v3SearchParameters = [
  q("query.serviceName", "Service name (alias query.service_name)."),
  q("query.operationName", "Span name (alias query.operation_name)."),
  q("query.startTimeMin", "Earliest span start, RFC 3339 (alias query.start_time_min).", true),
  q("query.startTimeMax", "Latest span start, RFC 3339 (alias query.start_time_max).", true),
  q(
    "query.searchDepth",
    "Most traces, default 100, at most 1500 (aliases query.search_depth, query.num_traces).",
  ),
  q(
    "query.durationMin",
    "Least span duration, Go duration such as 250ms (alias query.duration_min).",
  ),
  q("query.durationMax", "Greatest span duration, Go duration (alias query.duration_max)."),
  q(
    "query.attributes",
    'JSON object of attributes one span must all have, e.g. {"gen_ai.tool.name":"x"}.',
  ),
];

export const jaegerOpenApiPaths = {
  "/api/services": {
    get: {
      tags: ["jaeger"],
      summary: "Jaeger v1: service names (state spans and invisible traces never count)",
      responses: { "200": envelope, ...v1Errors },
    },
  },
  "/api/services/{service}/operations": {
    get: {
      tags: ["jaeger"],
      summary: "Jaeger v1: a service's span names, every kind",
      parameters: [path("service", "Service name")],
      responses: { "200": envelope, ...v1Errors },
    },
  },
  "/api/operations": {
    get: {
      tags: ["jaeger"],
      summary: "Jaeger v1: a service's operations as `{name, spanKind}`",
      parameters: [
        q("service", "Service name", true),
        q("spanKind", "server, client, producer, consumer or internal; empty: all"),
      ],
      responses: { "200": envelope, ...v1Errors },
    },
  },
  "/api/traces": {
    get: {
      tags: ["jaeger"],
      summary:
        "Jaeger v1 trace search: traces with one span that meets every condition, most recent first",
      parameters: [
        q("service", "Service name (optional here; Jaeger requires it)"),
        q("operation", "Span name"),
        q(
          "tag",
          "key:value, repeatable; matches span or resource attributes and error, span.kind, otel.status_code…",
        ),
        q("tags", "JSON object of key → value, repeatable"),
        q("minDuration", "Go duration: ns, us, µs, ms, s, m, h, compound like 1m30s"),
        q("maxDuration", "Go duration, not less than minDuration"),
        q("start", "Unix microseconds, default now − 2 days"),
        q("end", "Unix microseconds, default now"),
        q("limit", "Most traces, default 100, at most 1500"),
        q(
          "traceID",
          "Repeatable: return these traces instead of searching; missing ones are listed in errors",
        ),
      ],
      responses: { "200": envelope, ...v1Errors },
    },
  },
  "/api/traces/{traceID}": {
    get: {
      tags: ["jaeger"],
      summary:
        "Jaeger v1 trace by id (`data[0]`): µs integer times, processes p1…, typed tags; `start`/`end` are ignored",
      parameters: [traceId],
      responses: {
        "200": envelope,
        "404": {
          description:
            'Unknown, or not readable with this token: `{"data":null,…,"errors":[{"code":404,"msg":"trace not found"}]}`',
        },
        ...v1Errors,
      },
    },
  },
  "/api/dependencies": {
    get: {
      tags: ["jaeger"],
      summary: "Jaeger v1: calls between services, `[{parent, child, callCount}]`",
      parameters: [
        q("endTs", "Unix milliseconds, default now"),
        q("lookback", "Milliseconds, default 24 hours"),
        q("service", "Only links where it is the parent or the child"),
      ],
      responses: { "200": envelope, ...v1Errors },
    },
  },
  "/api/v3/services": {
    get: {
      tags: ["jaeger"],
      summary: 'Jaeger api_v3: `{"services":[…]}`',
      responses: { "200": { description: "The services" }, ...v3Errors },
    },
  },
  "/api/v3/operations": {
    get: {
      tags: ["jaeger"],
      summary: 'Jaeger api_v3: `{"operations":[{name, spanKind}]}` (no kind reads as internal)',
      parameters: [
        q("service", "Service name", true),
        q("spanKind", "server, client, producer, consumer or internal (alias span_kind)"),
      ],
      responses: { "200": { description: "The operations" }, ...v3Errors },
    },
  },
  "/api/v3/traces/{traceID}": {
    get: {
      tags: ["jaeger"],
      summary: 'Jaeger api_v3: one trace as OTLP/JSON, `{"result":{"resourceSpans":[…]}}`',
      parameters: [
        traceId,
        q("startTime", "RFC 3339, checked and not needed"),
        q("endTime", "RFC 3339, checked and not needed"),
      ],
      responses: {
        "200": { description: "The trace" },
        "404": { description: '`{"error":{"httpCode":404,"message":"trace not found"}}`' },
        ...v3Errors,
      },
    },
  },
  "/api/v3/traces": {
    get: {
      tags: ["jaeger"],
      summary: "Jaeger api_v3 search: every matching trace merged into one OTLP/JSON result",
      parameters: v3SearchParameters,
      responses: {
        "200": { description: "The traces" },
        "404": { description: '`{"error":{"httpCode":404,"message":"No traces found"}}`' },
        ...v3Errors,
      },
    },
  },
  "/api/v3/trace-summaries": {
    get: {
      tags: ["jaeger"],
      summary:
        "Jaeger api_v3 search summaries (Jaeger UI ≥ 2.20): root service and operation, time range as decimal nanoseconds, span, error and orphan counts, per-service counts",
      parameters: v3SearchParameters,
      responses: {
        "200": { description: '`{"summaries":[…]}`, empty when nothing matches' },
        ...v3Errors,
      },
    },
  },
};

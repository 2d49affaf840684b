/** OpenAPI 3.1 path items of the Tempo-compatible routes, merged into `/openapi.json`. */

const str = { type: "string" } as const;

function q(name: string, description: string) {
  return { name, in: "query", required: false, description, schema: str };
}

function path(name: string, description: string) {
  return { name, in: "path", required: true, description, schema: str };
}

const errors = {
  "400": {
    description: "A malformed parameter or unsupported TraceQL; the plain-text body says which.",
  },
  "401": {
    description: "`RUNTRACE_API_TOKENS` is set and the bearer token is missing or unknown.",
  },
};

const window = [
  q("start", "Unix seconds; with end, both 0 or absent: the last 24 hours"),
  q("end", "Unix seconds, inclusive of that second; default now"),
];

const traceId = path("traceID", "1–32 hex digits (any case), left-padded to 32");

const notFound = {
  "404": {
    description:
      "Unknown, or not readable with this token (Grafana then tries v1): `trace not found`",
  },
};

const editorQuery = q(
  "q",
  "The editor's current TraceQL query: only spans it matches count; one that does not parse (yet) filters nothing",
);

export const tempoOpenApiPaths = {
  "/tempo/api/echo": {
    get: {
      tags: ["tempo"],
      summary: "Tempo: `echo` (text/plain), Grafana's data source health check",
      responses: { "200": { description: "echo" }, "401": errors["401"] },
    },
  },
  "/tempo/ready": {
    get: {
      tags: ["tempo"],
      summary: "Tempo: readiness, `ready` (text/plain)",
      responses: { "200": { description: "ready" }, "401": errors["401"] },
    },
  },
  "/tempo/api/v2/traces/{traceID}": {
    get: {
      tags: ["tempo"],
      summary:
        'Tempo v2 trace by id: `Accept: application/protobuf` → tempopb.TraceByIDResponse (field 1 = Trace = OTLP ResourceSpans); otherwise OTLP/JSON `{"trace":{"resourceSpans":[…]}}`',
      parameters: [traceId, ...window],
      responses: { "200": { description: "The trace" }, ...notFound, ...errors },
    },
  },
  "/tempo/api/traces/{traceID}": {
    get: {
      tags: ["tempo"],
      summary:
        'Tempo v1 trace by id: protobuf = bare OTLP TracesData; otherwise OTLP/JSON `{"batches":[…]}`',
      parameters: [traceId, ...window],
      responses: { "200": { description: "The trace" }, ...notFound, ...errors },
    },
  },
  "/tempo/api/search": {
    get: {
      tags: ["tempo"],
      summary:
        "Tempo search: tempopb.SearchResponse JSON, the latest-starting trace first; each trace's spanset lists its first matching spans and how many matched",
      parameters: [
        q(
          "q",
          'TraceQL: {} or one spanset of &&-joined conditions, e.g. {resource.service.name="svc" && span.http.status_code>=500 && status=error && duration>100ms}; hex digits only: that trace by id',
        ),
        q("tags", "Instead of q: logfmt key=value pairs matched exactly (name = span name)"),
        q("minDuration", "With tags: least trace duration, Go duration such as 100ms"),
        q("maxDuration", "With tags: greatest trace duration"),
        q("limit", "Most traces, default 20, at most 1000"),
        q("spss", "Spans listed per spanset, default 3, at most 100"),
        ...window,
      ],
      responses: { "200": { description: "`{traces, metrics}`" }, ...errors },
    },
  },
  "/tempo/api/v2/search/tags": {
    get: {
      tags: ["tempo"],
      summary:
        'Tempo tag names: `{"scopes":[{"name":"resource","tags":[…]},{"name":"span",…},{"name":"intrinsic",…}]}`',
      parameters: [
        q("scope", "resource, span or intrinsic; empty: all"),
        editorQuery,
        q("limit", "Most names per scope, default 1000, at most 10000"),
        ...window,
      ],
      responses: { "200": { description: "The tag names" }, ...errors },
    },
  },
  "/tempo/api/v2/search/tag/{tag}/values": {
    get: {
      tags: ["tempo"],
      summary:
        'Tempo tag values: `{"tagValues":[{"type":"string|int|float|bool|keyword","value":"…"}]}`; status and kind are fixed keyword lists',
      parameters: [
        path("tag", "resource.<attr>, span.<attr>, .<attr>, name, status, kind, duration"),
        editorQuery,
        q("limit", "Most values, default 1000, at most 10000"),
        ...window,
      ],
      responses: { "200": { description: "The values" }, ...errors },
    },
  },
};

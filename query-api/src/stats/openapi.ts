/** OpenAPI 3.1 path items of `/v1/stats/…`, merged into `/openapi.json`. */

const timeSchema = {
  oneOf: [
    { type: "integer", minimum: 0, description: "epoch milliseconds" },
    { type: "string", format: "date-time", description: "RFC 3339" },
  ],
};

const fromParameter = {
  name: "from",
  in: "query",
  required: false,
  description:
    "Start of the window (inclusive): epoch ms or RFC 3339. Default: `to` minus 24 hours. Must be before `to`.",
  schema: timeSchema,
};

const toParameter = {
  name: "to",
  in: "query",
  required: false,
  description: "End of the window (exclusive): epoch ms or RFC 3339. Default: now.",
  schema: timeSchema,
};

const scopeParameter = {
  name: "scope",
  in: "query",
  required: false,
  description:
    "Comma-separated scope ids to restrict to. Only scopes the bearer token may read count; default: every readable scope.",
  schema: { type: "string" },
};

const nullableNumber = { type: ["number", "null"] };

const errorResponse = {
  description: "A bad parameter (400, `parameter` names it) or a missing or unknown token (401).",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["error", "message"],
        properties: {
          error: { type: "string" },
          message: { type: "string" },
          parameter: { type: "string" },
        },
      },
    },
  },
};

export const statsOpenApiPaths = {
  "/v1/stats/executions": {
    get: {
      operationId: "getExecutionStats",
      tags: ["stats"],
      summary: "Execution outcomes and durations over time",
      description:
        "From the metrics `executor.execution.outcomes` and `executor.execution.duration_ms`. " +
        "Cumulative series are turned into per-interval increases (a drop in value or a new " +
        "start time is a reset, counted in full); delta points are summed. Every bucket of " +
        "[from, to) is present, aligned to floor(t / interval) × interval. Percentiles are " +
        "interpolated linearly inside the histogram bucket that holds their rank.",
      parameters: [
        fromParameter,
        toParameter,
        {
          name: "interval",
          in: "query",
          required: false,
          description:
            "Bucket size: `30s`, `1m`, `5m`, `1h`, `1d` (units ms, s, m, h, d) or milliseconds. " +
            "Default: the smallest of 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 3h, 6h, 12h, 1d " +
            "giving at most 60 buckets. More than 1000 buckets is a 400.",
          schema: { type: "string", examples: ["5m", "60000"] },
        },
        scopeParameter,
      ],
      responses: {
        "200": {
          description: "One entry per interval, oldest first.",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["from", "to", "intervalMs", "buckets"],
                properties: {
                  from: { type: "integer", description: "epoch ms" },
                  to: { type: "integer", description: "epoch ms" },
                  intervalMs: { type: "integer" },
                  buckets: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["start", "outcomes", "total", "durationMs"],
                      properties: {
                        start: { type: "integer", description: "epoch ms" },
                        outcomes: {
                          type: "object",
                          description:
                            "Executions that ended in the interval, by final status (completed, failed, cancelled always present).",
                          additionalProperties: { type: "number" },
                        },
                        total: { type: "number" },
                        durationMs: {
                          oneOf: [
                            { type: "null" },
                            {
                              type: "object",
                              required: ["count", "p50", "p95", "p99"],
                              properties: {
                                count: { type: "number" },
                                p50: nullableNumber,
                                p95: nullableNumber,
                                p99: nullableNumber,
                              },
                            },
                          ],
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        "400": errorResponse,
        "401": errorResponse,
      },
    },
  },
  "/v1/stats/tools": {
    get: {
      operationId: "getToolStats",
      tags: ["stats"],
      summary: "Calls, failures and durations per tool path",
      description:
        "From the metrics `executor.tool_calls` and `executor.tool_call.duration_ms` over " +
        "[from, to), most called first.",
      parameters: [
        fromParameter,
        toParameter,
        scopeParameter,
        {
          name: "limit",
          in: "query",
          required: false,
          description: "Most tools returned.",
          schema: { type: "integer", minimum: 1, maximum: 500, default: 50 },
        },
      ],
      responses: {
        "200": {
          description: "Tools ordered by calls, descending.",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["from", "to", "tools"],
                properties: {
                  from: { type: "integer", description: "epoch ms" },
                  to: { type: "integer", description: "epoch ms" },
                  tools: {
                    type: "array",
                    items: {
                      type: "object",
                      required: [
                        "toolPath",
                        "namespace",
                        "calls",
                        "failures",
                        "failureRate",
                        "durationMs",
                      ],
                      properties: {
                        toolPath: { type: "string" },
                        namespace: { type: "string" },
                        calls: { type: "number" },
                        failures: { type: "number" },
                        failureRate: { type: "number", minimum: 0, maximum: 1 },
                        durationMs: {
                          oneOf: [
                            { type: "null" },
                            {
                              type: "object",
                              required: ["p50", "p95"],
                              properties: { p50: nullableNumber, p95: nullableNumber },
                            },
                          ],
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        "400": errorResponse,
        "401": errorResponse,
      },
    },
  },
} as const;

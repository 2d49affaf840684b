import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import {
  JaegerDependencies,
  JaegerErrorEnvelope,
  JaegerOperationNames,
  JaegerOperations,
  JaegerServices,
  JaegerTraces,
  JaegerV3Error,
  JaegerV3Operations,
  JaegerV3Services,
  JaegerV3TraceSummaries,
  JaegerV3Traces,
  MetricFamily,
  MinStep,
  pathParam,
} from "../contract/index.ts";
import { jsonAnswer, optionalText as text, unauthorized } from "../http/openapi-parts.ts";
import { DEFAULT_LOOKBACK_MS, DEFAULT_STEP_MS, MAX_POINTS } from "./metrics/params.ts";

/**
 * The OpenAPI path items of the Jaeger-compatible routes. The answers are the contract's
 * schemas; the parameters are parsed as Jaeger parses them (`v1-params.ts`, `v3-params.ts`:
 * repeatable keys, Jaeger's own error wording), so the schemas below describe them for the
 * document only.
 */

const v1Errors = {
  "400": jsonAnswer("A malformed parameter; `errors[0].msg` names it.", JaegerErrorEnvelope),
  "401": unauthorized,
};

const v3Errors = {
  "400": jsonAnswer("`malformed parameter …`", JaegerV3Error),
  "401": unauthorized,
};

const traceId = pathParam(
  "traceID",
  "Trace id: hex (1–32 digits, any case; 16 digits = a 64-bit id) or the 16 bytes in base64.",
);

const v3Search = z.object({
  "query.serviceName": text("Service name (alias query.service_name)."),
  "query.operationName": text("Span name (alias query.operation_name)."),
  "query.startTimeMin": z
    .string()
    .meta({ description: "Earliest span start, RFC 3339 (alias query.start_time_min)." }),
  "query.startTimeMax": z
    .string()
    .meta({ description: "Latest span start, RFC 3339 (alias query.start_time_max)." }),
  "query.searchDepth": text(
    "Most traces, default 100, at most 1500 (aliases query.search_depth, query.num_traces).",
  ),
  "query.durationMin": text(
    "Least span duration, Go duration such as 250ms (alias query.duration_min).",
  ),
  "query.durationMax": text("Greatest span duration, Go duration (alias query.duration_max)."),
  "query.attributes": text(
    'JSON object of attributes one span must all have, e.g. {"gen_ai.tool.name":"x"}.',
  ),
});

/** Repeatable: `?service=a&service=b`. */
const repeated = (description: string) => z.array(z.string()).optional().meta({ description });

const metricsQuery = {
  service: z
    .array(z.string())
    .meta({ description: "Service name, repeatable (one series each); at least one." }),
  groupByOperation: text("`true`: one series per service and operation (span name)."),
  spanKind: repeated(
    "unspecified, internal, server, client, producer or consumer, repeatable; default server.",
  ),
  endTs: text("Unix milliseconds, default now."),
  lookback: text(`Milliseconds before endTs, default ${DEFAULT_LOOKBACK_MS}.`),
  step: text(`Bucket length in ms, default ${DEFAULT_STEP_MS}; at most ${MAX_POINTS} buckets.`),
  ratePer: text("Milliseconds; read and ignored: each point is its own bucket's rate."),
};

function metricsRoute(operationId: string, summary: string, query: Record<string, z.ZodType>) {
  return {
    get: {
      operationId,
      tags: ["jaeger"],
      summary,
      requestParams: { query: z.object(query) },
      responses: {
        "200": jsonAnswer(
          "A MetricFamily (not in the envelope): one series per service (and operation), every bucket of the step-aligned grid from the one holding endTs − lookback to the last before endTs",
          MetricFamily,
        ),
        ...v1Errors,
      },
    },
  };
}

export const jaegerOpenApiPaths: ZodOpenApiPathsObject = {
  "/api/metrics/calls": metricsRoute(
    "jaegerMetricsCalls",
    "Jaeger Monitor tab: calls per second of the service's spans of the asked kinds",
    metricsQuery,
  ),
  "/api/metrics/errors": metricsRoute(
    "jaegerMetricsErrors",
    "Jaeger Monitor tab: the fraction (0–1) of those spans with status ERROR; NaN without calls",
    metricsQuery,
  ),
  "/api/metrics/latencies": metricsRoute(
    "jaegerMetricsLatencies",
    "Jaeger Monitor tab: a duration quantile in ms; NaN without calls",
    {
      ...metricsQuery,
      quantile: z.string().meta({ description: "0 to 1, e.g. 0.95; required." }),
    },
  ),
  "/api/metrics/minstep": {
    get: {
      operationId: "jaegerMetricsMinStep",
      tags: ["jaeger"],
      summary: "Jaeger 1.x: the smallest step, 1 ms, in the envelope",
      responses: { "200": jsonAnswer("`data: 1`", MinStep), "401": unauthorized },
    },
  },
  "/api/services": {
    get: {
      operationId: "jaegerServices",
      tags: ["jaeger"],
      summary: "Jaeger v1: service names (state spans and invisible traces never count)",
      responses: { "200": jsonAnswer("The services", JaegerServices), ...v1Errors },
    },
  },
  "/api/services/{service}/operations": {
    get: {
      operationId: "jaegerServiceOperations",
      tags: ["jaeger"],
      summary: "Jaeger v1: a service's span names, every kind",
      requestParams: { path: pathParam("service", "Service name") },
      responses: { "200": jsonAnswer("The span names", JaegerOperationNames), ...v1Errors },
    },
  },
  "/api/operations": {
    get: {
      operationId: "jaegerOperations",
      tags: ["jaeger"],
      summary: "Jaeger v1: a service's operations as `{name, spanKind}`",
      requestParams: {
        query: z.object({
          service: z.string().meta({ description: "Service name" }),
          spanKind: text("server, client, producer, consumer or internal; empty: all"),
        }),
      },
      responses: { "200": jsonAnswer("The operations", JaegerOperations), ...v1Errors },
    },
  },
  "/api/traces": {
    get: {
      operationId: "jaegerSearchTraces",
      tags: ["jaeger"],
      summary:
        "Jaeger v1 trace search: traces with one span that meets every condition, most recent first",
      requestParams: {
        query: z.object({
          service: text("Service name (optional here; Jaeger requires it)"),
          operation: text("Span name"),
          tag: repeated(
            "key:value, repeatable; matches span or resource attributes and error, span.kind, otel.status_code…",
          ),
          tags: repeated("JSON object of key → value, repeatable"),
          minDuration: text("Go duration: ns, us, µs, ms, s, m, h, compound like 1m30s"),
          maxDuration: text("Go duration, not less than minDuration"),
          start: text("Unix microseconds, default now − 2 days"),
          end: text("Unix microseconds, default now"),
          limit: text("Most traces, default 100, at most 1500"),
          traceID: repeated(
            "Repeatable: return these traces instead of searching; missing ones are listed in errors",
          ),
        }),
      },
      responses: { "200": jsonAnswer("The traces", JaegerTraces), ...v1Errors },
    },
  },
  "/api/traces/{traceID}": {
    get: {
      operationId: "jaegerTrace",
      tags: ["jaeger"],
      summary:
        "Jaeger v1 trace by id (`data[0]`): µs integer times, processes p1…, typed tags; `start`/`end` are ignored",
      requestParams: { path: traceId },
      responses: {
        "200": jsonAnswer("The trace", JaegerTraces),
        "404": jsonAnswer(
          "Unknown, or not readable with this token: `trace not found`",
          JaegerErrorEnvelope,
        ),
        ...v1Errors,
      },
    },
  },
  "/api/dependencies": {
    get: {
      operationId: "jaegerDependencies",
      tags: ["jaeger"],
      summary: "Jaeger v1: calls between services, `[{parent, child, callCount}]`",
      requestParams: {
        query: z.object({
          endTs: text("Unix milliseconds, default now"),
          lookback: text("Milliseconds, default 24 hours"),
          service: text("Only links where it is the parent or the child"),
        }),
      },
      responses: { "200": jsonAnswer("The links", JaegerDependencies), ...v1Errors },
    },
  },
  "/api/v3/services": {
    get: {
      operationId: "jaegerV3Services",
      tags: ["jaeger"],
      summary: "Jaeger api_v3: the service names",
      responses: { "200": jsonAnswer("The services", JaegerV3Services), ...v3Errors },
    },
  },
  "/api/v3/operations": {
    get: {
      operationId: "jaegerV3Operations",
      tags: ["jaeger"],
      summary: "Jaeger api_v3: a service's operations (no kind reads as internal)",
      requestParams: {
        query: z.object({
          service: z.string().meta({ description: "Service name" }),
          spanKind: text("server, client, producer, consumer or internal (alias span_kind)"),
        }),
      },
      responses: { "200": jsonAnswer("The operations", JaegerV3Operations), ...v3Errors },
    },
  },
  "/api/v3/traces/{traceID}": {
    get: {
      operationId: "jaegerV3Trace",
      tags: ["jaeger"],
      summary: "Jaeger api_v3: one trace as OTLP/JSON",
      requestParams: {
        path: traceId,
        query: z.object({
          startTime: text("RFC 3339, checked and not needed"),
          endTime: text("RFC 3339, checked and not needed"),
        }),
      },
      responses: {
        "200": jsonAnswer("The trace", JaegerV3Traces),
        "404": jsonAnswer("`trace not found`", JaegerV3Error),
        ...v3Errors,
      },
    },
  },
  "/api/v3/traces": {
    get: {
      operationId: "jaegerV3SearchTraces",
      tags: ["jaeger"],
      summary: "Jaeger api_v3 search: every matching trace merged into one OTLP/JSON result",
      requestParams: { query: v3Search },
      responses: {
        "200": jsonAnswer("The traces", JaegerV3Traces),
        "404": jsonAnswer("`No traces found`", JaegerV3Error),
        ...v3Errors,
      },
    },
  },
  "/api/v3/trace-summaries": {
    get: {
      operationId: "jaegerV3TraceSummaries",
      tags: ["jaeger"],
      summary:
        "Jaeger api_v3 search summaries (Jaeger UI ≥ 2.20): root service and operation, time range as decimal nanoseconds, span, error and orphan counts, per-service counts",
      requestParams: { query: v3Search },
      responses: {
        "200": jsonAnswer("The summaries, empty when nothing matches", JaegerV3TraceSummaries),
        ...v3Errors,
      },
    },
  },
};

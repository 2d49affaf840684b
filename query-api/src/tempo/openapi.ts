import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import {
  pathParam,
  TempoSearchResponse,
  TempoTagNames,
  TempoTagValues,
  TempoTraceV1,
  TempoTraceV2,
} from "../contract/index.ts";
import {
  jsonAnswer,
  optionalText as text,
  textAnswer,
  unauthorized,
} from "../http/openapi-parts.ts";

/**
 * The OpenAPI path items of the Tempo-compatible routes. The answers are the contract's
 * schemas; the parameters are parsed as Tempo parses them (`params.ts`), so the schemas below
 * describe them for the document only.
 */

const plain = (description: string) => textAnswer(description, z.string());

const errors = {
  "400": plain("A malformed parameter or unsupported TraceQL; the text says which."),
  "401": unauthorized,
};

const window = {
  start: text("Unix seconds; with end, both 0 or absent: the last 24 hours"),
  end: text("Unix seconds, inclusive of that second; default now"),
};

const traceId = pathParam("traceID", "1–32 hex digits (any case), left-padded to 32");

const notFound = {
  "404": plain(
    "Unknown, or not readable with this token (Grafana then tries v1): `trace not found`",
  ),
};

const editorQuery = text(
  "The editor's current TraceQL query: only spans it matches count; one that does not parse (yet) filters nothing",
);

const protobuf = (description: string) => ({
  "application/protobuf": { schema: z.string().meta({ format: "binary", description }) },
});

export const tempoOpenApiPaths: ZodOpenApiPathsObject = {
  "/tempo/api/echo": {
    get: {
      operationId: "tempoEcho",
      tags: ["tempo"],
      summary: "Tempo: Grafana's data source health check",
      responses: { "200": plain("`echo`"), "401": unauthorized },
    },
  },
  "/tempo/ready": {
    get: {
      operationId: "tempoReady",
      tags: ["tempo"],
      summary: "Tempo: readiness",
      responses: { "200": plain("`ready`"), "401": unauthorized },
    },
  },
  "/tempo/api/v2/traces/{traceID}": {
    get: {
      operationId: "tempoTraceV2",
      tags: ["tempo"],
      summary: "Tempo v2 trace by id: OTLP/JSON, or protobuf with `Accept: application/protobuf`",
      requestParams: { path: traceId, query: z.object(window) },
      responses: {
        "200": {
          description: "The trace",
          content: {
            "application/json": { schema: TempoTraceV2 },
            ...protobuf("tempopb.TraceByIDResponse (field 1 = Trace = OTLP ResourceSpans)"),
          },
        },
        ...notFound,
        ...errors,
      },
    },
  },
  "/tempo/api/traces/{traceID}": {
    get: {
      operationId: "tempoTrace",
      tags: ["tempo"],
      summary: "Tempo v1 trace by id: OTLP/JSON batches, or protobuf (bare OTLP TracesData)",
      requestParams: { path: traceId, query: z.object(window) },
      responses: {
        "200": {
          description: "The trace",
          content: {
            "application/json": { schema: TempoTraceV1 },
            ...protobuf("OTLP TracesData"),
          },
        },
        ...notFound,
        ...errors,
      },
    },
  },
  "/tempo/api/search": {
    get: {
      operationId: "tempoSearch",
      tags: ["tempo"],
      summary:
        "Tempo search: the latest-starting trace first; each trace's spanset lists its first matching spans and how many matched",
      requestParams: {
        query: z.object({
          q: text(
            'TraceQL: {} or one spanset of &&-joined conditions, e.g. {resource.service.name="svc" && span.http.status_code>=500 && status=error && duration>100ms}; hex digits only: that trace by id',
          ),
          tags: text("Instead of q: logfmt key=value pairs matched exactly (name = span name)"),
          minDuration: text("With tags: least trace duration, Go duration such as 100ms"),
          maxDuration: text("With tags: greatest trace duration"),
          limit: text("Most traces, default 20, at most 1000"),
          spss: text("Spans listed per spanset, default 3, at most 100"),
          ...window,
        }),
      },
      responses: { "200": jsonAnswer("The traces", TempoSearchResponse), ...errors },
    },
  },
  "/tempo/api/v2/search/tags": {
    get: {
      operationId: "tempoTagNames",
      tags: ["tempo"],
      summary: "Tempo tag names by scope (resource, span, intrinsic)",
      requestParams: {
        query: z.object({
          scope: text("resource, span or intrinsic; empty: all"),
          q: editorQuery,
          limit: text("Most names per scope, default 1000, at most 10000"),
          ...window,
        }),
      },
      responses: { "200": jsonAnswer("The tag names", TempoTagNames), ...errors },
    },
  },
  "/tempo/api/v2/search/tag/{tag}/values": {
    get: {
      operationId: "tempoTagValues",
      tags: ["tempo"],
      summary: "Tempo tag values; status and kind are fixed keyword lists",
      requestParams: {
        path: pathParam(
          "tag",
          "resource.<attr>, span.<attr>, .<attr>, name, status, kind, duration",
        ),
        query: z.object({
          q: editorQuery,
          limit: text("Most values, default 1000, at most 10000"),
          ...window,
        }),
      },
      responses: { "200": jsonAnswer("The values", TempoTagValues), ...errors },
    },
  },
};

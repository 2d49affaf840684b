import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import {
  About,
  ErrorBody,
  ErrorGroups,
  ExecutionDetail,
  ExecutionList,
  ExecutionNumbers,
  ExecutionTrace,
  ExportQuery,
  ListQuery,
  NumbersQuery,
  pathParam,
  ToolCallList,
  ToolNumbers,
} from "../contract/index.ts";
import { jsonAnswer, v1Errors } from "../http/openapi-parts.ts";

/** The OpenAPI path items of `/v1/executions` and `/v1/about`, from the contract's schemas. */

const idParam = pathParam("id", "Execution id");

export const executionOpenApiPaths: ZodOpenApiPathsObject = {
  "/v1/executions": {
    get: {
      tags: ["executions"],
      operationId: "listExecutions",
      summary: "List executions with filters, facets and a timeline",
      requestParams: { query: ListQuery },
      responses: { "200": jsonAnswer("A page of runs", ExecutionList), ...v1Errors },
    },
  },
  "/v1/executions/{id}": {
    get: {
      tags: ["executions"],
      operationId: "getExecution",
      summary:
        "One execution: stored code, result, error, logs, trigger meta, interactions, pending interaction",
      requestParams: { path: idParam },
      responses: {
        "200": jsonAnswer(
          "The execution: the list row's fields and the stored detail",
          ExecutionDetail,
        ),
        "404": jsonAnswer("Unknown id, or a run of a scope the token cannot read", ErrorBody),
        ...v1Errors,
      },
    },
  },
  "/v1/executions/export": {
    get: {
      tags: ["executions"],
      operationId: "exportExecutions",
      summary: "The filtered runs as CSV or JSON lines",
      description:
        "Every run the list's filters match (not one page), in the list's sort, streamed: CSV with a header row (columns id, scope, status, stale, trigger, runtime, createdAt, startedAt, completedAt, durationMs, toolCallCount, interactionCount, hadElicitation, traceId, codePreview; times RFC 3339; text that a spreadsheet would run as a formula is prefixed with ') or JSON lines (each the list's row). At most `rows` runs; the header `X-Runtrace-Row-Limit` says how many were allowed — compare with the list's `meta.filterRowCount` to tell whether the export was cut.",
      requestParams: { query: ExportQuery },
      responses: {
        "200": {
          description: "The runs, streamed",
          headers: {
            "X-Runtrace-Row-Limit": {
              description: "The most runs this export holds (`rows`).",
              schema: { type: "integer" },
            },
          },
          content: {
            "text/csv": { schema: z.string() },
            "application/x-ndjson": { schema: z.string() },
          },
        },
        ...v1Errors,
      },
    },
  },
  "/v1/executions/numbers": {
    get: {
      tags: ["executions"],
      operationId: "executionNumbers",
      summary:
        "Numbers of the filtered runs: count, failure rate, p50/p95 duration, failure rate over time",
      description:
        "Over every run the list's filters match (not one page), from the same stored runs as the list's counts. Whole days and hours are read from rollups that count durations in buckets (8 per doubling), so p50 and p95 are estimates within about 4.4 % of the nearest-rank value, each with its bucket; under a tool filter of one value they come from rollups keyed by that value and the status (schema 13); a code filter, several tool values, a tool filter with a trigger or elicitation filter, or an id search read the runs' rows instead. The failure rate is failed / finished (completed, failed or cancelled).",
      requestParams: { query: NumbersQuery },
      responses: { "200": jsonAnswer("The numbers", ExecutionNumbers), ...v1Errors },
    },
  },
  "/v1/executions/numbers/tools": {
    get: {
      tags: ["executions"],
      operationId: "executionToolNumbers",
      summary: "Per tool path of the filtered runs: calls, failures, failure rate, p95",
      description:
        "Over the same runs as `/v1/executions/numbers` (a request of its own: it costs as much again, and the /runs page asks for it when its tools are opened). Whole days and hours come from `tool_call_*` (calls, failures; by scope, status, trigger and elicitation) and `tool_duration_*` (calls per duration bucket, by scope and status: with a trigger or elicitation filter p95 reads the run rows).",
      requestParams: { query: NumbersQuery },
      responses: {
        "200": jsonAnswer("The 20 paths with the most calls", ToolNumbers),
        ...v1Errors,
      },
    },
  },
  "/v1/executions/errors": {
    get: {
      tags: ["executions"],
      operationId: "executionErrorGroups",
      summary: "The filtered failed runs grouped by error type and message pattern",
      description:
        "Every failed run the list's filters match, grouped by its error type and its message with quoted values, numbers and ids masked (computed as the run row is stored, schema 12); per group its count, first and last start and one message. `errorGroup=<id>` on the list (and on numbers, export and this route) filters to a group.",
      requestParams: { query: NumbersQuery },
      responses: { "200": jsonAnswer("The largest groups", ErrorGroups), ...v1Errors },
    },
  },
  "/v1/executions/{id}/tool-calls": {
    get: {
      tags: ["executions"],
      operationId: "getExecutionToolCalls",
      summary: "An execution's tool calls in start order",
      description:
        "The tool spans naming its id, in its scope or naming none, started at most a minute before it was created, with status, duration, args and result where recorded; and, for an unfinished run that is not stale, the calls its latest snapshot lists as in flight whose span is not stored yet (status `running`, completedAt, durationMs and spanId null).",
      requestParams: { path: idParam },
      responses: {
        "200": jsonAnswer("The tool calls", ToolCallList),
        "404": jsonAnswer("Unknown id", ErrorBody),
        ...v1Errors,
      },
    },
  },
  "/v1/executions/{id}/trace": {
    get: {
      tags: ["executions"],
      operationId: "getExecutionTrace",
      summary: "The execution's trace as a span tree (state spans left out)",
      requestParams: { path: idParam },
      responses: {
        "200": jsonAnswer("The span tree, roots first, children in start order", ExecutionTrace),
        "404": jsonAnswer("Unknown id or no spans stored", ErrorBody),
        ...v1Errors,
      },
    },
  },
  "/v1/about": {
    get: {
      tags: ["executions"],
      operationId: "about",
      summary: "What the /runs page tells a newcomer: where runtimes send telemetry",
      responses: { "200": jsonAnswer("Where to send", About), "401": v1Errors["401"] },
    },
  },
};

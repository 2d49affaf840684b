import type { ZodOpenApiPathsObject } from "zod-openapi";
import {
  ExecutionStats,
  ExecutionStatsQuery,
  ToolStatsList,
  ToolStatsQuery,
} from "../contract/index.ts";
import { jsonAnswer, v1Errors } from "../http/openapi-parts.ts";

/** The OpenAPI path items of `/v1/stats/…`, from the contract's schemas. */
export const statsOpenApiPaths: ZodOpenApiPathsObject = {
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
      requestParams: { query: ExecutionStatsQuery },
      responses: { "200": jsonAnswer("One entry per interval", ExecutionStats), ...v1Errors },
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
      requestParams: { query: ToolStatsQuery },
      responses: { "200": jsonAnswer("Tools ordered by calls", ToolStatsList), ...v1Errors },
    },
  },
};

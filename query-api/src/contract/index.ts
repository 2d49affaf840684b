/**
 * @module
 * The query API's wire contract: every route's parameters and answers as zod schemas. The
 * server validates and types with them, `/openapi.json` is generated from them, and the /runs
 * page imports their types (`import type … from "@runtrace/query-api/contract"`), so a shape is
 * written once.
 */
export * from "./conformance.ts";
export * from "./errors.ts";
export * from "./executions.ts";
export * from "./jaeger.ts";
export * from "./jaeger-metrics.ts";
export * from "./otlp-json.ts";
export { commaList, epochMs, pathParam, timeParam } from "./params.ts";
export * from "./stats.ts";
export * from "./tempo.ts";

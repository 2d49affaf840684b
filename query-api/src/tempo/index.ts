/**
 * @module
 * A Tempo-compatible query API on runtrace's trace store, for Grafana's Tempo data source
 * (URL `http://host:8080/tempo`): trace by id (v2 and v1, protobuf or OTLP/JSON), TraceQL
 * search of one spanset, tag names and values.
 */

export { tempoOpenApiPaths } from "./openapi.ts";
export { tempoRoutes } from "./routes.ts";
export { isTraceIdQuery, parseTraceQl, TRACEQL_SUPPORTED, TraceQlError } from "./traceql.ts";

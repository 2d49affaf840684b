/**
 * @module
 * Jaeger-compatible query API on runtrace's trace store: classic v1 (`/api/services`,
 * `/api/traces`, …) for Grafana's Jaeger data source and Jaeger UI, and `api_v3`.
 */

export { jaegerOpenApiPaths } from "./openapi.ts";
export { jaegerRoutes } from "./routes.ts";
export { toJaegerTrace } from "./v1-model.ts";

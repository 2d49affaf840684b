export { conformanceOpenApiPaths } from "./openapi.ts";
export { conformanceRoutes } from "./routes.ts";
export { RULE_IDS, type Rule, SNAPSHOT_ORDER_RULE, SPAN_RULES } from "./rules.ts";

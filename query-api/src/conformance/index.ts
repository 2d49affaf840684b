export { conformanceOpenApiPaths } from "./openapi.ts";
export { conformanceRoutes } from "./routes.ts";
export { RULES, type Rule } from "./rules.ts";

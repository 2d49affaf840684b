/**
 * @module
 * runtrace's query API (port 8080): run history, stats, OpenAPI, the /runs page.
 */
export { createQueryApiApp, DEFAULT_STALE_AFTER_MS, type QueryApiOptions } from "./app.ts";
export { type QueryApiConfig, resolveQueryApiConfig } from "./config.ts";
export { type ApiTokens, parseApiTokens } from "./http/access.ts";
export { DEFAULT_UI_DIR } from "./ui/index.ts";

/**
 * @module
 * runtrace's query API (port 8080).
 */
export { createQueryApiApp, type QueryApiOptions } from "./app.ts";

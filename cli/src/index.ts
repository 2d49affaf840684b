/**
 * @module
 * The runtrace command line.
 */
export { type ConfigParts, type RuntraceConfig, readConfig } from "./config.ts";
export { main } from "./main.ts";

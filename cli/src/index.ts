/**
 * @module
 * The runtrace command line.
 */
export { type ConfigParts, type RuntraceConfig, readConfig } from "./config.ts";
export { type Installation, main } from "./main.ts";

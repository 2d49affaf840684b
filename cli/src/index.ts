/**
 * @module
 * The runtrace command line.
 */
export { main } from "./main.ts";

/**
 * @module
 * runtrace's configuration vocabulary: one error type naming the setting at fault, the
 * typed parsers every setting goes through, and the environment type the composition root
 * passes to the libraries (which never read `process.env`). No dependencies.
 */
export { ConfigError } from "./config-error.ts";
export type { Environment } from "./environment.ts";
export { parseDurationMs, parseInteger, parsePort } from "./parsers.ts";
export { parseTokenScopes, type TokenScopes } from "./token-scopes.ts";

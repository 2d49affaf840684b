import { parseTokenScopes, type TokenScopes } from "@runtrace/config";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import { errorResponse } from "./errors.ts";

/** Bearer token → the scopes it may read (`null`: every scope). */
export type ApiTokens = TokenScopes;

/**
 * Parses `RUNTRACE_API_TOKENS`: entries separated by `;`, each `token=scope[,scope…]`, or
 * `token=*` for every scope. Example: `tok-a=acme;tok-ops=*`.
 */
export function parseApiTokens(text: string | undefined): ApiTokens | undefined {
  return parseTokenScopes("RUNTRACE_API_TOKENS", text);
}

/**
 * Sets the request's readable scopes. Without configured tokens everything is open (local
 * use); with them, a missing or unknown bearer token is a 401.
 */
export function access(tokens: ApiTokens | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!tokens) {
      c.set("scopes", null);
      return next();
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const scopes = match ? tokens.get(match[1]!.trim()) : undefined;
    if (scopes === undefined) {
      throw errorResponse(
        401,
        {
          error: "unauthorized",
          message: match ? "unknown bearer token" : "this API needs an Authorization: Bearer token",
        },
        { "WWW-Authenticate": 'Bearer realm="runtrace"' },
      );
    }
    c.set("scopes", scopes);
    return next();
  };
}

/**
 * The scopes a read covers: the `scope` parameter's values (each must be readable), else
 * every readable scope (`null` = no scope condition).
 */
export function scopesToRead(
  readable: readonly string[] | null,
  requested: readonly string[] | undefined,
): readonly string[] | null {
  if (!requested || requested.length === 0) return readable;
  if (readable === null) return requested;
  // A scope the token cannot read is treated as empty, never as an error that confirms it exists.
  return requested.filter((s) => readable.includes(s));
}

import { ConfigError } from "./config-error.ts";

/** Bearer token → the scopes it may use (`null`: every scope). */
export type TokenScopes = ReadonlyMap<string, readonly string[] | null>;

/**
 * Parses a token list such as `RUNTRACE_API_TOKENS` or `RUNTRACE_INGEST_TOKENS`: entries
 * separated by `;`, each `token=scope[,scope…]`, or `token=*` for every scope. Example:
 * `tok-a=acme;tok-ops=*`. Unset or blank: undefined.
 */
export function parseTokenScopes(key: string, text: string | undefined): TokenScopes | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const tokens = new Map<string, readonly string[] | null>();
  for (const entry of text.split(";")) {
    if (entry.trim() === "") continue;
    const eq = entry.indexOf("=");
    const token = eq < 0 ? "" : entry.slice(0, eq).trim();
    const scopes =
      eq < 0
        ? []
        : entry
            .slice(eq + 1)
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
    if (token === "" || scopes.length === 0) {
      throw new ConfigError(key, `"${entry.trim()}" is not token=scope[,scope…] or token=*`);
    }
    tokens.set(token, scopes.includes("*") ? null : scopes);
  }
  return tokens;
}

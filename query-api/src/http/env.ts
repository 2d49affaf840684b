import type { ClickHouse } from "@runtrace/clickhouse";

/** What every route handler can read from the request context. */
export interface AppEnv {
  Variables: {
    clickhouse: ClickHouse;
    /**
     * The scopes this request may read: `null` means every scope (no `RUNTRACE_API_TOKENS`
     * configured, or a token granted `*`). Routes must never return another scope's data.
     */
    scopes: readonly string[] | null;
    /** Aborted when the client disconnects, so a read in flight is cancelled. */
    signal: AbortSignal;
  };
}

import type { RejectReason } from "../rows/rows.ts";

/**
 * The outcome of one write, never thrown: `stored` once the inserts holding its rows
 * succeeded, `retryable` when the caller should try again later (saturated queue, ClickHouse
 * unreachable), `failed` when trying again cannot help.
 */
export type WriteResult =
  | {
      status: "stored";
      /** Spans or metric points accepted and stored. */
      stored: number;
      /** Spans rejected (invalid ids, past retention…), not stored. */
      rejected: number;
      rejectReasons: Partial<Record<RejectReason, number>>;
    }
  | {
      status: "retryable";
      reason: "saturated" | "unavailable";
      message: string;
      /** A hint for the client's next attempt. */
      retryAfterMillis: number;
    }
  | { status: "failed"; message: string; error?: unknown };

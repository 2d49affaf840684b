import { diag } from "@opentelemetry/api";

/**
 * Runs a piece of bookkeeping and swallows its failure (reported through `diag.error`):
 * instrumentation must never break the runtime's own code path.
 */
export function guard<T>(what: string, work: () => T, fallback: T): T {
  try {
    return work();
  } catch (error) {
    diag.error(`@runtrace/sdk: ${what} failed`, error);
    return fallback;
  }
}

/** Reports misuse of a handle (e.g. ending it twice) without throwing into the runtime. */
export function warnMisuse(message: string): void {
  diag.warn(`@runtrace/sdk: ${message}`);
}

import { resolve } from "node:path";
import type { ClickHouse } from "../connection/client.ts";

/**
 * Which writers share an embedded data directory. One process at a time holds a directory (the
 * engine locks it), so when this process has a single open writer on it, no other writer can
 * store a span of the same run at the same instant, and the writer may skip the reads that
 * only catch such races. On a ClickHouse server other processes may write at any time: a
 * writer there is never alone.
 */
const openWriters = new Map<string, number>();

export interface WriterRegistration {
  /** No other writer of this process has the data directory open now. */
  alone(): boolean;
  release(): void;
}

export function registerWriter(ch: ClickHouse): WriterRegistration {
  if (ch.kind !== "embedded") return { alone: () => false, release: () => {} };
  const key = resolve(ch.location);
  openWriters.set(key, (openWriters.get(key) ?? 0) + 1);
  let released = false;
  return {
    alone: () => openWriters.get(key) === 1,
    release: () => {
      if (released) return;
      released = true;
      const n = (openWriters.get(key) ?? 1) - 1;
      if (n > 0) openWriters.set(key, n);
      else openWriters.delete(key);
    },
  };
}

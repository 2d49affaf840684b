import { resolve } from "node:path";
import type { ClickHouse } from "../connection/client.ts";

/**
 * Which writers share an embedded data directory. One process at a time holds a directory (the
 * engine locks it), so when this process has a single open writer on it, no other writer can
 * store a span of the same run at the same instant, and the writer may skip the reads that
 * only catch such races. On a ClickHouse server other processes may write at any time: a
 * writer there is never alone.
 */
export class WriterRegistry {
  static readonly #open = new Map<string, number>();

  static register(ch: ClickHouse): { alone(): boolean; release(): void } {
    if (ch.kind !== "embedded") return { alone: () => false, release: () => {} };
    const key = resolve(ch.location);
    WriterRegistry.#open.set(key, (WriterRegistry.#open.get(key) ?? 0) + 1);
    let released = false;
    return {
      alone: () => WriterRegistry.#open.get(key) === 1,
      release: () => {
        if (released) return;
        released = true;
        const n = (WriterRegistry.#open.get(key) ?? 1) - 1;
        if (n > 0) WriterRegistry.#open.set(key, n);
        else WriterRegistry.#open.delete(key);
      },
    };
  }
}

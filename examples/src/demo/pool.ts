/** Submits work as a stream of arrivals, with at most `concurrency` items running at once. */
import { setTimeout as sleep } from "node:timers/promises";

export interface Arrival<T> {
  item: T;
  /** Wait before this arrival (after the previous one). */
  gapMillis: number;
}

export async function runArrivals<T, R>(
  arrivals: readonly Arrival<T>[],
  concurrency: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: Promise<R>[] = [];
  const running = new Set<Promise<unknown>>();
  for (const { item, gapMillis } of arrivals) {
    await sleep(gapMillis);
    while (running.size >= concurrency) await Promise.race(running);
    const result = run(item);
    const tracked: Promise<unknown> = result.then(
      () => running.delete(tracked),
      () => running.delete(tracked),
    );
    running.add(tracked);
    results.push(result);
  }
  return Promise.all(results);
}

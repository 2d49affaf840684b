/**
 * Requests the page starts before React is loaded: `main.tsx` asks for the first page, its
 * counts, its numbers and `/v1/about` as soon as its small entry script runs, then loads the
 * app. The app's first request for each of those paths takes the answer already on its way
 * instead of asking again (`getJson` in client.ts), and its first page takes the boot's "now",
 * so the paths are the same.
 */

const started = new Map<string, Promise<unknown>>();

/** Starts `read(path)` now and keeps its answer for the first `takeEarly(path)`. */
export function startEarly(path: string, read: (path: string) => Promise<unknown>): void {
  const answer = read(path);
  // Never an unhandled rejection: whoever takes it sees the failure.
  answer.catch(() => undefined);
  started.set(path, answer);
}

/** The answer started early for this path, once; undefined otherwise. */
export function takeEarly<T>(path: string): Promise<T> | undefined {
  const answer = started.get(path);
  started.delete(path);
  return answer as Promise<T> | undefined;
}

/** Forgets every answer not taken yet (a new token: they were asked for with the old one). */
export function clearEarly(): void {
  started.clear();
  boot = undefined;
}

let boot: { key: string; at: number } | undefined;

/** The boot's "now", for the first page of the filter `key` it asked for. */
export function setBootTime(key: string, at: number): void {
  boot = { key, at };
}

/**
 * The boot's "now" when `key` is the filter it asked for (and nothing was asked again since):
 * read, not taken, so rendering stays free of side effects.
 */
export function bootTimeFor(key: string, nonce: number): number | undefined {
  return nonce === 0 && boot?.key === key ? boot.at : undefined;
}

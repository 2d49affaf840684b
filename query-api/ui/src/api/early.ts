/**
 * Requests the page starts before React is loaded: `main.tsx` asks for the first page, its
 * counts, its numbers and `/v1/about` as soon as its small entry script runs, then loads the
 * app. The app's first request for each of those paths takes the answer already on its way
 * instead of asking again (`getJson` in client.ts), and its first page takes the boot's "now",
 * so the paths are the same.
 */

const started = new Map<string, Promise<unknown>>();
let bootTime: number | undefined;

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

export function setBootTime(ms: number): void {
  bootTime = ms;
}

/** The boot's "now" for the first page, once. */
export function takeBootTime(): number | undefined {
  const ms = bootTime;
  bootTime = undefined;
  return ms;
}

/**
 * Requests the page starts before React is loaded: the boot (`boot.ts`) asks for the first
 * page, its counts, its numbers and `/v1/about` — from a script inlined in index.html when the
 * page is built, so they leave while the HTML is still being parsed — then the app loads. The
 * app's first request for each of those paths takes the answer already on its way instead of
 * asking again (`getJson` in client.ts), and its first page takes the boot's "now", so the
 * paths are the same.
 *
 * The inlined boot and the app are two bundles, each with its own copy of this module: what
 * they share lives on one global object. The answers are kept as fetch's own `Response`s, read
 * by the app's client, so its errors are the app's (`ApiError`).
 */

interface EarlyStore {
  started: Map<string, Promise<Response>>;
  boot?: { key: string; at: number };
}

const STORE_KEY = "__runtraceEarly";

function store(): EarlyStore {
  const global = globalThis as unknown as Record<string, EarlyStore | undefined>;
  let early = global[STORE_KEY];
  if (!early) {
    early = { started: new Map() };
    global[STORE_KEY] = early;
  }
  return early;
}

/** Whether a boot already asked for the first data (the inlined script, before the app). */
export function booted(): boolean {
  return store().boot !== undefined;
}

/** Starts `read(path)` now and keeps its answer for the first `takeEarly(path)`. */
export function startEarly(path: string, read: (path: string) => Promise<Response>): void {
  const answer = read(path);
  // Never an unhandled rejection: whoever takes it sees the failure.
  answer.catch(() => undefined);
  store().started.set(path, answer);
}

/** The answer started early for this path, once; undefined otherwise. */
export function takeEarly(path: string): Promise<Response> | undefined {
  const { started } = store();
  const answer = started.get(path);
  started.delete(path);
  return answer;
}

/** Forgets every answer not taken yet (a new token: they were asked for with the old one). */
export function clearEarly(): void {
  const early = store();
  early.started.clear();
  early.boot = undefined;
}

/** The boot's "now", for the first page of the filter `key` it asked for. */
export function setBootTime(key: string, at: number): void {
  store().boot = { key, at };
}

/**
 * The boot's "now" when `key` is the filter it asked for (and nothing was asked again since):
 * read, not taken, so rendering stays free of side effects.
 */
export function bootTimeFor(key: string, nonce: number): number | undefined {
  const { boot } = store();
  return nonce === 0 && boot?.key === key ? boot.at : undefined;
}

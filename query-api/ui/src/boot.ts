/**
 * The page's first requests: the list's first page, its counts, its numbers and `/v1/about`,
 * asked for at once with one "now" (early.ts keeps the answers for the app). The build inlines
 * this into index.html (`inlineBoot` in vite.config.ts), so they leave while the HTML is
 * parsed, before any script file has loaded; without it (the dev server) main.tsx runs it.
 *
 * When the query API renders the first screen itself (first-screen/), it has read those
 * answers already and sends them inside the page, and the error groups after them: the boot
 * then waits for them instead.
 */
import { fetchResponse } from "./api/client.ts";
import { booted, setBootTime, startEarly } from "./api/early.ts";
import { firstPaths } from "./api/first-paths.ts";
import { servedAnswer, servedNow } from "./first-screen/served.ts";
import { filterKey, parseView } from "./view/view.ts";

/**
 * fetch's answer with its body read already: the request completes whether or not the app
 * takes it (an unread body would hold its connection open, and an unfinished request).
 */
async function fetchWhole(path: string): Promise<Response> {
  const answer = await fetchResponse(path);
  const { status, statusText, headers } = answer;
  // A status that has no body (204, 304) cannot be given one, not even an empty one.
  const body = [101, 204, 205, 304].includes(status) ? null : await answer.arrayBuffer();
  return new Response(body, { status, statusText, headers });
}

export function boot(): void {
  if (booted()) return;
  const served = servedNow();
  const now = served ?? Date.now();
  const view = parseView(window.location.search);
  setBootTime(filterKey(view), now);
  const paths = firstPaths(view, now);
  const first = [paths.page, paths.counts, paths.numbers, paths.about];
  // The query API sends the error groups too, once the counts are sent (first-screen.ts); the
  // boot alone leaves them to the app, which asks once the numbers are shown.
  for (const path of served === undefined ? first : [...first, paths.errors]) {
    startEarly(path, served === undefined ? fetchWhole : servedAnswer);
  }
}

/**
 * The page's entry: a few kilobytes that ask for the first page, its counts and its numbers
 * at once, then load the app (React and the rest, a separate chunk) while the answers come.
 * Asking only once the app had loaded and rendered cost about 170 ms of a cold first render.
 */
import { ABOUT_PATH, fetchJson, listPath, numbersPath } from "./api/client.ts";
import { setBootTime, startEarly } from "./api/early.ts";
import { filterKey, filterParams, firstPageParams, parseView } from "./view/view.ts";

const now = Date.now();
const view = parseView(window.location.search);
// An open run or live mode start the same way: the list's first page comes first.
const { page, counts } = firstPageParams(view, now);
setBootTime(filterKey(view), now);
for (const path of [
  listPath(page),
  listPath(counts),
  numbersPath(filterParams(view, now)),
  ABOUT_PATH,
]) {
  startEarly(path, fetchJson);
}
void import("./render.tsx");

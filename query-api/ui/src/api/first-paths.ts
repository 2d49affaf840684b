import { filterParams, firstPageParams, type RunsView } from "../view/view.ts";
import { ABOUT_PATH, errorGroupsPath, listPath, numbersPath } from "./client.ts";

/**
 * The first requests of a view at `now`: the list's first page, its counts, its numbers and
 * `/v1/about`, and its error groups. The boot asks for them (boot.ts), or the query API reads
 * them for the first screen it renders (first-screen/server.tsx); either way the app's first
 * requests take those answers because they ask for the same paths.
 */
export interface FirstPaths {
  page: string;
  counts: string;
  numbers: string;
  about: string;
  /**
   * Read only with a first screen, after the counts: on its own the app asks once the numbers
   * are shown, and the boot does not ask beside the first page.
   */
  errors: string;
}

export function firstPaths(view: RunsView, nowMs: number): FirstPaths {
  // An open run or live mode start the same way: the list's first page comes first.
  const { page, counts } = firstPageParams(view, nowMs);
  return {
    page: listPath(page),
    counts: listPath(counts),
    numbers: numbersPath(filterParams(view, nowMs)),
    about: ABOUT_PATH,
    errors: errorGroupsPath(filterParams(view, nowMs)),
  };
}

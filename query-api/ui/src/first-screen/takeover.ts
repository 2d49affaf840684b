/**
 * The app taking over from a first screen the query API rendered (server.tsx): the app renders
 * into a hidden #root beside it, from the same answers, and once its own first page and numbers
 * are settled it removes the first screen and shows itself in one step — never a loading state
 * in between.
 */
import { FIRST_DATA_MARK, FIRST_SCREEN_ID, INTERACTIVE_MARK } from "./marks.ts";

/** Whether the page came with a first screen the app has not replaced yet. */
export function hasFirstScreen(): boolean {
  return document.getElementById(FIRST_SCREEN_ID) !== null;
}

/** Whether the first data is on screen already (a first screen's mark, set before its paint). */
export function firstDataShown(): boolean {
  return performance.getEntriesByName(FIRST_DATA_MARK).length > 0;
}

/** Hides `root` while a first screen is shown (the app renders into it unseen meanwhile). */
export function holdBehindFirstScreen(root: HTMLElement): void {
  if (hasFirstScreen()) root.hidden = true;
}

/**
 * The app's first page and numbers are settled (answered or failed): it replaces the first
 * screen if there was one, and shows itself; the interactive mark is set on the next frame.
 */
export function takeOver(root: HTMLElement): void {
  document.getElementById(FIRST_SCREEN_ID)?.remove();
  root.hidden = false;
  requestAnimationFrame(() => performance.mark(INTERACTIVE_MARK));
}

/** Sets the first-data mark unless the first screen did (the app shows the first rows itself). */
export function markFirstData(): void {
  if (firstDataShown()) return;
  requestAnimationFrame(() => {
    if (!firstDataShown()) performance.mark(FIRST_DATA_MARK);
  });
}

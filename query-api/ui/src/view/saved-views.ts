/**
 * Views saved in this browser: a name, the page's query string (filters, range, sort — what a
 * shared link carries too) and the hidden columns (kept per browser, so not in the link).
 */

export interface SavedView {
  name: string;
  /** `?status=failed&sort=…`, as the page's URL had it. */
  search: string;
  hidden: string[];
}

const KEY = "runtrace.views";

export function loadViews(): SavedView[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? "[]") as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (v): v is SavedView =>
        typeof v?.name === "string" && typeof v?.search === "string" && Array.isArray(v?.hidden),
    );
  } catch {
    return [];
  }
}

/** Saves (or replaces, by name) a view; returns the new list, newest first. */
export function saveView(view: SavedView): SavedView[] {
  const views = [view, ...loadViews().filter((v) => v.name !== view.name)];
  try {
    localStorage.setItem(KEY, JSON.stringify(views));
  } catch {
    // private mode: kept for this page only
  }
  return views;
}

export function deleteView(name: string): SavedView[] {
  const views = loadViews().filter((v) => v.name !== name);
  try {
    localStorage.setItem(KEY, JSON.stringify(views));
  } catch {
    // private mode
  }
  return views;
}

/** The view as a link anyone can open (the columns stay with each reader's own choice). */
export function viewLink(view: SavedView, origin: string): string {
  return `${origin}/runs${view.search}`;
}

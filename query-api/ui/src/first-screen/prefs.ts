import { COLUMNS, type ColumnId, DEFAULT_HIDDEN_COLUMNS } from "../hooks/useColumns.ts";

/**
 * How this browser shows the list (hidden columns, row density, the filter rail), kept in
 * localStorage by the app and mirrored into a cookie on the page's path, so that the first
 * screen the query API renders looks like the app that replaces it.
 */
export interface ScreenPrefs {
  hidden: ColumnId[];
  compact: boolean;
  railOpen: boolean;
}

export const PREFS_COOKIE = "runtrace_runs_prefs";

export const DEFAULT_PREFS: ScreenPrefs = {
  hidden: [...DEFAULT_HIDDEN_COLUMNS],
  compact: false,
  railOpen: true,
};

/** The `document.cookie` assignment that keeps `prefs` for a year, sent to /runs only. */
export function prefsCookie(prefs: ScreenPrefs): string {
  const value = encodeURIComponent(JSON.stringify(prefs));
  return `${PREFS_COOKIE}=${value}; path=/runs; max-age=31536000; samesite=lax`;
}

/** Keeps `prefs` in the cookie for the query API's next first screen. */
export function storePrefs(prefs: ScreenPrefs): void {
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser yet
  document.cookie = prefsCookie(prefs);
}

const COLUMN_IDS = new Set<string>(COLUMNS.map((c) => c.id));

/** The prefs in a `Cookie` header; the defaults when it holds none or they do not read. */
export function prefsFromCookie(header: string | undefined): ScreenPrefs {
  for (const part of (header ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== PREFS_COOKIE) continue;
    try {
      const parsed = JSON.parse(decodeURIComponent(rest.join("="))) as Partial<ScreenPrefs>;
      return {
        hidden: Array.isArray(parsed.hidden)
          ? parsed.hidden.filter((id): id is ColumnId => COLUMN_IDS.has(id))
          : DEFAULT_PREFS.hidden,
        compact: parsed.compact === true,
        railOpen: parsed.railOpen !== false,
      };
    } catch {
      return DEFAULT_PREFS;
    }
  }
  return DEFAULT_PREFS;
}

import { useCallback, useState } from "react";

export const COLUMNS = [
  { id: "status", label: "Status" },
  { id: "started", label: "Started" },
  { id: "duration", label: "Duration" },
  { id: "trigger", label: "Trigger" },
  { id: "tools", label: "Tools" },
  { id: "scope", label: "Scope" },
  { id: "code", label: "Code" },
] as const;
export type ColumnId = (typeof COLUMNS)[number]["id"];

const KEY = "runs.columns";
/** Hidden until the user shows them. */
export const DEFAULT_HIDDEN_COLUMNS: readonly ColumnId[] = ["scope"];

function load(): Set<ColumnId> {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved) return new Set(JSON.parse(saved) as ColumnId[]);
  } catch {
    // unreadable: defaults
  }
  return new Set(DEFAULT_HIDDEN_COLUMNS);
}

/** Replaces the hidden columns kept for the next load (a saved view being opened). */
export function storeHiddenColumns(ids: readonly ColumnId[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify([...ids]));
  } catch {
    // private mode: the view opens with the columns of this visit
  }
}

/** Which list columns are hidden, kept in localStorage across visits. */
export function useColumns(): [ReadonlySet<ColumnId>, (id: ColumnId) => void] {
  const [hidden, setHidden] = useState(load);
  const toggle = useCallback((id: ColumnId) => {
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      try {
        localStorage.setItem(KEY, JSON.stringify([...next]));
      } catch {
        // private mode: the choice lasts for this page only
      }
      return next;
    });
  }, []);
  return [hidden, toggle];
}

const DENSITY_KEY = "runs.density";

/** Compact rows (more runs on a screen) or comfortable ones, kept in localStorage. */
export function useCompactRows(): [boolean, (compact: boolean) => void] {
  const [compact, setCompact] = useState(() => {
    try {
      return localStorage.getItem(DENSITY_KEY) === "compact";
    } catch {
      return false;
    }
  });
  const set = useCallback((next: boolean) => {
    setCompact(next);
    try {
      localStorage.setItem(DENSITY_KEY, next ? "compact" : "comfortable");
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);
  return [compact, set];
}

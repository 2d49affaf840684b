import { useCallback, useEffect, useRef, useState } from "react";
import { parseView, type RunsView, viewSearch } from "../view/view.ts";

export type SetView = (change: Partial<RunsView>, options?: { replace?: boolean }) => void;

/**
 * The view lives in the URL: every change is a history entry (so Back undoes it) unless it is
 * a keystroke-level change such as typing in the code box, which replaces the entry.
 */
export function useView(): [RunsView, SetView] {
  const [view, setState] = useState(() => parseView(window.location.search));
  // The latest view, so that changes made in one tick build on each other.
  const latest = useRef(view);

  useEffect(() => {
    const onPop = () => {
      latest.current = parseView(window.location.search);
      setState(latest.current);
    };
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const setView = useCallback<SetView>((change, options) => {
    const next = { ...latest.current, ...change };
    latest.current = next;
    const search = viewSearch(next);
    if (search !== window.location.search) {
      const url = `${window.location.pathname}${search}`;
      if (options?.replace) window.history.replaceState(null, "", url);
      else window.history.pushState(null, "", url);
    }
    setState(next);
  }, []);

  return [view, setView];
}

import { useEffect, useState } from "react";
import { ApiError, getErrorGroups, getNumbers } from "../api/client.ts";
import type { ErrorGroups, ExecutionNumbers } from "../api/types.ts";
import { filterParams, type RunsView } from "../view/view.ts";

export interface FilterAnswer<T> {
  /** The last answer for this filter (maybe for an earlier "now": a live poll's is on its way). */
  answer: T | null;
  /** This filter's answer for the current "now" is being read. */
  loading: boolean;
  error: ApiError | null;
}

/**
 * An answer over every run of the filter, read for the "now" of the counts on screen (the first
 * page's, then each live poll's), so it and the list answer the same question. An answer stays
 * shown while the same filter is read again, never under another filter. `ready` false holds a
 * filter's first read back (not its re-reads).
 */
function useFilterAnswer<T>(
  view: RunsView,
  at: number,
  read: (params: URLSearchParams, signal: AbortSignal) => Promise<T>,
  ready = true,
): FilterAnswer<T> {
  // The filter the answer is for, whatever its "now": a relative range read at 0, so a live
  // poll's re-read keeps the same key, and a sort or timeline change (not a filter) changes
  // nothing here.
  const key = filterParams(view, 0).toString();
  const [state, setState] = useState<{
    answer: T | null;
    error: ApiError | null;
    key: string | null;
    query: string | null;
  }>({ answer: null, error: null, key: null, query: null });
  const started = ready || state.key === key;
  const query = started ? filterParams(view, at).toString() : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `read` is one of the module functions below; `key` goes with `query`
  useEffect(() => {
    if (query === null) return;
    const abort = new AbortController();
    read(new URLSearchParams(query), abort.signal).then(
      (answer) => {
        if (!abort.signal.aborted) setState({ answer, error: null, key, query });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, String(error));
        setState({ answer: null, error: apiError, key, query });
      },
    );
    return () => abort.abort();
  }, [query]);
  const mine = state.key === key;
  return {
    answer: mine ? state.answer : null,
    loading: query === null || state.query !== query,
    error: mine ? state.error : null,
  };
}

/** `/v1/executions/numbers` for the list's filter. */
export function useNumbers(view: RunsView, at: number): FilterAnswer<ExecutionNumbers> {
  return useFilterAnswer(view, at, getNumbers);
}

/** `/v1/executions/errors` for the list's filter, first read once `ready`. */
export function useErrorGroups(
  view: RunsView,
  at: number,
  ready: boolean,
): FilterAnswer<ErrorGroups> {
  return useFilterAnswer(view, at, getErrorGroups, ready);
}

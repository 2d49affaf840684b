import { useEffect, useState } from "react";
import { ApiError, getErrorGroups, getNumbers } from "../api/client.ts";
import type { ErrorGroups, ExecutionNumbers } from "../api/types.ts";
import { filterParams, type RunsView } from "../view/view.ts";

export interface FilterAnswer<T> {
  answer: T | null;
  /** The current filter's answer is being read (the one shown, if any, is an earlier one's). */
  loading: boolean;
  error: ApiError | null;
}

/**
 * An answer over every run of the filter, read whenever the list reads its first page (same
 * filter, same `from` for a relative range), so it and the list answer the same question.
 */
function useFilterAnswer<T>(
  view: RunsView,
  loadedAt: number | null,
  read: (params: URLSearchParams, signal: AbortSignal) => Promise<T>,
): FilterAnswer<T> {
  const [state, setState] = useState<FilterAnswer<T>>({ answer: null, loading: true, error: null });
  const query = loadedAt === null ? null : filterParams(view, loadedAt).toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `read` is one of the two module functions below
  useEffect(() => {
    if (query === null) return;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    read(new URLSearchParams(query), abort.signal).then(
      (answer) => setState({ answer, loading: false, error: null }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setState({
          answer: null,
          loading: false,
          error: error instanceof ApiError ? error : new ApiError(0, String(error)),
        });
      },
    );
    return () => abort.abort();
  }, [query]);
  return state;
}

/** `/v1/executions/numbers` for the list's filter. */
export function useNumbers(
  view: RunsView,
  loadedAt: number | null,
): FilterAnswer<ExecutionNumbers> {
  return useFilterAnswer(view, loadedAt, getNumbers);
}

/** `/v1/executions/errors` for the list's filter. */
export function useErrorGroups(view: RunsView, loadedAt: number | null): FilterAnswer<ErrorGroups> {
  return useFilterAnswer(view, loadedAt, getErrorGroups);
}

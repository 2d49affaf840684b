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
  const [state, setState] = useState<FilterAnswer<T> & { query: string | null }>({
    answer: null,
    loading: true,
    error: null,
    query: null,
  });
  const query = loadedAt === null ? null : filterParams(view, loadedAt).toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `read` is one of the two module functions below
  useEffect(() => {
    if (query === null) return;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    read(new URLSearchParams(query), abort.signal).then(
      (answer) => {
        if (!abort.signal.aborted) setState({ answer, loading: false, error: null, query });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setState({
          answer: null,
          loading: false,
          error: error instanceof ApiError ? error : new ApiError(0, String(error)),
          query,
        });
      },
    );
    return () => abort.abort();
  }, [query]);
  // An answer is shown (dimmed while the next one loads) only for the filter it answers, or
  // while the same filter's next one is read: never another filter's under a null query.
  if (query === null) return { answer: null, loading: true, error: null };
  return {
    answer: state.answer,
    loading: state.loading || state.query !== query,
    error: state.error,
  };
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

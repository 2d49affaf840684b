import { useEffect, useState } from "react";
import { ApiError, getNumbers } from "../api/client.ts";
import type { ExecutionNumbers } from "../api/types.ts";
import { listParams, type RunsView } from "../view/view.ts";

export interface Numbers {
  numbers: ExecutionNumbers | null;
  /** The current filter's numbers are being read (those shown, if any, answer an earlier one). */
  loading: boolean;
  error: ApiError | null;
}

/** The list's filters as `/v1/executions/numbers` takes them: no sort, page size or chart. */
export function numbersParams(view: RunsView, nowMs: number): URLSearchParams {
  const q = listParams(view, nowMs);
  for (const listOnly of ["sort", "limit", "chart"]) q.delete(listOnly);
  return q;
}

/**
 * The numbers of the filtered runs, read whenever the list reads its first page (same filter,
 * same `from` for a relative range), so the panel and the list answer the same question.
 */
export function useNumbers(view: RunsView, loadedAt: number | null): Numbers {
  const [state, setState] = useState<Numbers>({ numbers: null, loading: true, error: null });
  const query = loadedAt === null ? null : numbersParams(view, loadedAt).toString();
  useEffect(() => {
    if (query === null) return;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    getNumbers(new URLSearchParams(query), abort.signal).then(
      (numbers) => setState({ numbers, loading: false, error: null }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setState({
          numbers: null,
          loading: false,
          error: error instanceof ApiError ? error : new ApiError(0, String(error)),
        });
      },
    );
    return () => abort.abort();
  }, [query]);
  return state;
}

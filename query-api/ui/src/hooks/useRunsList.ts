import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, listExecutions } from "../api/client.ts";
import { type ExecutionSummary, type ListMeta, TERMINAL } from "../api/types.ts";
import { filterKey, listParams, type RunsView } from "../view/view.ts";

export const LIVE_POLL_MS = 3000;

export interface RunsList {
  rows: ExecutionSummary[];
  meta: ListMeta | null;
  /** The first page of the current filter is being fetched (rows may still show the last one). */
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  hasMore: boolean;
  /** Runs that arrived through live polling, shown above the divider. */
  freshIds: ReadonlySet<string>;
  /** When the list was last answered (epoch ms). */
  loadedAt: number | null;
  loadMore(): void;
  refresh(): void;
}

function byId(rows: ExecutionSummary[]): Map<string, ExecutionSummary> {
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The list for a view: the first page with `meta`, cursor pages of 50 on demand, and in live
 * mode a poll that prepends runs newer than the newest one (`after`), refreshes runs still in
 * progress (`updatedSince`) and the counts.
 */
export function useRunsList(view: RunsView): RunsList {
  const key = filterKey(view);
  const [nonce, setNonce] = useState(0);
  const [rows, setRows] = useState<ExecutionSummary[]>([]);
  const [meta, setMeta] = useState<ListMeta | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());
  const [loadedAt, setLoadedAt] = useState<number | null>(null);
  // The parameters the first page was fetched with: later pages must use the same `from`.
  const params = useRef<URLSearchParams | null>(null);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const viewRef = useRef(view);
  viewRef.current = view;

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and nonce stand for the view's filter
  useEffect(() => {
    const abort = new AbortController();
    const now = Date.now();
    const p = listParams(viewRef.current, now);
    setLoading(true);
    listExecutions(p, abort.signal).then(
      (page) => {
        params.current = p;
        setRows(page.executions);
        setMeta(page.meta ?? null);
        setCursor(page.nextCursor);
        setError(null);
        setFreshIds(new Set());
        setLoadedAt(now);
        setLoading(false);
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [key, nonce]);

  const loadingMoreRef = useRef(false);
  const loadMore = useCallback(() => {
    if (!cursor || !params.current || loadingMoreRef.current) return;
    loadingMoreRef.current = true;
    setLoadingMore(true);
    const p = new URLSearchParams(params.current);
    p.set("cursor", cursor);
    p.set("meta", "false");
    const current = key;
    listExecutions(p).then(
      (page) => {
        loadingMoreRef.current = false;
        setLoadingMore(false);
        if (filterKey(viewRef.current) !== current) return;
        setRows((old) => {
          const seen = new Set(old.map((r) => r.id));
          return [...old, ...page.executions.filter((r) => !seen.has(r.id))];
        });
        setCursor(page.nextCursor);
      },
      (e: unknown) => {
        loadingMoreRef.current = false;
        setLoadingMore(false);
        setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
      },
    );
  }, [cursor, key]);

  // Live mode.
  const live = view.live && view.sort === null && !loading;
  // biome-ignore lint/correctness/useExhaustiveDependencies: restarts per filter (key) and load
  useEffect(() => {
    if (!live || !params.current) return;
    const base = params.current;
    const abort = new AbortController();
    const newest = rowsRef.current[0];
    // `after` as a time is "created later than"; one millisecond back keeps runs that share the
    // newest run's millisecond, and ids already shown are skipped.
    let after = String(newest ? newest.createdAt - 1 : Date.now() - 1000);
    let lastPoll = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const poll = async () => {
      const started = Date.now();
      try {
        const newer = new URLSearchParams(base);
        newer.set("after", after);
        newer.set("meta", "false");
        const page = await listExecutions(newer, abort.signal);
        if (page.nextCursor) after = page.nextCursor;
        const arrived = page.executions;

        let updated: ExecutionSummary[] = [];
        if (rowsRef.current.some((r) => !TERMINAL.has(r.status))) {
          const changed = new URLSearchParams(base);
          changed.set("updatedSince", String(lastPoll - 5000));
          changed.set("meta", "false");
          changed.set("limit", "200");
          updated = (await listExecutions(changed, abort.signal)).executions;
        }
        // The counts and the timeline follow the clock when the range is relative.
        const counts = listParams(viewRef.current, Date.now());
        counts.set("limit", "1");
        const withMeta = await listExecutions(counts, abort.signal);
        lastPoll = started;
        if (withMeta.meta) setMeta(withMeta.meta);
        const seen = byId(rowsRef.current);
        const fresh = arrived.filter((r) => !seen.has(r.id));
        const changes = byId(updated);
        for (const r of arrived) if (seen.has(r.id)) changes.set(r.id, r);
        if (fresh.length > 0 || changes.size > 0) {
          setRows((old) => {
            const ids = new Set(old.map((r) => r.id));
            return [
              ...fresh.filter((r) => !ids.has(r.id)),
              ...old.map((r) => changes.get(r.id) ?? r),
            ];
          });
        }
        if (fresh.length > 0) {
          setFreshIds((ids) => new Set([...ids, ...fresh.map((r) => r.id)]));
        }
        setError(null);
      } catch (e) {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
      }
      if (!abort.signal.aborted) timer = setTimeout(poll, LIVE_POLL_MS);
    };
    timer = setTimeout(poll, LIVE_POLL_MS);
    return () => {
      abort.abort();
      clearTimeout(timer);
      setFreshIds(new Set());
    };
  }, [live, key, nonce]);

  const refresh = useCallback(() => setNonce((n) => n + 1), []);

  return {
    rows,
    meta,
    loading,
    loadingMore,
    error,
    hasMore: cursor !== null,
    freshIds,
    loadedAt,
    loadMore,
    refresh,
  };
}

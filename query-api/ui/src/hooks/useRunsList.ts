import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, listExecutions } from "../api/client.ts";
import { type ExecutionSummary, type ListMeta, TERMINAL } from "../api/types.ts";
import { filterKey, listParams, type RunsView } from "../view/view.ts";

export const LIVE_POLL_MS = 3000;
/** Polls in a row while `after` reports more waiting (a burst, or live switched on late). */
const MAX_CATCH_UP_PAGES = 10;
/** Slack on `updatedSince` for the clocks of the browser and the runtimes. */
const UPDATE_SLACK_MS = 30_000;
/** Unfinished runs are re-read this often, so that runs gone quiet show up as stale. */
const UNFINISHED_EVERY_POLLS = 10;

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
  /** When the shown first page was asked for (epoch ms). */
  loadedAt: number | null;
  loadMore(): void;
  refresh(): void;
}

/** The first page a list was built from: later pages and live polls extend exactly it. */
interface Loaded {
  params: URLSearchParams;
  requestedAt: number;
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, String(e));
}

function byId(rows: ExecutionSummary[]): Map<string, ExecutionSummary> {
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The list for a view: the first page with `meta`, cursor pages of 50 on demand, and in live
 * mode a poll that prepends runs newer than the newest one (`after`), refreshes runs that
 * changed (`updatedSince`) and the counts.
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
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const viewRef = useRef(view);
  viewRef.current = view;
  // Aborted whenever a new first page starts, so a late cursor page never lands in a newer list.
  const pageAbort = useRef(new AbortController());

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and nonce stand for the view's filter
  useEffect(() => {
    pageAbort.current.abort();
    const abort = new AbortController();
    pageAbort.current = abort;
    const requestedAt = Date.now();
    const params = listParams(viewRef.current, requestedAt);
    setLoading(true);
    setLoadingMore(false);
    listExecutions(params, abort.signal).then(
      (page) => {
        setLoaded({ params, requestedAt });
        setRows(page.executions);
        setMeta(page.meta ?? null);
        setCursor(page.nextCursor);
        setError(null);
        setFreshIds(new Set());
        setLoading(false);
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        // Nothing of the previous filter stays on screen under the new one.
        setLoaded(null);
        setRows([]);
        setMeta(null);
        setCursor(null);
        setFreshIds(new Set());
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [key, nonce]);

  const loadMore = useCallback(() => {
    if (loading || loadingMore || !cursor || !loaded) return;
    const abort = pageAbort.current;
    setLoadingMore(true);
    const p = new URLSearchParams(loaded.params);
    p.set("cursor", cursor);
    p.set("meta", "false");
    listExecutions(p, abort.signal).then(
      (page) => {
        if (abort.signal.aborted) return;
        setLoadingMore(false);
        setRows((old) => {
          const seen = new Set(old.map((r) => r.id));
          return [...old, ...page.executions.filter((r) => !seen.has(r.id))];
        });
        setCursor(page.nextCursor);
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        setLoadingMore(false);
        setError(asApiError(e));
      },
    );
  }, [cursor, loaded, loading, loadingMore]);

  // Live mode: newest first only, and only over a loaded list.
  const live = view.live && view.sort === null && !loading && loaded !== null;
  useEffect(() => {
    if (!live || !loaded) return;
    const base = loaded.params;
    const abort = new AbortController();
    const newest = rowsRef.current[0];
    // `after` as a time means "created later than": one millisecond back keeps runs sharing the
    // newest run's millisecond (ids already shown are skipped). With nothing shown, start from
    // when the first page was asked for, less the slack for the runtimes' clocks.
    let after = String(newest ? newest.createdAt - 1 : loaded.requestedAt - UPDATE_SLACK_MS);
    let lastPoll = loaded.requestedAt;
    let polls = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const newer = async (): Promise<ExecutionSummary[]> => {
      const arrived: ExecutionSummary[] = [];
      for (let i = 0; i < MAX_CATCH_UP_PAGES; i++) {
        const q = new URLSearchParams(base);
        q.set("after", after);
        q.set("meta", "false");
        const page = await listExecutions(q, abort.signal);
        if (page.nextCursor) after = page.nextCursor;
        arrived.unshift(...page.executions);
        if (!page.hasMore) break;
      }
      return arrived;
    };

    /** Runs of the list whose state changed: finished ones come back whatever their new status. */
    const changed = async (since: number): Promise<ExecutionSummary[]> => {
      const q = new URLSearchParams(base);
      q.delete("status");
      q.set("updatedSince", String(since));
      q.set("meta", "false");
      q.set("limit", "200");
      const out: ExecutionSummary[] = [];
      for (let i = 0; i < 5; i++) {
        const page = await listExecutions(q, abort.signal);
        out.push(...page.executions);
        if (!page.nextCursor) break;
        q.set("cursor", page.nextCursor);
      }
      return out;
    };

    /** The unfinished runs shown, re-read for their `stale` mark (which changes no update time). */
    const unfinished = async (): Promise<ExecutionSummary[]> => {
      const open = rowsRef.current.filter((r) => !TERMINAL.has(r.status));
      if (open.length === 0) return [];
      const q = new URLSearchParams(base);
      q.set("status", "pending,running,waiting_for_interaction");
      q.set("from", String(Math.min(...open.map((r) => r.createdAt))));
      q.set("meta", "false");
      q.set("limit", "200");
      return (await listExecutions(q, abort.signal)).executions;
    };

    const poll = async () => {
      const started = Date.now();
      polls += 1;
      try {
        const arrived = await newer();
        const updates: ExecutionSummary[] = [];
        if (rowsRef.current.some((r) => !TERMINAL.has(r.status))) {
          updates.push(...(await changed(lastPoll - UPDATE_SLACK_MS)));
          if (polls % UNFINISHED_EVERY_POLLS === 0) updates.push(...(await unfinished()));
        }
        // The counts and the timeline follow the clock when the range is relative.
        const counts = listParams(viewRef.current, Date.now());
        counts.set("limit", "1");
        const withMeta = await listExecutions(counts, abort.signal);
        lastPoll = started;
        if (withMeta.meta) setMeta(withMeta.meta);

        const shown = byId(rowsRef.current);
        const fresh = [...byId(arrived).values()].filter((r) => !shown.has(r.id));
        const replace = byId(updates.filter((r) => shown.has(r.id)));
        for (const r of arrived) if (shown.has(r.id)) replace.set(r.id, r);
        if (fresh.length > 0 || replace.size > 0) {
          setRows((old) => {
            const ids = new Set(old.map((r) => r.id));
            return [
              ...fresh.filter((r) => !ids.has(r.id)),
              ...old.map((r) => replace.get(r.id) ?? r),
            ];
          });
        }
        if (fresh.length > 0) {
          setFreshIds((ids) => new Set([...ids, ...fresh.map((r) => r.id)]));
        }
        setError(null);
      } catch (e) {
        if (abort.signal.aborted) return;
        setError(asApiError(e));
      }
      if (!abort.signal.aborted) timer = setTimeout(poll, LIVE_POLL_MS);
    };
    timer = setTimeout(poll, LIVE_POLL_MS);
    return () => {
      abort.abort();
      clearTimeout(timer);
      setFreshIds(new Set());
    };
  }, [live, loaded]);

  const refresh = useCallback(() => setNonce((n) => n + 1), []);

  return {
    rows,
    meta,
    loading,
    loadingMore,
    error,
    hasMore: cursor !== null,
    freshIds,
    loadedAt: loaded?.requestedAt ?? null,
    loadMore,
    refresh,
  };
}

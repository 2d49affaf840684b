import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, listExecutions } from "../api/client.ts";
import { bootTimeFor } from "../api/early.ts";
import type { ExecutionSummary, ListMeta } from "../api/types.ts";
import { filterKey, firstPageParams, listParams, type RunsView } from "../view/view.ts";

export const LIVE_POLL_MS = 3000;
/** Pages read in a row while live mode reports more waiting (a burst, or live switched on late). */
const MAX_CATCH_UP_PAGES = 10;

export interface RunsList {
  rows: ExecutionSummary[];
  meta: ListMeta | null;
  /** The first page of the current filter is being fetched (rows may still show the last one). */
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  /**
   * The rows, counts and chart on screen are not the answer to the current filter: it is
   * still loading, or the last attempt failed and they are the last good answer.
   */
  stale: boolean;
  /**
   * The counts and the chart: `pending` while the current filter's are read (those on screen, if
   * any, answer an earlier one), `shown`, or `failed` (none to show).
   */
  counts: "pending" | "shown" | "failed";
  /** When the failed first page is asked for again by itself (epoch ms); null: no retry due. */
  retryAt: number | null;
  /** The last "load more" failed (the rows loaded stay as they are; `loadMore` tries again). */
  moreError: ApiError | null;
  hasMore: boolean;
  /** Runs that arrived through live polling, shown above the divider. */
  freshIds: ReadonlySet<string>;
  /** When the shown first page was asked for (epoch ms). */
  loadedAt: number | null;
  /**
   * The "now" of the counts on screen: the first page's, then each live poll's. The numbers
   * and error groups are read for it, so in live mode they follow the counts.
   */
  countedAt: number;
  loadMore(): void;
  refresh(): void;
}

/** The first page a list was built from: later pages and live polls extend exactly it. */
interface Loaded {
  params: URLSearchParams;
  requestedAt: number;
  /** Where live mode follows on from this page (the API's `liveCursor`). */
  liveCursor: string | null;
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, String(e));
}

/** Answers that asking again cannot change: the filter refused, a token wanted. */
export function isRefusal(error: ApiError): boolean {
  return error.status === 400 || error.status === 401 || error.status === 403;
}

/**
 * Failures that pass by themselves: no answer (status 0), overload (429) and an unavailable
 * or unreachable server behind a proxy (502–504). Those are asked again on their own; any other
 * error waits for "Retry" (asking again would only repeat it).
 */
export function isTransient(error: ApiError): boolean {
  return [0, 429, 502, 503, 504].includes(error.status);
}

/** Retries of a failed first page wait 1, 2, 4, 8 s, then 15 s each. */
export function retryDelayMs(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

function byId(rows: ExecutionSummary[]): Map<string, ExecutionSummary> {
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The list for a view: the first page with `meta`, cursor pages of 50 on demand, and in live
 * mode a poll that follows the API's arrival order from the first page's `liveCursor`: runs
 * that arrived since (`after`, however long ago they started) go above the divider, newest
 * arrival first; runs that changed (`updatedSince`: finished, gained calls, went stale) are
 * updated where they are, or join above the divider when they came to match the filter; the
 * counts and the timeline are read again. A run is never listed twice.
 */
export function useRunsList(view: RunsView): RunsList {
  const key = filterKey(view);
  const [nonce, setNonce] = useState(0);
  const [rows, setRows] = useState<ExecutionSummary[]>([]);
  const [meta, setMeta] = useState<ListMeta | null>(null);
  const [counts, setCounts] = useState<RunsList["counts"]>("pending");
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  /** The filter the rows on screen answer. */
  const [shownKey, setShownKey] = useState<string | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [moreError, setMoreError] = useState<ApiError | null>(null);
  const failures = useRef(0);
  // A new filter starts its retries over.
  // biome-ignore lint/correctness/useExhaustiveDependencies: per filter
  useEffect(() => {
    failures.current = 0;
    setRetryAt(null);
  }, [key]);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const viewRef = useRef(view);
  viewRef.current = view;
  // Aborted whenever a new first page starts, so a late cursor page never lands in a newer list.
  const pageAbort = useRef(new AbortController());

  // The first page's "now", fixed while rendering so the whole-filter reads (numbers, error
  // groups) start in the same commit as the page, with the same range. The first one is the
  // boot's (boot.ts), whose requests are already on their way.
  const [polledAt, setPolledAt] = useState<number | null>(null);
  const requestedAt = useMemo(() => bootTimeFor(key, nonce) ?? Date.now(), [key, nonce]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key and nonce stand for the view's filter
  useEffect(() => {
    pageAbort.current.abort();
    const abort = new AbortController();
    pageAbort.current = abort;
    const {
      params,
      page: pageOnly,
      counts: countsOnly,
    } = firstPageParams(viewRef.current, requestedAt);
    setLoading(true);
    setLoadingMore(false);
    setMoreError(null);
    // The counts are asked for on their own: the rows never wait for them (a code search's
    // counts can take a second over a large history).
    setCounts("pending");
    listExecutions(countsOnly, abort.signal).then(
      (answer) => {
        if (abort.signal.aborted) return;
        setMeta(answer.meta ?? null);
        setCounts("shown");
      },
      () => {
        // The last counts stay on screen (dimmed with the rows while those are retried).
        if (!abort.signal.aborted) setCounts("failed");
      },
    );
    listExecutions(pageOnly, abort.signal).then(
      (page) => {
        if (abort.signal.aborted) return;
        failures.current = 0;
        setRetryAt(null);
        setLoaded({ params, requestedAt, liveCursor: page.liveCursor ?? null });
        setShownKey(key);
        setRows(page.executions);
        setCursor(page.nextCursor);
        setError(null);
        setFreshIds(new Set());
        setLoading(false);
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        const error = asApiError(e);
        setError(error);
        setLoading(false);
        if (isRefusal(error)) {
          // The API will not answer this filter or this token: nothing to show under it.
          failures.current = 0;
          setRetryAt(null);
          setLoaded(null);
          setShownKey(null);
          setRows([]);
          setMeta(null);
          setCursor(null);
          setFreshIds(new Set());
          return;
        }
        // An outage or overload: the last answer stays (dimmed) and the page asks again.
        if (!isTransient(error)) return;
        failures.current += 1;
        setRetryAt(Date.now() + retryDelayMs(failures.current));
      },
    );
    return () => abort.abort();
  }, [key, nonce]);

  useEffect(() => {
    if (retryAt === null) return;
    // A hidden tab does not ask: the retry waits until the page is seen again.
    const retry = () => {
      if (document.hidden) document.addEventListener("visibilitychange", retry, { once: true });
      else setNonce((n) => n + 1);
    };
    const timer = setTimeout(retry, Math.max(0, retryAt - Date.now()));
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", retry);
    };
  }, [retryAt]);

  const loadMore = useCallback(() => {
    if (loading || loadingMore || !cursor || !loaded) return;
    const abort = pageAbort.current;
    setLoadingMore(true);
    setMoreError(null);
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
        // The rows loaded are still the answer: only the next page is missing.
        setMoreError(asApiError(e));
      },
    );
  }, [cursor, loaded, loading, loadingMore]);

  // Live mode: newest first only, and only over a loaded list.
  // (Never over the last good answer of another filter, or one whose reload failed.)
  const live =
    view.live &&
    view.sort === null &&
    !loading &&
    loaded !== null &&
    shownKey === key &&
    retryAt === null;
  useEffect(() => {
    if (!live || !loaded?.liveCursor) return;
    const base = loaded.params;
    const statuses = new Set(viewRef.current.statuses);
    const abort = new AbortController();
    let arrivedCursor = loaded.liveCursor;
    let changedCursor = loaded.liveCursor;
    let timer: ReturnType<typeof setTimeout> | undefined;

    /** Every page waiting after `cursor` for `parameter`, in arrival order; the next cursor. */
    const follow = async (
      parameter: "after" | "updatedSince",
      cursor: string,
      q: URLSearchParams,
    ): Promise<[ExecutionSummary[], string]> => {
      const out: ExecutionSummary[] = [];
      q.set("meta", "false");
      q.set("limit", "200");
      for (let i = 0; i < MAX_CATCH_UP_PAGES; i++) {
        q.set(parameter, cursor);
        const page = await listExecutions(q, abort.signal);
        out.push(...page.executions);
        if (page.nextCursor) cursor = page.nextCursor;
        if (!page.hasMore) break;
      }
      return [out, cursor];
    };

    const poll = async () => {
      try {
        const [arrived, nextArrived] = await follow(
          "after",
          arrivedCursor,
          new URLSearchParams(base),
        );
        // Every status: a run shown that finished comes back whatever its new status.
        const all = new URLSearchParams(base);
        all.delete("status");
        const [changed, nextChanged] = await follow("updatedSince", changedCursor, all);
        // The counts and the timeline follow the clock when the range is relative.
        const countsNow = Date.now();
        const counts = listParams(viewRef.current, countsNow);
        counts.set("meta", "only");
        const withMeta = await listExecutions(counts, abort.signal);
        arrivedCursor = nextArrived;
        changedCursor = nextChanged;
        if (withMeta.meta) {
          setMeta(withMeta.meta);
          setPolledAt(countsNow);
        }

        const shown = byId(rowsRef.current);
        const matches = (r: ExecutionSummary) => statuses.size === 0 || statuses.has(r.status);
        // Newest arrival on top; a changed run that came to match the filter joins them.
        const latest = byId([...arrived, ...changed]);
        const fresh = [...byId([...changed.filter(matches), ...arrived]).values()]
          .filter((r) => !shown.has(r.id))
          .map((r) => latest.get(r.id) ?? r)
          .reverse();
        const replace = new Map([...latest].filter(([id]) => shown.has(id)));
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

  const refresh = useCallback(() => {
    setRetryAt(null);
    setNonce((n) => n + 1);
  }, []);

  return {
    rows,
    meta,
    counts,
    loading,
    loadingMore,
    error,
    stale: shownKey !== null && (shownKey !== key || (error !== null && !isRefusal(error))),
    retryAt,
    moreError,
    hasMore: cursor !== null,
    freshIds,
    loadedAt: loaded?.requestedAt ?? null,
    countedAt: polledAt !== null && polledAt > requestedAt ? polledAt : requestedAt,
    loadMore,
    refresh,
  };
}

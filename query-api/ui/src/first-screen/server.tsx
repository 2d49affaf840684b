/**
 * The first screen, rendered by the query API (the server half; served.ts is the browser's).
 * Built by `vite build --ssr` into `dist-server/first-screen.js`, which the query API loads:
 * for a navigation to /runs it reads `firstScreenPaths` itself, renders the answers with
 * `renderFirstScreen` — the app's own screen component — and sends markup and answers inside
 * the page, so rows are on screen before the app's scripts have run. The app then starts from
 * those answers and replaces the markup with itself.
 */
import { renderToString } from "react-dom/server";
import { ApiError } from "../api/client.ts";
import { type FirstPaths, firstPaths } from "../api/first-paths.ts";
import type { About, ErrorBody, ExecutionNumbers, ListPage } from "../api/types.ts";
import { RunsScreen } from "../components/RunsScreen.tsx";
import type { FilterAnswer } from "../hooks/useNumbers.ts";
import type { RunsList } from "../hooks/useRunsList.ts";
import { hasFilters, parseView } from "../view/view.ts";
import { prefsFromCookie } from "./prefs.ts";

export { FIRST_SCREEN_ID } from "./marks.ts";
export type { FirstPaths };

/**
 * The paths the page at `search` reads first, for `now` (ms): the same the boot asks for. Null
 * when a time in the URL is a date or a time of day without a zone (`from=2026-04-10`): the
 * browser reads it in its own zone, which the server does not know.
 */
export function firstScreenPaths(search: string, nowMs: number): FirstPaths | null {
  const q = new URLSearchParams(search);
  for (const name of ["from", "to"]) {
    const value = q.get(name);
    if (value !== null && !ZONE_FREE.test(value)) return null;
  }
  return firstPaths(parseView(search), nowMs);
}

/** Epoch milliseconds, or a time with its zone (`Z`, `+05:45`). */
const ZONE_FREE = /^(\d{10,}|.*T.*(Z|[+-]\d{2}:?\d{2}))$/;

/** An API answer as the query API read it in-process. */
export interface ServedAnswer {
  status: number;
  /** Its body, JSON text. */
  body: string;
}

export interface FirstScreenInput {
  /** The page's query string (`?status=failed…`, or empty). */
  search: string;
  /** The "now" the answers were read for (ms). */
  now: number;
  /** The request's `Cookie` header: how this browser shows the list (prefs.ts). */
  cookie: string | undefined;
  page: ServedAnswer;
  numbers: ServedAnswer;
  /** `/v1/about`: where runtimes send telemetry, for an empty list's help. */
  about?: ServedAnswer | undefined;
}

function failure(answer: ServedAnswer): ApiError {
  try {
    const body = JSON.parse(answer.body) as Partial<ErrorBody>;
    return new ApiError(answer.status, body.message ?? `${answer.status}`, body.parameter);
  } catch {
    return new ApiError(answer.status, `${answer.status}`);
  }
}

const nothing = () => undefined;

/**
 * The first screen's markup for these answers; null when the list's page is not an answer to
 * show (an error: the app shows it, with its retry or token form).
 */
export function renderFirstScreen(input: FirstScreenInput): string | null {
  if (input.page.status !== 200) return null;
  const view = parseView(input.search);
  const page = JSON.parse(input.page.body) as ListPage;
  // Nothing matches: whether the filters or the range are why takes the counts, which the
  // first screen does not wait for. The app says which.
  if (page.executions.length === 0 && hasFilters(view)) return null;
  const numbers: FilterAnswer<ExecutionNumbers> =
    input.numbers.status === 200
      ? { answer: JSON.parse(input.numbers.body) as ExecutionNumbers, loading: false, error: null }
      : { answer: null, loading: false, error: failure(input.numbers) };
  const list: RunsList = {
    rows: page.executions,
    meta: null,
    loading: false,
    loadingMore: false,
    error: null,
    stale: false,
    counts: "pending",
    retryAt: null,
    moreError: null,
    hasMore: page.nextCursor !== null,
    freshIds: new Set(),
    loadedAt: input.now,
    countedAt: input.now,
    loadMore: nothing,
    refresh: nothing,
  };
  const prefs = prefsFromCookie(input.cookie);
  const about =
    input.about?.status === 200 ? (JSON.parse(input.about.body) as Partial<About>) : undefined;
  return renderToString(
    <RunsScreen
      view={view}
      setView={nothing}
      list={list}
      numbers={numbers}
      errorGroups={{ answer: null, loading: true, error: null }}
      collectorUrl={about?.collectorUrl ?? null}
      hidden={new Set(prefs.hidden)}
      onToggleColumn={nothing}
      compact={prefs.compact}
      onCompact={nothing}
      railOpen={prefs.railOpen}
      onRailOpen={nothing}
      help={false}
      onHelp={nothing}
      selected={-1}
      onOpen={nothing}
      onStep={nothing}
      onTimelineSelect={nothing}
      onTimelineClear={null}
      tokenForm={null}
      drawer={false}
    />,
  );
}

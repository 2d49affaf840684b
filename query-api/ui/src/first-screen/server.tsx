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
import { parseView } from "../view/view.ts";
import { prefsFromCookie } from "./prefs.ts";

export { FIRST_SCREEN_ID } from "./marks.ts";
export type { FirstPaths };

/** The paths the page at `search` reads first, for `now` (ms); the same the boot asks for. */
export function firstScreenPaths(search: string, nowMs: number): FirstPaths {
  return firstPaths(parseView(search), nowMs);
}

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

import type { ReactNode, Ref } from "react";
import type { ErrorGroups, ExecutionNumbers } from "../api/types.ts";
import { integerText, startedText } from "../format.ts";
import type { ColumnId } from "../hooks/useColumns.ts";
import type { FilterAnswer } from "../hooks/useNumbers.ts";
import type { RunsList } from "../hooks/useRunsList.ts";
import type { SetView } from "../hooks/useView.ts";
import { relativeMs } from "../view/time.ts";
import {
  DEFAULT_VIEW,
  filterKey,
  filterParams,
  hasFilters,
  listParams,
  type RunsView,
} from "../view/view.ts";
import { ColumnsMenu } from "./ColumnsMenu.tsx";
import { ExportButton } from "./ExportButton.tsx";
import { FilterBar } from "./FilterBar.tsx";
import { FilterRail } from "./FilterRail.tsx";
import { HelpOverlay } from "./HelpOverlay.tsx";
import { LoadBanner } from "./LoadBanner.tsx";
import { NumbersPanel } from "./NumbersPanel.tsx";
import { RunDrawer } from "./RunDrawer.tsx";
import { RunTable } from "./RunTable.tsx";
import { SavedViews } from "./SavedViews.tsx";
import { Timeline } from "./Timeline.tsx";

/**
 * Everything the runs screen shows and every way it changes: the app's state (App.tsx) in the
 * browser; on the server, the first screen's answers (first-screen/server.tsx), whose changes
 * do nothing since the app replaces that markup once it has loaded.
 */
export interface RunsScreenProps {
  view: RunsView;
  setView: SetView;
  list: RunsList;
  numbers: FilterAnswer<ExecutionNumbers>;
  errorGroups: FilterAnswer<ErrorGroups>;
  /** Where runtimes send telemetry (`/v1/about`), for the empty page's help. */
  collectorUrl: string | null;
  hidden: ReadonlySet<ColumnId>;
  onToggleColumn(id: ColumnId): void;
  compact: boolean;
  onCompact(compact: boolean): void;
  railOpen: boolean;
  onRailOpen(open: boolean): void;
  help: boolean;
  onHelp(open: boolean): void;
  /** The keyboard selection's row (-1: none). */
  selected: number;
  onOpen(index: number): void;
  onStep(delta: -1 | 1): void;
  filterInput?: Ref<HTMLInputElement>;
  onTimelineSelect(from: number, to: number): void;
  /** Back to the range before a timeline selection; null when none is selected. */
  onTimelineClear: (() => void) | null;
  /** The token form shown when the API wants a token. */
  tokenForm: ReactNode;
  /**
   * Whether the open run's drawer is drawn (default true): a first screen rendered by the query
   * API leaves it to the app, which reads the run.
   */
  drawer?: boolean;
}

/** The runs screen: top bar, filter rail, timeline, numbers, the list, and the open run. */
export function RunsScreen(props: RunsScreenProps) {
  const {
    view,
    setView,
    list,
    numbers,
    errorGroups,
    collectorUrl,
    hidden,
    compact,
    railOpen,
    help,
    selected,
    onTimelineSelect,
    onTimelineClear,
  } = props;
  const key = filterKey(view);
  const openIndex = view.executionId ? list.rows.findIndex((r) => r.id === view.executionId) : -1;
  const setRailOpen = props.onRailOpen;
  const setHelp = props.onHelp;
  const open = props.onOpen;
  const step = props.onStep;
  const toggleColumn = props.onToggleColumn;
  const setCompact = props.onCompact;
  const filterInput = props.filterInput;
  const { meta, error } = list;
  const span = view.range !== null ? relativeMs(view.range) : null;
  const bounds = {
    from: view.range === null ? view.from : span && list.loadedAt ? list.loadedAt - span : null,
    to: view.range === null ? view.to : null,
  };
  const firstLoad = list.loading && list.loadedAt === null;
  const empty = !list.loading && !error && list.rows.length === 0;

  return (
    <div
      className={[
        "app",
        railOpen ? "" : "rail-closed",
        view.executionId && props.drawer !== false ? "drawer-open" : "",
        compact ? "compact" : "",
        // What is on screen is not the current filter's answer (loading, or a failed reload).
        list.stale ? "is-stale" : "",
        // The counts on screen answer an earlier filter: this one's are being read, or failed.
        list.counts !== "shown" ? "counts-stale" : "",
      ]
        .filter(Boolean)
        .join(" ")}
      data-testid="app"
      data-counts={list.counts}
    >
      <header className="topbar">
        <a className="brand" href="/runs">
          runtrace <span>runs</span>
        </a>
        <FilterBar ref={filterInput} view={view} setView={setView} />
        <div className="topbar-actions">
          <button
            type="button"
            className={`live-toggle${view.live ? " on" : ""}`}
            data-testid="live-toggle"
            aria-pressed={view.live}
            title={view.sort ? "Live mode lists newest first" : "Poll for new runs (j)"}
            onClick={() => setView({ live: !view.live, sort: view.live ? view.sort : null })}
          >
            <span className="live-dot" aria-hidden="true" /> Live
          </button>
          <button type="button" onClick={list.refresh} data-testid="refresh" title="Refresh (r)">
            Refresh
          </button>
          <SavedViews hidden={hidden} />
          <ColumnsMenu
            hidden={hidden}
            onToggle={toggleColumn}
            compact={compact}
            onCompact={setCompact}
          />
          <button
            type="button"
            onClick={() => setRailOpen(!railOpen)}
            title="Filters (b)"
            data-testid="rail-toggle"
          >
            Filters
          </button>
          <button type="button" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
            ?
          </button>
        </div>
        <div
          className={`progress${list.loading || list.loadingMore ? " active" : ""}`}
          data-testid="progress"
        />
      </header>

      {railOpen && (
        <FilterRail
          view={view}
          setView={setView}
          meta={meta}
          unavailable={meta === null && (error !== null || list.counts === "failed")}
        />
      )}

      <main className="main">
        <Timeline
          bucketMs={meta?.chartBucketMs ?? 60_000}
          data={meta?.chartData ?? []}
          loading={list.loading || list.counts === "pending"}
          unavailable={meta === null && (error !== null || list.counts === "failed")}
          zoomed={meta?.chartZoomed ?? false}
          wholeRange={view.wholeRange}
          onWholeRange={(wholeRange) => setView({ wholeRange })}
          boundFrom={bounds.from}
          boundTo={bounds.to}
          onSelect={onTimelineSelect}
          onClear={onTimelineClear}
          countedFrom={meta?.partial?.countedFrom ?? null}
        />
        <NumbersPanel
          numbers={numbers.answer}
          loading={numbers.loading}
          error={numbers.error?.message ?? null}
          errorGroups={errorGroups.answer}
          errorGroup={view.errorGroup}
          onErrorGroup={(errorGroup) => setView({ errorGroup })}
          params={filterParams(view, list.countedAt).toString()}
        />
        <div className="status-line" data-testid="status-line">
          {meta && (
            <span data-testid="filter-count">
              {meta.partial ? "≥ " : ""}
              {integerText(meta.filterRowCount)} runs
              {hasFilters(view) ? ` (of ${integerText(meta.totalRowCount)})` : ""}
              {meta.partial ? ` · counted back to ${startedText(meta.partial.countedFrom)}` : ""}
            </span>
          )}
          {meta && <ExportButton params={() => listParams(view, Date.now())} />}
          {view.live && (
            <span className="live-note" data-testid="live-note">
              live · polling every 3 s
              {list.loadedAt ? (
                <span data-zone-local="">{` · since ${startedText(list.loadedAt)}`}</span>
              ) : (
                ""
              )}
            </span>
          )}
        </div>
        {error && (
          <LoadBanner
            error={error}
            retryAt={list.retryAt}
            live={view.live}
            showingLast={list.stale}
            onRetry={list.refresh}
            tokenForm={props.tokenForm}
          />
        )}
        {firstLoad ? (
          <div className="skeleton" data-testid="loading">
            {Array.from({ length: 12 }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
              <div key={i} className="skeleton-row" />
            ))}
          </div>
        ) : empty ? (
          <div className="empty" data-testid="empty">
            {hasFilters(view) && (list.meta?.totalRowCount ?? 0) > 0 ? (
              <>
                <p>No runs match these filters.</p>
                <button type="button" onClick={() => setView({ ...DEFAULT_VIEW, live: view.live })}>
                  Clear filters
                </button>
              </>
            ) : (
              <>
                <p>
                  {view.range === "all" && !view.from && !view.to
                    ? "No runs yet."
                    : "No runs in this range yet."}
                </p>
                <p className="muted" data-testid="first-run-help">
                  Send a first run: point an OpenTelemetry-instrumented runtime at{" "}
                  {collectorUrl ? (
                    <>
                      the collector, <code>OTEL_EXPORTER_OTLP_ENDPOINT={collectorUrl}</code>
                    </>
                  ) : (
                    "the runtrace collector (OTLP/HTTP; port 4318 unless configured otherwise)"
                  )}
                  , or, in the runtrace repository, run <code>npm run demo</code>.
                </p>
              </>
            )}
          </div>
        ) : (
          <RunTable
            rows={list.rows}
            hidden={hidden}
            sort={view.sort}
            onSort={(sort) => setView({ sort, live: sort ? false : view.live })}
            selectedIndex={selected}
            resetKey={key}
            openId={view.executionId}
            onOpen={open}
            freshIds={list.freshIds}
            live={view.live}
            hasMore={list.hasMore}
            loadingMore={list.loadingMore}
            moreError={list.moreError?.message ?? null}
            onMore={list.loadMore}
          />
        )}
      </main>

      {view.executionId && props.drawer !== false && (
        <RunDrawer
          id={view.executionId}
          onClose={() => setView({ executionId: null })}
          onStep={step}
          canStep={{
            prev: openIndex > 0,
            next: openIndex >= 0 && openIndex < list.rows.length - 1,
          }}
        />
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}

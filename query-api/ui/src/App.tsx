import { useEffect, useRef, useState } from "react";
import { getAbout, storedToken, storeToken } from "./api/client.ts";
import { ColumnsMenu } from "./components/ColumnsMenu.tsx";
import { ExportButton } from "./components/ExportButton.tsx";
import { FilterBar } from "./components/FilterBar.tsx";
import { FilterRail } from "./components/FilterRail.tsx";
import { HelpOverlay } from "./components/HelpOverlay.tsx";
import { LoadBanner } from "./components/LoadBanner.tsx";
import { NumbersPanel } from "./components/NumbersPanel.tsx";
import { RunDrawer } from "./components/RunDrawer.tsx";
import { RunTable } from "./components/RunTable.tsx";
import { SavedViews } from "./components/SavedViews.tsx";
import { Timeline } from "./components/Timeline.tsx";
import { integerText, startedText } from "./format.ts";
import { useColumns, useCompactRows } from "./hooks/useColumns.ts";
import { useErrorGroups, useNumbers } from "./hooks/useNumbers.ts";
import { useRunsList } from "./hooks/useRunsList.ts";
import { isField, type Shortcuts, useShortcuts } from "./hooks/useShortcuts.ts";
import { useView } from "./hooks/useView.ts";
import { DEFAULT_RANGE, relativeMs } from "./view/time.ts";
import { DEFAULT_VIEW, filterKey, filterParams, hasFilters, listParams } from "./view/view.ts";

function TokenForm({ onSaved }: { onSaved(): void }) {
  const [token, setToken] = useState(storedToken() ?? "");
  return (
    <form
      className="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        storeToken(token.trim() || null);
        onSaved();
      }}
    >
      <label>
        API token (RUNTRACE_API_TOKENS)
        <input
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          data-testid="token-input"
        />
      </label>
      <button type="submit">Use token</button>
    </form>
  );
}

/** Where runtimes send telemetry, when the query API knows (for the empty page's help). */
function useCollectorUrl(): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    getAbout(abort.signal).then(
      (about) => setUrl(about.collectorUrl),
      () => setUrl(null),
    );
    return () => abort.abort();
  }, []);
  return url;
}

export function App() {
  const [view, setView] = useView();
  const list = useRunsList(view);
  // Asked for with the first page (same "now"), not after it: the first render waits for both;
  // in live mode again with each poll's counts.
  const numbers = useNumbers(view, list.countedAt);
  const numbersShown = numbers.answer !== null && !numbers.loading;
  // The error groups wait for the numbers (answered or failed): on two cores a third read in
  // parallel slows both.
  const errorGroups = useErrorGroups(view, list.countedAt, !numbers.loading);
  const collectorUrl = useCollectorUrl();
  const [hidden, toggleColumn] = useColumns();
  const [compact, setCompact] = useCompactRows();
  const [railOpen, setRailOpen] = useState(() => localStorage.getItem("runs.rail") !== "closed");
  const [help, setHelp] = useState(false);
  // The keyboard selection is a run, not a position: live arrivals push rows down.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const filterInput = useRef<HTMLInputElement>(null);
  // Where clearing a timeline selection goes back to.
  const [rangeBeforeSelection, setRangeBeforeSelection] = useState(DEFAULT_RANGE);
  const marked = useRef(false);

  // The first page with data on screen, and its numbers: the figure the UI benchmark reads.
  useEffect(() => {
    if (marked.current || list.loading || list.rows.length === 0 || !numbersShown) return;
    marked.current = true;
    requestAnimationFrame(() => performance.mark("runs:first-data"));
  }, [list.loading, list.rows.length, numbersShown]);

  useEffect(() => {
    localStorage.setItem("runs.rail", railOpen ? "open" : "closed");
  }, [railOpen]);

  // A new filter starts the keyboard selection over.
  const key = filterKey(view);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset per filter
  useEffect(() => setSelectedId(null), [key]);
  const selected = selectedId ? list.rows.findIndex((r) => r.id === selectedId) : -1;

  const openIndex = view.executionId ? list.rows.findIndex((r) => r.id === view.executionId) : -1;
  const open = (index: number) => {
    const run = list.rows[index];
    if (!run) return;
    setSelectedId(run.id);
    setView({ executionId: run.id }, { replace: view.executionId !== null });
  };
  const step = (delta: -1 | 1) => {
    const from = view.executionId ? openIndex : selected;
    const next = Math.min(list.rows.length - 1, Math.max(0, from + delta));
    if (view.executionId) open(next);
    else setSelectedId(list.rows[next]?.id ?? null);
    if (delta === 1 && next >= list.rows.length - 5) list.loadMore();
  };

  const shortcuts: Shortcuts = {
    j: () => setView({ live: !view.live, sort: view.live ? view.sort : null }),
    r: () => list.refresh(),
    "/": () => filterInput.current?.focus(),
    "?": () => setHelp((h) => !h),
    b: () => setRailOpen((o) => !o),
    ArrowDown: () => step(1),
    ArrowUp: () => step(-1),
    Enter: () => {
      if (selected >= 0) open(selected);
    },
    Escape: (e) => {
      // Esc in a field only leaves the field.
      if (isField(e.target)) {
        (e.target as HTMLElement).blur();
        return;
      }
      if (help) setHelp(false);
      else if (view.executionId) setView({ executionId: null });
    },
  };
  // Behind the help, only its own keys work.
  useShortcuts(help ? { "?": shortcuts["?"], Escape: shortcuts.Escape } : shortcuts);

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
        view.executionId ? "drawer-open" : "",
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
          onSelect={(from, to) => {
            if (view.range !== null) setRangeBeforeSelection(view.range);
            setView({ range: null, from, to });
          }}
          onClear={
            view.range === null
              ? () => setView({ range: rangeBeforeSelection, from: null, to: null })
              : null
          }
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
              {list.loadedAt ? ` · since ${startedText(list.loadedAt)}` : ""}
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
            tokenForm={<TokenForm onSaved={list.refresh} />}
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

      {view.executionId && (
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

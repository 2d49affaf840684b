import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { getAbout, storedToken, storeToken } from "./api/client.ts";
import { RunsScreen } from "./components/RunsScreen.tsx";
import { storePrefs } from "./first-screen/prefs.ts";
import { markFirstData, takeOver } from "./first-screen/takeover.ts";
import { useColumns, useCompactRows } from "./hooks/useColumns.ts";
import { useErrorGroups, useNumbers } from "./hooks/useNumbers.ts";
import { useRunsList } from "./hooks/useRunsList.ts";
import { isField, type Shortcuts, useShortcuts } from "./hooks/useShortcuts.ts";
import { useView } from "./hooks/useView.ts";
import { DEFAULT_RANGE } from "./view/time.ts";
import { filterKey } from "./view/view.ts";

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
  const tookOver = useRef(false);
  const firstData = useRef(false);

  // The first page and its numbers settled: the app replaces a first screen the query API
  // rendered (it has been rendering unseen behind it). A layout effect: in the commit itself,
  // so nothing ever sees both screens.
  useLayoutEffect(() => {
    if (tookOver.current || list.loading || numbers.loading) return;
    tookOver.current = true;
    const root = document.getElementById("root");
    if (root) takeOver(root);
  }, [list.loading, numbers.loading]);

  // The first page with data on screen, and its numbers: the figure the UI benchmark reads
  // (set by a first screen already, when there was one).
  useEffect(() => {
    if (firstData.current || list.loading || list.rows.length === 0 || !numbersShown) return;
    firstData.current = true;
    markFirstData();
  }, [list.loading, list.rows.length, numbersShown]);

  // The query API renders a first screen the way this browser shows the list.
  useEffect(() => {
    storePrefs({ hidden: [...hidden], compact, railOpen });
  }, [hidden, compact, railOpen]);

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

  return (
    <RunsScreen
      view={view}
      setView={setView}
      list={list}
      numbers={numbers}
      errorGroups={errorGroups}
      collectorUrl={collectorUrl}
      hidden={hidden}
      onToggleColumn={toggleColumn}
      compact={compact}
      onCompact={setCompact}
      railOpen={railOpen}
      onRailOpen={setRailOpen}
      help={help}
      onHelp={setHelp}
      selected={selected}
      onOpen={open}
      onStep={step}
      filterInput={filterInput}
      onTimelineSelect={(from, to) => {
        if (view.range !== null) setRangeBeforeSelection(view.range);
        setView({ range: null, from, to });
      }}
      onTimelineClear={
        view.range === null
          ? () => setView({ range: rangeBeforeSelection, from: null, to: null })
          : null
      }
      tokenForm={<TokenForm onSaved={list.refresh} />}
    />
  );
}

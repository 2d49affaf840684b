import { type ReactNode, useEffect, useRef, useState } from "react";
import { type ListMeta, STATUSES } from "../api/types.ts";
import {
  countText,
  fullTime,
  localSecond,
  localZone,
  STATUS_LABEL,
  startedText,
} from "../format.ts";
import type { SetView } from "../hooks/useView.ts";
import { PRESETS } from "../view/time.ts";
import { DEFAULT_VIEW, type RunsView } from "../view/view.ts";
import { StatusDot } from "./StatusDot.tsx";

const KNOWN_TRIGGERS = ["mcp", "http", "cli"];
const CODE_DEBOUNCE_MS = 250;

function toggle(values: string[], value: string): string[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
}

function Section(props: { title: string; children: ReactNode; testId: string }) {
  return (
    <details className="rail-section" open data-testid={props.testId}>
      <summary>{props.title}</summary>
      <div className="rail-body">{props.children}</div>
    </details>
  );
}

function Facet(props: {
  testId: string;
  label: ReactNode;
  title?: string;
  count: number | undefined;
  checked: boolean;
  onToggle(): void;
  onOnly?(): void;
}) {
  return (
    <div className={`facet${props.checked ? " checked" : ""}`} data-testid={props.testId}>
      <button
        type="button"
        className="facet-main"
        aria-pressed={props.checked}
        title={props.title}
        onClick={props.onToggle}
      >
        <span className="check" aria-hidden="true">
          {props.checked ? "✓" : ""}
        </span>
        <span className="facet-label">{props.label}</span>
        <span className="facet-count" data-testid="count">
          {props.count === undefined ? "" : countText(props.count)}
        </span>
      </button>
      {props.onOnly && (
        <button type="button" className="facet-only" onClick={props.onOnly} title="Only this">
          only
        </button>
      )}
    </div>
  );
}

function toolTitle(path: string, facet: { runs: number; calls: number } | undefined): string {
  if (!facet) return path;
  const runs = `${countText(facet.runs)} run${facet.runs === 1 ? "" : "s"}`;
  return `${path}: ${runs}, ${countText(facet.calls)} call${facet.calls === 1 ? "" : "s"}`;
}

/** datetime-local text (local time, minutes) for epoch ms, and back. */
function localInput(ms: number | null): string {
  if (ms === null) return "";
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function CustomRange({ view, setView }: { view: RunsView; setView: SetView }) {
  const [from, setFrom] = useState(localInput(view.from));
  const [to, setTo] = useState(localInput(view.to));
  useEffect(() => {
    setFrom(localInput(view.from));
    setTo(localInput(view.to));
  }, [view.from, view.to]);
  const fromMs = from ? new Date(from).getTime() : null;
  const toMs = to ? new Date(to).getTime() + 59_999 : null;
  const invalid = fromMs !== null && toMs !== null && fromMs > toMs;
  return (
    <form
      className="custom-range"
      // Local times: a first screen from the query API does not show them (styles.css).
      data-zone-local={view.from !== null || view.to !== null ? "" : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        if (invalid || (fromMs === null && toMs === null)) return;
        setView({ range: null, from: fromMs, to: toMs });
      }}
    >
      <label>
        from
        <input
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          data-testid="range-from"
        />
      </label>
      <label>
        to
        <input
          type="datetime-local"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          data-testid="range-to"
        />
      </label>
      <button type="submit" disabled={invalid || (!from && !to)}>
        Apply
      </button>
      {invalid && <span className="field-error">from is after to</span>}
    </form>
  );
}

export function FilterRail(props: {
  view: RunsView;
  setView: SetView;
  meta: ListMeta | null;
  /** The counts could not be read (and there is no earlier answer to show). */
  unavailable: boolean;
}) {
  const { view, setView, meta } = props;
  const [code, setCode] = useState(view.code);
  useEffect(() => setCode(view.code), [view.code]);
  // One history entry per edit of the box (Back undoes the search), not one per keystroke.
  const editPushed = useRef(false);
  useEffect(() => {
    if (code === view.code) return;
    const timer = setTimeout(() => {
      setView({ code }, { replace: editPushed.current });
      editPushed.current = true;
    }, CODE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [code, view.code, setView]);

  const statusCount = (s: string) => meta?.statusCounts.find((c) => c.status === s)?.count;
  const triggerCounts = new Map(
    (meta?.triggerCounts ?? []).map((t) => [t.triggerKind || "unknown", t.count]),
  );
  const triggers = [...new Set([...KNOWN_TRIGGERS, ...triggerCounts.keys(), ...view.triggers])];
  // Runs, not calls: the number a click on the tool lists (the calls are in its tooltip).
  const toolFacets = new Map((meta?.toolFacets ?? []).map((t) => [t.toolPath, t]));
  const tools = [...new Set([...view.tools, ...toolFacets.keys()])];
  // The scopes to pick from come from the API (the token's scopes with runs in the range).
  const scopeCounts = new Map(
    (meta?.scopeCounts ?? []).filter((s) => s.scope !== "").map((s) => [s.scope, s.count]),
  );
  const scopes = [...new Set([...scopeCounts.keys(), ...view.scopes])];

  return (
    <aside className="rail" data-testid="filter-rail">
      <div className="rail-totals" data-testid="totals">
        {meta ? (
          <span>
            <strong>
              {meta.partial ? "≥ " : ""}
              {countText(meta.filterRowCount)}
            </strong>{" "}
            of {countText(meta.totalRowCount)} runs
            {meta.partial && (
              <span
                className="partial-note"
                data-testid="partial-note"
                title={`The code search counted the newest runs only, from ${fullTime(meta.partial.countedFrom)}: counting further back would read more runs than the server's budget. The list itself is complete.`}
              >
                {" "}
                · counted back to {startedText(meta.partial.countedFrom)}
              </span>
            )}
          </span>
        ) : (
          <span className="muted">{props.unavailable ? "counts unavailable" : "counting…"}</span>
        )}
        <button
          type="button"
          className="link"
          data-testid="reset"
          onClick={() =>
            setView({
              ...DEFAULT_VIEW,
              sort: view.sort,
              live: view.live,
              executionId: null,
            })
          }
        >
          Reset
        </button>
      </div>

      <Section title="Time" testId="rail-time">
        <div className="presets">
          {PRESETS.map((p) => (
            <button
              type="button"
              key={p}
              data-testid={`preset-${p}`}
              className={view.range === p ? "active" : ""}
              aria-pressed={view.range === p}
              onClick={() => setView({ range: p, from: null, to: null })}
            >
              {p}
            </button>
          ))}
        </div>
        {view.range === null && (
          <div className="range-note" data-testid="custom-range-label" data-zone-local="">
            custom: {view.from !== null ? localSecond(view.from) : "…"} →{" "}
            {view.to !== null ? localSecond(view.to) : "now"}{" "}
            <span className="muted" title="The from/to fields are in this time zone too">
              ({localZone()})
            </span>
          </div>
        )}
        <CustomRange view={view} setView={setView} />
      </Section>

      <Section title="Scope" testId="rail-scope">
        {scopes.length === 0 && meta && <div className="muted small">no runs in this range</div>}
        {scopes.map((scope) => (
          <Facet
            key={scope}
            testId={`facet-scope-${scope}`}
            label={scope}
            count={meta ? (scopeCounts.get(scope) ?? 0) : undefined}
            checked={view.scopes.includes(scope)}
            onToggle={() => setView({ scopes: toggle(view.scopes, scope) })}
            onOnly={() => setView({ scopes: [scope] })}
          />
        ))}
      </Section>

      <Section title="Status" testId="rail-status">
        {STATUSES.map((s) => (
          <Facet
            key={s}
            testId={`facet-status-${s}`}
            label={
              <>
                <StatusDot status={s} /> {STATUS_LABEL[s]}
              </>
            }
            count={statusCount(s)}
            checked={view.statuses.includes(s)}
            onToggle={() => setView({ statuses: toggle(view.statuses, s) })}
            onOnly={() => setView({ statuses: [s] })}
          />
        ))}
      </Section>

      <Section title="Trigger" testId="rail-trigger">
        {triggers.map((t) => (
          <Facet
            key={t}
            testId={`facet-trigger-${t}`}
            label={t}
            count={meta ? (triggerCounts.get(t) ?? 0) : undefined}
            checked={view.triggers.includes(t)}
            onToggle={() => setView({ triggers: toggle(view.triggers, t) })}
          />
        ))}
      </Section>

      <Section title="Interactions" testId="rail-elicitation">
        <Facet
          testId="facet-elicitation-true"
          label="Used elicitation"
          count={meta?.interactionCounts.withElicitation}
          checked={view.elicitation === "true"}
          onToggle={() => setView({ elicitation: view.elicitation === "true" ? null : "true" })}
        />
        <Facet
          testId="facet-elicitation-false"
          label="No elicitation"
          count={meta?.interactionCounts.withoutElicitation}
          checked={view.elicitation === "false"}
          onToggle={() => setView({ elicitation: view.elicitation === "false" ? null : "false" })}
        />
      </Section>

      <Section title="Tools" testId="rail-tools">
        {tools.length === 0 && meta && (
          <div className="muted small">no tool calls in this range</div>
        )}
        {tools.map((t) => (
          <Facet
            key={t}
            testId={`facet-tool-${t}`}
            label={<code>{t}</code>}
            title={toolTitle(t, toolFacets.get(t))}
            count={toolFacets.get(t)?.runs}
            checked={view.tools.includes(t)}
            onToggle={() => setView({ tools: toggle(view.tools, t) })}
          />
        ))}
      </Section>

      <Section title="Code contains" testId="rail-code">
        <input
          type="search"
          className="code-input"
          placeholder="text in the code"
          value={code}
          data-testid="code-input"
          onChange={(e) => setCode(e.target.value)}
          onBlur={() => {
            editPushed.current = false;
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") (e.target as HTMLInputElement).blur();
          }}
        />
      </Section>
    </aside>
  );
}

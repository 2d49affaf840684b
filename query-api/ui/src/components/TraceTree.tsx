import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";
import type { ExecutionTrace, TraceSpan } from "../api/types.ts";
import { durationText, fullTime } from "../format.ts";
import {
  barPlacement,
  findSpan,
  isErrorStatus,
  kindWord,
  statusWord,
  type TraceRow,
  type TraceWindow,
  traceWindow,
  visibleRows,
} from "../view/trace-tree.ts";
import { AxisLabels } from "./AxisLabels.tsx";
import "./TraceTree.css";

/** How far each level of nesting moves a row's name to the right. */
const INDENT_PX = 14;

/** Decimal nanoseconds since the epoch as epoch ms (fractional). */
function nanosToMs(nanos: string): number {
  try {
    return Number(BigInt(nanos) / 1000n) / 1000;
  } catch {
    return Number.NaN;
  }
}

/** A string map as a table of key and value, keys in order; each row names its key. */
function Attributes({ values, testId }: { values: Record<string, string>; testId: string }) {
  const entries = Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return <div className="muted">No attributes.</div>;
  return (
    <table className="tt-attrs" data-testid={testId}>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key} data-key={key}>
            <th scope="row">{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The selected span: its status, where it sits, its attributes and its events. */
function SpanDetail({ span, axis }: { span: TraceSpan; axis: TraceWindow }) {
  const failed = isErrorStatus(span.status.code);
  return (
    <div className="tt-detail" data-testid="trace-detail" data-span-id={span.spanId}>
      <h4 className="tt-detail-name">{span.name}</h4>
      <div
        className={failed ? "error-box tt-status" : "tt-status"}
        data-testid="trace-status"
        data-status={statusWord(span.status.code)}
      >
        status <strong data-testid="trace-status-code">{span.status.code}</strong>
        {span.status.message !== "" && (
          <>
            : <span data-testid="trace-status-message">{span.status.message}</span>
          </>
        )}
      </div>
      <dl className="props tt-props">
        <dt>span</dt>
        <dd>
          <code>{span.spanId}</code>
        </dd>
        <dt>parent</dt>
        <dd>{span.parentSpanId ? <code>{span.parentSpanId}</code> : "—"}</dd>
        <dt>kind</dt>
        <dd>{kindWord(span.kind)}</dd>
        <dt>service</dt>
        <dd>{span.serviceName || "—"}</dd>
        <dt>start</dt>
        <dd>
          {fullTime(span.startMs)}{" "}
          <span className="muted">
            (+{durationText(span.startMs - axis.startMs)} into the trace)
          </span>
        </dd>
        <dt>duration</dt>
        <dd>{durationText(span.durationMs)}</dd>
      </dl>
      <h4>Attributes ({Object.keys(span.attributes).length})</h4>
      <Attributes values={span.attributes} testId="trace-attributes" />
      <h4>Events ({span.events.length})</h4>
      {span.events.length === 0 ? (
        <div className="muted">No events.</div>
      ) : (
        <ol className="tt-events">
          {span.events.map((event, i) => {
            const ms = nanosToMs(event.timeUnixNano);
            return (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: a span's events have no id and never reorder
                key={`${event.timeUnixNano}-${i}`}
                data-testid="trace-event"
              >
                <div className="tt-event-head">
                  <strong data-testid="trace-event-name">{event.name}</strong>
                  {Number.isFinite(ms) && (
                    <span className="muted">
                      {" "}
                      +{durationText(Math.max(0, ms - span.startMs))} · {fullTime(ms)}
                    </span>
                  )}
                </div>
                <Attributes values={event.attributes} testId="trace-event-attributes" />
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}

/**
 * A run's trace as a tree on one time axis: every span indented by its nesting, with its
 * service, a bar from its start for its duration (spans in error in red) and how long it took.
 * A span's subtree opens and closes (its triangle, or → and ←); selecting a span (click, Enter
 * or Space) shows its status, attributes and events below the tree. ↑/↓, Home and End move
 * between rows.
 */
export function TraceTree({ trace }: { trace: ExecutionTrace }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const rowRefs = useRef(new Map<string, HTMLDivElement>());
  // The keyboard moved the focus: the row it names takes it (clicks and re-reads do not).
  const moved = useRef(false);

  const rows = useMemo(() => visibleRows(trace.roots, collapsed), [trace, collapsed]);
  const axis = useMemo(() => traceWindow(trace.roots), [trace]);
  const span = selected === null ? null : findSpan(trace.roots, selected);
  const shows = (id: string | null) => id !== null && rows.some((r) => r.span.spanId === id);
  // The one row in the Tab order: the focused one while it shows, else the selected, else the first.
  const tabStop = shows(focused)
    ? focused
    : shows(selected)
      ? selected
      : (rows[0]?.span.spanId ?? null);

  useEffect(() => {
    if (!moved.current || focused === null) return;
    moved.current = false;
    rowRefs.current.get(focused)?.focus();
  }, [focused]);

  const toggle = (spanId: string) =>
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (!next.delete(spanId)) next.add(spanId);
      return next;
    });
  const focusRow = (row: TraceRow | undefined) => {
    if (!row) return;
    moved.current = true;
    setFocused(row.span.spanId);
  };

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>, row: TraceRow, at: number) {
    const id = row.span.spanId;
    switch (event.key) {
      case "ArrowDown":
        focusRow(rows[at + 1]);
        break;
      case "ArrowUp":
        focusRow(rows[at - 1]);
        break;
      case "Home":
        focusRow(rows[0]);
        break;
      case "End":
        focusRow(rows[rows.length - 1]);
        break;
      case "ArrowRight":
        if (row.hasChildren && !row.expanded) toggle(id);
        else if (row.expanded) focusRow(rows[at + 1]);
        break;
      case "ArrowLeft":
        if (row.expanded) toggle(id);
        else focusRow(rows.find((r) => r.span.spanId === row.parentId));
        break;
      case "Enter":
      case " ":
        setSelected(id);
        setFocused(id);
        break;
      default:
        return;
    }
    // The tree's keys, not the page's (↑/↓ there step to another run).
    event.preventDefault();
    event.stopPropagation();
  }

  const total = axis.endMs - axis.startMs;
  return (
    <div className="trace-tree">
      <div className="tt-axis" aria-hidden="true">
        <span />
        <span className="tt-axis-track">
          <AxisLabels spanMs={total} />
        </span>
        <span />
      </div>
      <div
        role="tree"
        aria-label={`Spans of trace ${trace.traceId}`}
        className="tt-rows"
        data-testid="trace-tree"
      >
        {rows.map((row, at) => {
          const s = row.span;
          const failed = isErrorStatus(s.status.code);
          const { leftPct, widthPct } = barPlacement(s, axis);
          const isSelected = selected === s.spanId;
          return (
            <div
              key={s.spanId}
              ref={(element) => {
                if (element) rowRefs.current.set(s.spanId, element);
                else rowRefs.current.delete(s.spanId);
              }}
              role="treeitem"
              aria-level={row.level}
              aria-posinset={row.position}
              aria-setsize={row.siblings}
              aria-expanded={row.hasChildren ? row.expanded : undefined}
              aria-selected={isSelected}
              aria-label={`${s.name}, ${s.serviceName}, ${durationText(s.durationMs)}${failed ? ", error" : ""}`}
              tabIndex={tabStop === s.spanId ? 0 : -1}
              className={`tt-row${failed ? " failed" : ""}${isSelected ? " selected" : ""}`}
              data-testid="trace-span"
              data-span-id={s.spanId}
              data-depth={row.level - 1}
              data-status={statusWord(s.status.code)}
              title={`${s.name} · ${s.serviceName} · ${durationText(s.durationMs)} · ${statusWord(s.status.code)}`}
              onClick={() => {
                setSelected(s.spanId);
                setFocused(s.spanId);
              }}
              onKeyDown={(event) => onKeyDown(event, row, at)}
            >
              <span className="tt-label" style={{ paddingLeft: (row.level - 1) * INDENT_PX }}>
                {row.hasChildren ? (
                  <button
                    type="button"
                    tabIndex={-1}
                    className="tt-toggle"
                    data-testid="trace-toggle"
                    aria-label={row.expanded ? "Collapse" : "Expand"}
                    // The row keeps the focus (its keys are the tree's), not this button.
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={(event) => {
                      event.stopPropagation();
                      toggle(s.spanId);
                    }}
                  >
                    {row.expanded ? "▾" : "▸"}
                  </button>
                ) : (
                  <span className="tt-toggle" />
                )}
                {failed && <span className="tt-failed-mark">✕</span>}
                <span className="tt-name" data-testid="trace-span-name">
                  {s.name}
                </span>
                <span
                  className={`tt-service${row.parentService ? " same-service" : ""}`}
                  data-testid="trace-span-service"
                >
                  {s.serviceName}
                </span>
                {!row.expanded && row.hasChildren && (
                  <span className="tt-hidden" data-testid="trace-hidden">
                    +{row.descendants}
                  </span>
                )}
              </span>
              <span className="tt-track">
                <span
                  className={`tt-bar${failed ? " bar-failed" : ""}`}
                  data-testid="trace-bar"
                  style={{ left: `${leftPct}%`, width: `${widthPct}%` }}
                />
              </span>
              <span className="tt-duration num">{durationText(s.durationMs)}</span>
            </div>
          );
        })}
      </div>
      {span ? (
        <SpanDetail span={span} axis={axis} />
      ) : (
        <p className="muted tt-hint">
          Select a span (click it, or Enter) for its status, attributes and events.
        </p>
      )}
    </div>
  );
}

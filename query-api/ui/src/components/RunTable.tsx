import { useEffect, useRef } from "react";
import type { ExecutionSummary } from "../api/types.ts";
import { durationText, elapsedMs, fullTime, startedCell } from "../format.ts";
import type { ColumnId } from "../hooks/useColumns.ts";
import { useNow } from "../hooks/useNow.ts";
import { StatusText } from "./StatusDot.tsx";

/** A run that took longer than this is marked in the list. */
export const LONG_RUN_MS = 5000;

interface Props {
  rows: ExecutionSummary[];
  hidden: ReadonlySet<ColumnId>;
  sort: string | null;
  onSort(sort: string | null): void;
  selectedIndex: number;
  /** Changes with the filter: the list starts again at its top. */
  resetKey: string;
  openId: string | null;
  onOpen(index: number): void;
  freshIds: ReadonlySet<string>;
  live: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  /** Why the last "load more" failed, if it did. */
  moreError: string | null;
  onMore(): void;
}

/** desc → asc → off for duration; start time toggles desc ⇄ asc (off is newest first). */
function nextSort(field: "createdAt" | "durationMs", sort: string | null): string | null {
  const current = sort ?? "createdAt,desc";
  if (field === "createdAt") return current === "createdAt,desc" ? "createdAt,asc" : null;
  if (current === "durationMs,desc") return "durationMs,asc";
  if (current === "durationMs,asc") return null;
  return "durationMs,desc";
}

function SortHeader(props: {
  field: "createdAt" | "durationMs";
  label: string;
  sort: string | null;
  onSort(sort: string | null): void;
  className: string;
}) {
  const current = props.sort ?? "createdAt,desc";
  const direction = current.startsWith(props.field) ? current.split(",")[1] : null;
  return (
    <button
      type="button"
      className={`th sortable ${props.className}${direction ? " sorted" : ""}`}
      data-testid={`sort-${props.field}`}
      data-sort={direction ?? "none"}
      aria-label={`${props.label}: ${direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "not sorted"}`}
      onClick={() => props.onSort(nextSort(props.field, props.sort))}
    >
      {props.label}
      <span className="sort-arrow">
        {direction === "asc" ? "↑" : direction === "desc" ? "↓" : ""}
      </span>
    </button>
  );
}

/** `data-local-time`: a first screen rendered by the query API rewrites it in local time. */
function StartedCell({ ms, now }: { ms: number; now: number }) {
  const { text, ago, title } = startedCell(ms, now);
  return (
    <span className="td col-started" title={title} data-testid="started" data-local-time={ms}>
      {text}
      <span className="ago">{ago}</span>
    </span>
  );
}

export function RunTable(props: Props) {
  const { rows, hidden } = props;
  // Every second while a run shown is still going (its elapsed time), else twice a minute.
  const ticking = rows.some((r) => elapsedMs(r, 0) !== null);
  const now = useNow(ticking ? 1000 : 30_000);
  const show = (id: ColumnId) => !hidden.has(id);
  const sentinel = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const onMore = useRef(props.onMore);
  onMore.current = props.onMore;

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-observe when the list grows
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) onMore.current();
      },
      { root: scroller.current, rootMargin: "600px 0px" },
    );
    observer.observe(el);
    return () => observer.disconnect();
    // A new observer reports at once: a short page whose end is still in view loads the next.
  }, [rows.length, props.hasMore]);

  // Keep the keyboard selection in view, and focused unless a field has the focus, so that
  // Enter opens it.
  useEffect(() => {
    const row = scroller.current?.querySelector<HTMLElement>(
      `[data-index="${props.selectedIndex}"]`,
    );
    if (!row) return;
    row.scrollIntoView({ block: "nearest" });
    const active = document.activeElement;
    if (!active || active === document.body || active.classList.contains("tr")) {
      row.focus({ preventScroll: true });
    }
  }, [props.selectedIndex]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs per filter
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [props.resetKey]);

  const firstOld = props.live ? rows.findIndex((r) => !props.freshIds.has(r.id)) : -1;
  const showDivider = props.live && props.freshIds.size > 0 && firstOld > 0;

  return (
    <div className="table">
      <div className="thead">
        {show("status") && <div className="th col-status">Status</div>}
        {show("started") && (
          <SortHeader
            field="createdAt"
            label="Started"
            sort={props.sort}
            onSort={props.onSort}
            className="col-started"
          />
        )}
        {show("duration") && (
          <SortHeader
            field="durationMs"
            label="Duration"
            sort={props.sort}
            onSort={props.onSort}
            className="col-duration"
          />
        )}
        {show("trigger") && <div className="th col-trigger">Trigger</div>}
        {show("tools") && <div className="th col-tools">Tools</div>}
        {show("scope") && <div className="th col-scope">Scope</div>}
        {show("code") && <div className="th col-code">Code</div>}
      </div>
      <div className="tbody" ref={scroller} data-testid="run-list">
        {rows.map((run, index) => {
          const long = run.durationMs !== null && run.durationMs > LONG_RUN_MS;
          const elapsed = run.durationMs === null ? elapsedMs(run, now) : null;
          const old = props.live && props.freshIds.size > 0 && !props.freshIds.has(run.id);
          const classes = ["tr"];
          if (index === props.selectedIndex) classes.push("selected");
          if (run.id === props.openId) classes.push("open");
          if (old) classes.push("older");
          if (props.freshIds.has(run.id)) classes.push("fresh");
          return (
            <div key={run.id} className="row-wrap">
              {showDivider && index === firstOld && (
                <div className="live-divider" data-testid="live-divider">
                  <span>new since live mode started ↑</span>
                </div>
              )}
              <button
                type="button"
                className={classes.join(" ")}
                tabIndex={-1}
                data-testid="run-row"
                data-id={run.id}
                data-status={run.status}
                data-index={index}
                aria-current={index === props.selectedIndex ? "true" : undefined}
                aria-label={`${run.status} run started ${fullTime(run.createdAt)}: open`}
                onClick={() => props.onOpen(index)}
              >
                {show("status") && (
                  <span className="td col-status">
                    <StatusText status={run.status} stale={run.stale} />
                  </span>
                )}
                {show("started") && <StartedCell ms={run.createdAt} now={now} />}
                {show("duration") &&
                  (elapsed === null ? (
                    <span
                      className={`td col-duration num${long ? " long" : ""}`}
                      title={long ? `longer than ${LONG_RUN_MS / 1000} s` : undefined}
                    >
                      {durationText(run.durationMs)}
                    </span>
                  ) : (
                    <span
                      className="td col-duration num elapsed"
                      title="still going: the time since it started"
                      data-testid="elapsed"
                      data-elapsed-ms={elapsed}
                    >
                      {durationText(elapsed)}…
                    </span>
                  ))}
                {show("trigger") && (
                  <span className="td col-trigger">{run.trigger?.kind || "unknown"}</span>
                )}
                {show("tools") && (
                  <span className="td col-tools num">
                    {run.toolCallCount > 0 ? run.toolCallCount : "·"}
                  </span>
                )}
                {show("scope") && <span className="td col-scope">{run.scope}</span>}
                {show("code") && (
                  <span className="td col-code">
                    <code>{run.codePreview}</code>
                  </span>
                )}
              </button>
            </div>
          );
        })}
        <div ref={sentinel} className="list-end" data-testid="list-end">
          {props.moreError !== null && !props.loadingMore ? (
            <span className="more-error" role="alert">
              Could not load more runs: {props.moreError}{" "}
              <button type="button" className="link" onClick={props.onMore}>
                Try again
              </button>
            </span>
          ) : props.loadingMore ? (
            "Loading more…"
          ) : props.hasMore ? (
            ""
          ) : rows.length > 0 ? (
            `${rows.length} runs · end of list`
          ) : (
            ""
          )}
        </div>
      </div>
    </div>
  );
}

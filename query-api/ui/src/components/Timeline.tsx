import { type RefObject, useEffect, useRef, useState } from "react";
import { STATUSES } from "../api/types.ts";
import { bucketText, countText, fullTime, STATUS_LABEL, stepText } from "../format.ts";

interface Props {
  bucketMs: number;
  data: { bucketStart: number; counts: Record<string, number> }[];
  loading: boolean;
  /** The counts could not be read (and there is no earlier answer to show). */
  unavailable: boolean;
  /** The chart shows only the part of the range that holds runs (`meta.chartZoomed`). */
  zoomed: boolean;
  /** The user asked for the whole range (no zoom). */
  wholeRange: boolean;
  onWholeRange(whole: boolean): void;
  /** The range shown: a selection never reaches beyond it (edge buckets are aligned outside). */
  boundFrom: number | null;
  boundTo: number | null;
  /** A drag across buckets: the range from the first bucket's start to the last one's end. */
  onSelect(fromMs: number, toMs: number): void;
  /** Set when the range is a selection: goes back to the range it was made in. */
  onClear: (() => void) | null;
  /** Counts stopped at the server's budget: buckets before this were not counted. */
  countedFrom: number | null;
}

/** A press that moves less than this is a click, not a selection. */
const DRAG_PX = 3;
/** Room a time label needs under the chart (px), `Dec 5 03:09:26` included. */
const TICK_PX = 110;

const total = (counts: Record<string, number>) =>
  STATUSES.reduce((n, s) => n + (counts[s] ?? 0), 0);

/** The smallest 1, 2 or 5 × 10^k at or above `n`: the count axis' top. */
export function niceCeiling(n: number): number {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * power >= n) return m * power;
  return 10 * power;
}

/** Bucket indexes to label: every k-th from the first, at most `max` of them. */
export function tickIndexes(buckets: number, max: number): number[] {
  if (buckets === 0) return [];
  const every = Math.max(1, Math.ceil(buckets / Math.max(1, max)));
  const out: number[] = [];
  for (let i = 0; i < buckets; i += every) out.push(i);
  return out;
}

/** An element's width, followed as it changes (0 until it is laid out). */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * Stacked bars per status from `meta.chartData`, over a count axis with gridlines; drag across
 * it to narrow the time range, and clear the selection from its header.
 */
export function Timeline(props: Props) {
  const { bucketMs, data, loading, boundFrom, boundTo, onSelect, countedFrom } = props;
  const uncounted = (start: number) => countedFrom !== null && start + bucketMs <= countedFrom;
  const area = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{
    start: number;
    end: number;
    x: number;
    moved: boolean;
  } | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const width = useWidth(area);
  const top = niceCeiling(Math.max(0, ...data.map((b) => total(b.counts))));
  const gridlines = top >= 2 ? [top, top / 2] : [top];

  const indexAt = (clientX: number): number => {
    const box = area.current?.getBoundingClientRect();
    if (!box || data.length === 0) return 0;
    const i = Math.floor(((clientX - box.left) / box.width) * data.length);
    return Math.min(data.length - 1, Math.max(0, i));
  };

  const finish = () => {
    if (!drag) return;
    setDrag(null);
    if (!drag.moved) return;
    const lo = Math.min(drag.start, drag.end);
    const hi = Math.max(drag.start, drag.end);
    const first = data[lo];
    const last = data[hi];
    if (!first || !last) return;
    const from = Math.max(first.bucketStart, boundFrom ?? Number.NEGATIVE_INFINITY);
    const to = Math.min(last.bucketStart + bucketMs - 1, boundTo ?? Number.POSITIVE_INFINITY);
    if (from <= to) onSelect(from, to);
  };

  const lo = drag ? Math.min(drag.start, drag.end) : -1;
  const hi = drag ? Math.max(drag.start, drag.end) : -1;
  const hovered = hover !== null ? data[hover] : undefined;
  const spanMs =
    data.length > 0 ? (data.at(-1)?.bucketStart ?? 0) - (data[0]?.bucketStart ?? 0) : 0;
  const n = data.length;
  // Beside the hovered bar, on the side with more room: never over it.
  const tipPlace =
    hover === null
      ? undefined
      : hover < n / 2
        ? { left: `calc(${((hover + 1) / n) * 100}% + 6px)` }
        : { right: `calc(${((n - hover) / n) * 100}% + 6px)` };

  return (
    <div className={`timeline${loading ? " is-loading" : ""}`} data-testid="timeline">
      <div className="timeline-head">
        <span className="muted" data-testid="timeline-unit">
          runs per {stepText(bucketMs)}
        </span>
        <span className="timeline-controls">
          {props.zoomed && (
            <span className="muted" data-testid="timeline-zoom-note">
              zoomed to the runs ·
            </span>
          )}
          {(props.zoomed || props.wholeRange) && (
            <button
              type="button"
              className="link"
              data-testid="timeline-zoom"
              onClick={() => props.onWholeRange(!props.wholeRange)}
            >
              {props.wholeRange ? "zoom to the runs" : "show the whole range"}
            </button>
          )}
          {props.onClear && (
            <button
              type="button"
              className="link"
              data-testid="timeline-clear"
              title="Back to the range the selection was made in"
              onClick={props.onClear}
            >
              ✕ clear selection
            </button>
          )}
        </span>
      </div>
      <div className="timeline-plot">
        <div className="timeline-yaxis" data-testid="timeline-yaxis" aria-hidden="true">
          {gridlines.map((g) => (
            <span key={g} style={{ bottom: `${(g / top) * 100}%` }}>
              {countText(g)}
            </span>
          ))}
          <span style={{ bottom: 0 }}>0</span>
        </div>
        <div
          className="timeline-bars"
          ref={area}
          data-testid="timeline-bars"
          onPointerDown={(e) => {
            if (e.button !== 0) return;
            e.preventDefault();
            // Captured: the drag goes on past the chart's edges until the button is released.
            e.currentTarget.setPointerCapture(e.pointerId);
            const i = indexAt(e.clientX);
            setDrag({ start: i, end: i, x: e.clientX, moved: false });
          }}
          onPointerMove={(e) => {
            const i = indexAt(e.clientX);
            setHover(i);
            if (drag) {
              const moved = drag.moved || Math.abs(e.clientX - drag.x) >= DRAG_PX;
              setDrag({ ...drag, end: i, moved });
            }
          }}
          onPointerUp={finish}
          onPointerCancel={() => setDrag(null)}
          onPointerLeave={() => setHover(null)}
          title="Drag across the bars to narrow the time range"
        >
          {gridlines.map((g) => (
            <div key={g} className="gridline" style={{ bottom: `${(g / top) * 100}%` }} />
          ))}
          {data.map((bucket, i) => (
            <div
              key={bucket.bucketStart}
              className={`bucket${i >= lo && i <= hi ? " in-drag" : ""}${i === hover ? " hovered" : ""}${uncounted(bucket.bucketStart) ? " uncounted" : ""}`}
              data-testid="timeline-bucket"
              title={
                uncounted(bucket.bucketStart) ? "not counted (see the count above)" : undefined
              }
            >
              {STATUSES.map((status) => {
                const count = bucket.counts[status] ?? 0;
                if (count === 0) return null;
                return (
                  <div
                    key={status}
                    className={`seg seg-${status}`}
                    style={{ height: `${(count / top) * 100}%` }}
                  />
                );
              })}
            </div>
          ))}
          {data.length === 0 && !loading && (
            <div className="timeline-empty">
              {props.unavailable ? "counts unavailable" : "no runs in this range"}
            </div>
          )}
          {hovered && !drag && (
            <div className="timeline-tip" data-testid="timeline-tip" style={tipPlace}>
              <strong title={fullTime(hovered.bucketStart)}>
                {bucketText(hovered.bucketStart, bucketMs, spanMs)}
              </strong>
              <span>{countText(total(hovered.counts))} runs</span>
              {STATUSES.filter((s) => (hovered.counts[s] ?? 0) > 0).map((s) => (
                <span key={s} className={`tip-${s}`}>
                  {STATUS_LABEL[s]} {countText(hovered.counts[s] ?? 0)}
                </span>
              ))}
            </div>
          )}
        </div>
      </div>
      <div className="timeline-axis" data-testid="timeline-axis">
        {tickIndexes(n, Math.floor(width / TICK_PX)).map((i) => {
          const bucket = data[i];
          if (!bucket) return null;
          return (
            <span
              key={i}
              data-testid="timeline-tick"
              // A label starts at its bucket's start; the first one inside the chart's edge.
              style={{ left: `${(i / n) * 100}%`, transform: i === 0 ? "none" : undefined }}
            >
              {bucketText(bucket.bucketStart, bucketMs, spanMs)}
            </span>
          );
        })}
      </div>
    </div>
  );
}

import { useRef, useState } from "react";
import { STATUSES } from "../api/types.ts";
import { bucketText, countText, fullTime, STATUS_LABEL } from "../format.ts";

interface Props {
  bucketMs: number;
  data: { bucketStart: number; counts: Record<string, number> }[];
  loading: boolean;
  /** The range shown: a selection never reaches beyond it (edge buckets are aligned outside). */
  boundFrom: number | null;
  boundTo: number | null;
  /** A drag across buckets: the range from the first bucket's start to the last one's end. */
  onSelect(fromMs: number, toMs: number): void;
}

/** A press that moves less than this is a click, not a selection. */
const DRAG_PX = 3;

/** Stacked bars per status from `meta.chartData`; drag across it to narrow the time range. */
export function Timeline({ bucketMs, data, loading, boundFrom, boundTo, onSelect }: Props) {
  const area = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{
    start: number;
    end: number;
    x: number;
    moved: boolean;
  } | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const max = Math.max(1, ...data.map((b) => STATUSES.reduce((n, s) => n + (b.counts[s] ?? 0), 0)));

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
  const ticks = data.length > 1 ? [0, Math.floor(data.length / 2), data.length - 1] : [0];

  return (
    <div className={`timeline${loading ? " is-loading" : ""}`} data-testid="timeline">
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
        {data.map((bucket, i) => (
          <div
            key={bucket.bucketStart}
            className={`bucket${i >= lo && i <= hi ? " in-drag" : ""}${i === hover ? " hovered" : ""}`}
          >
            {STATUSES.map((status) => {
              const n = bucket.counts[status] ?? 0;
              if (n === 0) return null;
              return (
                <div
                  key={status}
                  className={`seg seg-${status}`}
                  style={{ height: `${(n / max) * 100}%` }}
                />
              );
            })}
          </div>
        ))}
        {data.length === 0 && !loading && (
          <div className="timeline-empty">no runs in this range</div>
        )}
      </div>
      <div className="timeline-axis">
        {ticks.map((i) => {
          const bucket = data[i];
          if (!bucket) return null;
          return (
            <span
              key={i}
              // The first and last labels sit inside the chart's edges.
              style={
                i === 0 && data.length > 1
                  ? { left: 0, transform: "none" }
                  : i === data.length - 1 && data.length > 1
                    ? { right: 0, transform: "none" }
                    : { left: `${((i + 0.5) / data.length) * 100}%` }
              }
            >
              {bucketText(bucket.bucketStart, bucketMs, spanMs)}
            </span>
          );
        })}
      </div>
      {hovered && !drag && (
        <div className="timeline-tip" data-testid="timeline-tip">
          <strong title={fullTime(hovered.bucketStart)}>
            {bucketText(hovered.bucketStart, bucketMs, spanMs)}
          </strong>
          {STATUSES.filter((s) => (hovered.counts[s] ?? 0) > 0).map((s) => (
            <span key={s} className={`tip-${s}`}>
              {STATUS_LABEL[s]} {countText(hovered.counts[s] ?? 0)}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

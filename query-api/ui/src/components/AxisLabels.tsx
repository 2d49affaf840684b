import { durationText } from "../format.ts";

/** Axis labels: the start, the middle and the end (room for them in a narrow drawer). */
const TICKS = [0, 0.5, 1];

/**
 * The time labels of a chart `spanMs` wide, as spans placed along their parent (which
 * positions them): the end labels sit inside the chart's edges.
 */
export function AxisLabels({ spanMs }: { spanMs: number }) {
  return (
    <>
      {TICKS.map((t) => (
        <span
          key={t}
          style={
            t === 0
              ? { left: 0, transform: "none" }
              : t === 1
                ? { right: 0, transform: "none" }
                : { left: `${t * 100}%` }
          }
        >
          {durationText(t * spanMs)}
        </span>
      ))}
    </>
  );
}

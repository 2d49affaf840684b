import { useState } from "react";
import type { ToolCall } from "../api/types.ts";
import { durationText, prettyJson, unwrapJson } from "../format.ts";

interface Props {
  calls: ToolCall[];
  /** The run's own window; calls outside it widen the axis. */
  startMs: number;
  endMs: number | null;
}

/** One bar per tool call on the run's time axis; failed calls in red; click for the details. */
export function Waterfall({ calls, startMs, endMs }: Props) {
  const [open, setOpen] = useState<string | null>(null);
  if (calls.length === 0) return <div className="muted">No tool calls.</div>;
  const start = Math.min(startMs, ...calls.map((c) => c.startedAt));
  const end = Math.max(endMs ?? 0, ...calls.map((c) => c.completedAt || c.startedAt), start + 1);
  const span = end - start;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-axis">
        {ticks.map((t) => (
          <span key={t} style={{ left: `${t * 100}%` }}>
            {durationText(t * span)}
          </span>
        ))}
      </div>
      {calls.map((call) => {
        const failed = call.status === "failed" || call.error !== null;
        const left = ((call.startedAt - start) / span) * 100;
        const width = Math.max(0.6, ((call.completedAt - call.startedAt) / span) * 100);
        const expanded = open === call.id;
        return (
          <div
            key={call.id}
            className={`wf-row${failed ? " failed" : ""}`}
            data-testid="waterfall-row"
            data-status={call.status}
          >
            <button
              type="button"
              className="wf-head"
              aria-expanded={expanded}
              onClick={() => setOpen(expanded ? null : call.id)}
            >
              <span className="wf-name" title={call.toolPath}>
                {failed && (
                  <span className="wf-failed-mark" title="failed">
                    ✕{" "}
                  </span>
                )}
                {call.toolPath}
              </span>
              <span className="wf-track">
                <span
                  className="wf-bar"
                  data-testid="waterfall-bar"
                  style={{
                    left: `${Math.min(left, 99.4)}%`,
                    width: `${Math.min(width, 100 - Math.min(left, 99.4))}%`,
                  }}
                />
              </span>
              <span className="wf-duration num">{durationText(call.durationMs)}</span>
            </button>
            {expanded && (
              <div className="wf-detail">
                {call.error !== null && (
                  <div className="error-box">
                    <strong>{call.errorType ?? "Error"}</strong>: {call.error}
                  </div>
                )}
                <h4>args{call.argsTruncated ? " (truncated)" : ""}</h4>
                <pre>{prettyJson(unwrapJson(call.args))}</pre>
                {call.result !== null && call.result !== undefined && (
                  <>
                    <h4>result{call.resultTruncated ? " (truncated)" : ""}</h4>
                    <pre>{prettyJson(unwrapJson(call.result))}</pre>
                  </>
                )}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}

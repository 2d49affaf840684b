import { type ReactNode, useState } from "react";
import type { InteractionDetail, ToolCall } from "../api/types.ts";
import { durationText, fullTime, prettyJson, unwrapJson } from "../format.ts";
import { AxisLabels } from "./AxisLabels.tsx";
import { InteractionRequest } from "./InteractionRequest.tsx";

/** The interaction a run waits for now (the detail's `pendingInteraction`). */
export interface PendingWait {
  id: string;
  kind: string;
  purpose?: string | null;
  createdAt: number | null;
  payload?: unknown;
}

interface Props {
  calls: ToolCall[];
  interactions: InteractionDetail[];
  pending: PendingWait | null;
  /** The run's own window; calls outside it widen the axis. */
  startMs: number;
  /** The run's end; null while it has none (the axis reaches `nowMs`). */
  endMs: number | null;
  /** The run is still going (not finished, not stale): its time so far is drawn. */
  running: boolean;
  nowMs: number;
}

/** One row of the chart: a tool call, a wait for an interaction, or the run's time so far. */
interface Item {
  key: string;
  kind: "call" | "wait" | "running";
  label: ReactNode;
  title: string;
  from: number;
  /** null: still going (drawn to now). */
  to: number | null;
  failed: boolean;
  status: string;
  detail: ReactNode;
}

function callItem(call: ToolCall): Item {
  const failed = call.status === "failed" || call.error !== null;
  return {
    key: `call-${call.id}`,
    kind: "call",
    label: call.toolPath,
    title: call.toolPath,
    from: call.startedAt,
    to: call.completedAt,
    failed,
    status: call.status,
    detail: (
      <>
        {call.error !== null && (
          <div className="error-box">
            <strong>{call.errorType ?? "Error"}</strong>: {call.error}
          </div>
        )}
        {call.completedAt === null ? (
          <p className="muted">
            Running since {fullTime(call.startedAt)}: the runtime reported it in flight; its args
            and result come with its span when it ends.
          </p>
        ) : (
          <>
            <h4>args{call.argsTruncated ? " (truncated)" : ""}</h4>
            <pre>{prettyJson(unwrapJson(call.args))}</pre>
          </>
        )}
        {call.result !== null && call.result !== undefined && (
          <>
            <h4>result{call.resultTruncated ? " (truncated)" : ""}</h4>
            <pre>{prettyJson(unwrapJson(call.result))}</pre>
          </>
        )}
      </>
    ),
  };
}

function waitItem(
  i: { id: string; kind: string; purpose?: string | null; status: string },
  from: number,
  to: number | null,
  request: unknown,
  response?: { value: unknown; truncated: boolean },
): Item {
  const what = `${i.kind}${i.purpose ? ` · ${i.purpose}` : ""}`;
  return {
    key: `wait-${i.id}`,
    kind: "wait",
    label: what,
    title: `waiting for ${what} (${i.status})`,
    from,
    to,
    failed: false,
    status: i.status,
    detail: (
      <>
        <h4>request · asked {fullTime(from)}</h4>
        <InteractionRequest payload={request} />
        {response && response.value !== null && response.value !== undefined && (
          <>
            <h4>
              response{response.truncated ? " (truncated)" : ""}
              {to !== null ? ` · ${fullTime(to)}` : ""}
            </h4>
            <pre>{prettyJson(unwrapJson(response.value))}</pre>
          </>
        )}
      </>
    ),
  };
}

/** The rows in start order: calls, waits, and the run's time so far after its last news. */
function itemsOf(props: Props): Item[] {
  const items: Item[] = props.calls.map(callItem);
  for (const i of props.interactions) {
    const open = i.resolvedAt === null && i.status === "pending";
    items.push(
      waitItem(i, i.createdAt, open ? null : (i.resolvedAt ?? i.createdAt), i.payload, {
        value: i.response,
        truncated: i.responseTruncated,
      }),
    );
  }
  const pending = props.pending;
  if (pending && !props.interactions.some((i) => i.id === pending.id)) {
    const from = pending.createdAt ?? props.startMs;
    items.push(waitItem({ ...pending, status: "pending" }, from, null, pending.payload));
  }
  items.sort((a, b) => a.from - b.from);
  // A call in flight or an open wait says what the run does now.
  const known = items.some((item) => item.to === null);
  if (props.running && !known) {
    // Otherwise what it does now is not known until its next span (a short call in flight is
    // exported when it ends): its time since the last news is drawn as such.
    const last = Math.max(props.startMs, ...items.map((item) => item.to ?? item.from));
    items.push({
      key: "running",
      kind: "running",
      label: "running…",
      title: "No news since: a short call in flight is reported when it ends",
      from: last,
      to: null,
      failed: false,
      status: "running",
      detail: (
        <p className="muted">
          Running since {fullTime(props.startMs)}; last news {fullTime(last)}. A tool call in flight
          shows once it has run a second (the runtime reports it), else when it ends.
        </p>
      ),
    });
  }
  return items;
}

/** A bar's look: red when failed, hatched amber for a wait, hatched blue while running. */
function barClass(item: Item): string {
  const classes = ["wf-bar"];
  if (item.failed) classes.push("bar-failed");
  else if (item.kind === "wait") classes.push("bar-wait");
  else if (item.to === null) classes.push("bar-running");
  if (item.to === null) classes.push("bar-open");
  return classes.join(" ");
}

/**
 * The run on one time axis: a bar per tool call (failed ones red), the waits for interactions
 * with their wait time, and while the run goes on, its time since the last news, up to now.
 * Click a row for its details.
 */
export function Waterfall(props: Props) {
  const [open, setOpen] = useState<string | null>(null);
  const items = itemsOf(props);
  if (items.length === 0) return <div className="muted">No tool calls.</div>;
  const { nowMs } = props;
  const start = Math.min(props.startMs, ...items.map((i) => i.from));
  const end = Math.max(props.endMs ?? nowMs, ...items.map((i) => i.to ?? nowMs), start + 1);
  const span = end - start;
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-axis">
        <AxisLabels spanMs={span} />
      </div>
      {items.map((item) => {
        const to = item.to ?? nowMs;
        const left = Math.min(((item.from - start) / span) * 100, 99.4);
        const width = Math.min(Math.max(0.6, ((to - item.from) / span) * 100), 100 - left);
        const expanded = open === item.key;
        const took = durationText(to - item.from);
        const duration =
          item.kind === "call"
            ? item.to === null
              ? `${took}…`
              : took
            : item.kind === "wait"
              ? item.to === null
                ? `waiting ${took}…`
                : `waited ${took}`
              : `${took}…`;
        return (
          <div
            key={item.key}
            className={`wf-row wf-${item.kind}${item.failed ? " failed" : ""}${item.to === null ? " ongoing" : ""}`}
            data-testid={
              item.kind === "call"
                ? "waterfall-row"
                : item.kind === "wait"
                  ? "waterfall-wait"
                  : "waterfall-running"
            }
            data-status={item.status}
            data-ms={Math.round(to - item.from)}
          >
            <button
              type="button"
              className="wf-head"
              aria-expanded={expanded}
              onClick={() => setOpen(expanded ? null : item.key)}
            >
              <span
                className={`wf-name${item.failed ? " name-failed" : item.kind !== "call" ? ` name-${item.kind}` : ""}`}
                title={item.title}
              >
                {item.failed && (
                  <span className="wf-failed-mark" title="failed">
                    ✕{" "}
                  </span>
                )}
                {item.label}
              </span>
              <span className="wf-track">
                <span
                  className={barClass(item)}
                  data-testid="waterfall-bar"
                  style={{ left: `${left}%`, width: `${width}%` }}
                />
              </span>
              <span className="wf-duration num">{duration}</span>
            </button>
            {expanded && <div className="wf-detail">{item.detail}</div>}
          </div>
        );
      })}
    </div>
  );
}

import { type ReactNode, useEffect, useRef, useState } from "react";
import { ApiError, getExecution, getToolCalls, traceUrl } from "../api/client.ts";
import type { ExecutionDetail, ToolCall } from "../api/types.ts";
import {
  durationText,
  elapsedMs,
  fullTime,
  prettyJson,
  relativeText,
  unwrapJson,
  utcText,
} from "../format.ts";
import { useNow } from "../hooks/useNow.ts";
import { InteractionRequest } from "./InteractionRequest.tsx";
import { RunTrace } from "./RunTrace.tsx";
import { StatusText } from "./StatusDot.tsx";
import { Waterfall } from "./Waterfall.tsx";

interface Props {
  id: string;
  onClose(): void;
  onStep(delta: -1 | 1): void;
  canStep: { prev: boolean; next: boolean };
}

type Loaded =
  | { state: "loading" }
  | { state: "error"; error: ApiError }
  | { state: "ready"; run: ExecutionDetail; calls: ToolCall[] };

/** A time as local (with its offset), UTC and how long ago, all on screen. */
function TimeValue({ ms, nowMs }: { ms: number | null; nowMs: number }) {
  if (ms === null) return <>—</>;
  return (
    <span className="time-value" data-testid="time-value">
      <span>{fullTime(ms)}</span>
      <span className="muted">
        {utcText(ms)} · {relativeText(ms, nowMs)}
      </span>
    </span>
  );
}

function Prop({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </>
  );
}

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Not a secure context or no permission: the textarea route still works.
  }
  const area = document.createElement("textarea");
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

/**
 * The trigger's meta as rows: an object's entries; any other JSON value (the API passes the
 * stored meta through) as one `meta` row; nothing for null.
 */
function triggerMeta(meta: unknown): [string, unknown][] {
  if (meta === null || meta === undefined) return [];
  if (typeof meta === "object" && !Array.isArray(meta)) return Object.entries(meta);
  return [["meta", meta]];
}

function logClass(severity: string, message: string): string {
  const s = severity.toLowerCase();
  if (s.startsWith("err") || s === "fatal" || message.startsWith("[error]")) return "log-error";
  if (s.startsWith("warn") || message.startsWith("[warn]")) return "log-warn";
  return "";
}

/** An unfinished run open in the drawer is read again this often (ms). */
const DRAWER_POLL_MS = 5000;

/**
 * One run, opened from the list: its properties, code, outcome, logs, interactions, tool calls
 * and its trace as a tree.
 */
export function RunDrawer({ id, onClose, onStep, canStep }: Props) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [copied, setCopied] = useState(false);

  // Bumped to read an unfinished run again: the drawer follows it until it ends.
  const [reads, setReads] = useState(0);
  // The run whose answer is on screen: a re-read of it keeps that answer meanwhile.
  const shownId = useRef<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reads` asks for a new read of the same run
  useEffect(() => {
    const abort = new AbortController();
    const fresh = shownId.current !== id;
    if (fresh) {
      setLoaded({ state: "loading" });
      setCopied(false);
    }
    Promise.all([getExecution(id, abort.signal), getToolCalls(id, abort.signal)]).then(
      ([run, calls]) => {
        shownId.current = id;
        setLoaded({ state: "ready", run, calls });
      },
      (e: unknown) => {
        // A failed re-read keeps the last answer; the next one tries again.
        if (abort.signal.aborted || !fresh) return;
        setLoaded({
          state: "error",
          error: e instanceof ApiError ? e : new ApiError(0, String(e)),
        });
      },
    );
    return () => abort.abort();
  }, [id, reads]);

  const run = loaded.state === "ready" ? loaded.run : null;
  const unfinished = run !== null && !run.stale && run.completedAt === null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-armed after each answer (`loaded`)
  useEffect(() => {
    if (!unfinished) return;
    const timer = setTimeout(() => setReads((n) => n + 1), DRAWER_POLL_MS);
    return () => clearTimeout(timer);
  }, [unfinished, loaded]);
  const elapsed = run && run.durationMs === null ? elapsedMs(run, 0) : null;
  // Every second while the run goes on (its elapsed time and the waterfall's end), else slowly.
  const now = useNow(elapsed !== null ? 1000 : 30_000);
  const result = run ? unwrapJson(run.result) : null;

  return (
    <aside className="drawer" data-testid="drawer" aria-label={`Run ${id}`}>
      <header className="drawer-head">
        <div className="drawer-title">
          {run ? (
            <StatusText status={run.status} stale={run.stale} />
          ) : (
            <span className="muted">run</span>
          )}
          <code className="drawer-id" title={id}>
            {id}
          </code>
        </div>
        <div className="drawer-actions">
          <button
            type="button"
            onClick={() => onStep(-1)}
            disabled={!canStep.prev}
            title="Previous run (↑)"
          >
            ↑
          </button>
          <button
            type="button"
            onClick={() => onStep(1)}
            disabled={!canStep.next}
            title="Next run (↓)"
          >
            ↓
          </button>
          <button
            type="button"
            data-testid="copy-json"
            disabled={!run}
            onClick={() => {
              if (loaded.state !== "ready") return;
              void copyText(
                JSON.stringify({ ...loaded.run, toolCalls: loaded.calls }, null, 2),
              ).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy JSON"}
          </button>
          <a href={traceUrl(id)} target="_blank" rel="noreferrer" data-testid="trace-link">
            Raw trace
          </a>
          <button type="button" onClick={onClose} title="Close (Esc)" data-testid="drawer-close">
            ✕
          </button>
        </div>
      </header>
      <div className="drawer-body">
        {loaded.state === "loading" && <div className="drawer-loading">Loading run…</div>}
        {loaded.state === "error" && (
          <div className="error-box" role="alert">
            {loaded.error.status === 404
              ? "This run is not stored (or not readable with your token)."
              : loaded.error.message}
          </div>
        )}
        {loaded.state === "ready" && run && (
          <>
            {run.error !== null && (
              <section className="drawer-section">
                <h3>Error</h3>
                <div className="error-box" data-testid="run-error">
                  <strong>{run.errorType ?? "Error"}</strong>: {run.error}
                </div>
              </section>
            )}
            {run.pendingInteraction && (
              <section className="drawer-section" data-testid="waiting-for">
                <h3>Waiting for</h3>
                <div className="waiting-head">
                  <strong>{run.pendingInteraction.kind}</strong>
                  {run.pendingInteraction.purpose && (
                    <span> · {run.pendingInteraction.purpose}</span>
                  )}
                  {run.pendingInteraction.createdAt !== null && (
                    <span className="muted">
                      {" "}
                      · asked {relativeText(run.pendingInteraction.createdAt, now)} (
                      {fullTime(run.pendingInteraction.createdAt)})
                    </span>
                  )}
                </div>
                <InteractionRequest payload={run.pendingInteraction.payload} />
              </section>
            )}
            <section className="drawer-section">
              <h3>
                Tool calls ({loaded.calls.length})
                {run.interactions.length > 0 ? ` · interactions (${run.interactions.length})` : ""}
              </h3>
              <Waterfall
                calls={loaded.calls}
                interactions={run.interactions}
                pending={run.pendingInteraction}
                startMs={run.startedAt ?? run.createdAt}
                endMs={run.completedAt}
                running={elapsed !== null}
                // A run that went silent is drawn up to its last news, not to now.
                nowMs={elapsed !== null ? Math.max(now, Date.now()) : run.updatedAt}
              />
            </section>
            <RunTrace
              key={run.id}
              executionId={run.id}
              traceId={run.traceId}
              // Each answer for the run (re-read while unfinished) reads its trace again.
              version={loaded}
              unfinished={unfinished}
            />
            <section className="drawer-section">
              <h3>Properties</h3>
              <dl className="props" data-testid="properties">
                <Prop name="execution">
                  <code>{run.id}</code>
                </Prop>
                <Prop name="scope">{run.scope}</Prop>
                <Prop name="trigger">{run.trigger.kind || "unknown"}</Prop>
                {triggerMeta(run.trigger.meta).map(([k, v]) => (
                  <Prop key={k} name={`  ${k}`}>
                    {typeof v === "string" ? v : JSON.stringify(v)}
                  </Prop>
                ))}
                <Prop name="runtime">{run.runtime ?? "—"}</Prop>
                <Prop name="service">{run.serviceName ?? "—"}</Prop>
                <Prop name="created">
                  <TimeValue ms={run.createdAt} nowMs={now} />
                </Prop>
                <Prop name="started">
                  <TimeValue ms={run.startedAt} nowMs={now} />
                </Prop>
                <Prop name="completed">
                  <TimeValue ms={run.completedAt} nowMs={now} />
                </Prop>
                <Prop name="duration">
                  {elapsed !== null ? (
                    <span data-testid="drawer-elapsed">
                      {durationText(Math.max(0, now - (run.startedAt ?? run.createdAt)))} so far
                    </span>
                  ) : (
                    durationText(run.durationMs)
                  )}
                </Prop>
                <Prop name="updated">
                  <TimeValue ms={run.updatedAt} nowMs={now} />
                </Prop>
                <Prop name="tool calls">{run.toolCallCount}</Prop>
                <Prop name="interactions">{run.interactionCount}</Prop>
                <Prop name="trace">
                  {run.traceId ? (
                    <a href={traceUrl(run.id)} target="_blank" rel="noreferrer">
                      <code>{run.traceId}</code>
                    </a>
                  ) : (
                    "—"
                  )}
                </Prop>
              </dl>
            </section>
            <section className="drawer-section">
              <h3>Code{run.codeTruncated ? " (truncated)" : ""}</h3>
              <pre className="code-block" data-testid="run-code">
                {run.code}
              </pre>
            </section>
            {result !== null && result !== undefined && (
              <section className="drawer-section">
                <h3>Result{run.resultTruncated ? " (truncated)" : ""}</h3>
                <pre data-testid="run-result">{prettyJson(result)}</pre>
              </section>
            )}
            <section className="drawer-section">
              <h3>Logs ({run.logs.length})</h3>
              {run.logs.length === 0 ? (
                <div className="muted">No logs.</div>
              ) : (
                <div className="logs" data-testid="run-logs">
                  {run.logs.map((line, i) => (
                    <div
                      // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id and never reorder
                      key={`${line.time}-${i}`}
                      className={`log ${logClass(line.severity, line.message)}`}
                    >
                      <span className="log-time">{fullTime(line.time).slice(11, 23)}</span>
                      <span className="log-sev">{line.severity}</span>
                      <span className="log-msg">{line.message}</span>
                    </div>
                  ))}
                </div>
              )}
            </section>
          </>
        )}
      </div>
    </aside>
  );
}

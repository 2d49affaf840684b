import { type ReactNode, useEffect, useState } from "react";
import { ApiError, getExecution, getToolCalls, traceUrl } from "../api/client.ts";
import type { ExecutionDetail, ToolCall } from "../api/types.ts";
import { durationText, fullTime, prettyJson, unwrapJson } from "../format.ts";
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

function logClass(severity: string, message: string): string {
  const s = severity.toLowerCase();
  if (s.startsWith("err") || s === "fatal" || message.startsWith("[error]")) return "log-error";
  if (s.startsWith("warn") || message.startsWith("[warn]")) return "log-warn";
  return "";
}

/** One run, opened from the list: its properties, code, outcome, logs, interactions, tool calls. */
export function RunDrawer({ id, onClose, onStep, canStep }: Props) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const abort = new AbortController();
    setLoaded({ state: "loading" });
    setCopied(false);
    Promise.all([getExecution(id, abort.signal), getToolCalls(id, abort.signal)]).then(
      ([run, calls]) => setLoaded({ state: "ready", run, calls }),
      (e: unknown) => {
        if (abort.signal.aborted) return;
        setLoaded({
          state: "error",
          error: e instanceof ApiError ? e : new ApiError(0, String(e)),
        });
      },
    );
    return () => abort.abort();
  }, [id]);

  const run = loaded.state === "ready" ? loaded.run : null;
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
              <section className="drawer-section">
                <h3>Waiting for</h3>
                <pre>{prettyJson(run.pendingInteraction)}</pre>
              </section>
            )}
            <section className="drawer-section">
              <h3>Tool calls ({loaded.calls.length})</h3>
              <Waterfall
                calls={loaded.calls}
                startMs={run.startedAt ?? run.createdAt}
                endMs={run.completedAt ?? (run.status === "running" ? Date.now() : null)}
              />
            </section>
            <section className="drawer-section">
              <h3>Properties</h3>
              <dl className="props" data-testid="properties">
                <Prop name="execution">
                  <code>{run.id}</code>
                </Prop>
                <Prop name="scope">{run.scope}</Prop>
                <Prop name="trigger">{run.trigger?.kind || "unknown"}</Prop>
                {run.trigger?.meta &&
                  Object.entries(run.trigger.meta).map(([k, v]) => (
                    <Prop key={k} name={`  ${k}`}>
                      {typeof v === "string" ? v : JSON.stringify(v)}
                    </Prop>
                  ))}
                <Prop name="runtime">{run.runtime ?? "—"}</Prop>
                <Prop name="service">{run.serviceName ?? "—"}</Prop>
                <Prop name="created">{fullTime(run.createdAt)}</Prop>
                <Prop name="started">{run.startedAt !== null ? fullTime(run.startedAt) : "—"}</Prop>
                <Prop name="completed">
                  {run.completedAt !== null ? fullTime(run.completedAt) : "—"}
                </Prop>
                <Prop name="duration">{durationText(run.durationMs)}</Prop>
                <Prop name="updated">{fullTime(run.updatedAt)}</Prop>
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
            {run.interactions.length > 0 && (
              <section className="drawer-section">
                <h3>Interactions ({run.interactions.length})</h3>
                {run.interactions.map((i) => (
                  <div key={i.id} className="interaction" data-testid="interaction">
                    <div className="interaction-head">
                      <strong>{i.kind}</strong> {i.purpose && <span>· {i.purpose}</span>} ·{" "}
                      <span className={`status-${i.status}`}>{i.status}</span>
                      <span className="muted"> · {fullTime(i.createdAt)}</span>
                    </div>
                    <h4>request{i.payloadTruncated ? " (truncated)" : ""}</h4>
                    <pre>{prettyJson(unwrapJson(i.payload))}</pre>
                    {i.response !== null && i.response !== undefined && (
                      <>
                        <h4>response{i.responseTruncated ? " (truncated)" : ""}</h4>
                        <pre>{prettyJson(unwrapJson(i.response))}</pre>
                      </>
                    )}
                  </div>
                ))}
              </section>
            )}
          </>
        )}
      </div>
    </aside>
  );
}

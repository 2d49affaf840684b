import { useEffect, useState } from "react";
import { ApiError, getTrace } from "../api/client.ts";
import type { ExecutionTrace } from "../api/types.ts";
import { useJaegerUiUrl } from "../hooks/useJaegerUiUrl.ts";
import { TraceTree } from "./TraceTree.tsx";

interface Props {
  executionId: string;
  /** The run's trace id from its detail, for the Jaeger UI link before the tree is read. */
  traceId: string | null;
  /**
   * The drawer's latest answer for the run: each new one (an unfinished run is read again
   * every few seconds) reads the trace again, after it, so the tree holds what the detail says.
   */
  version: unknown;
  /** The run may still gain spans. */
  unfinished: boolean;
}

type Loaded =
  | { state: "loading" }
  | { state: "none" }
  | { state: "error"; error: ApiError }
  | { state: "ready"; trace: ExecutionTrace };

/**
 * The drawer's Trace section: the run's spans from `/v1/executions/:id/trace` as a tree, and,
 * when the operator set `RUNTRACE_JAEGER_UI_URL`, a link to the same trace in that Jaeger UI.
 */
export function RunTrace({ executionId, traceId, version, unfinished }: Props) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const jaegerUiUrl = useJaegerUiUrl();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks for a new read of the same trace
  useEffect(() => {
    const abort = new AbortController();
    getTrace(executionId, abort.signal).then(
      (trace) => setLoaded({ state: "ready", trace }),
      (e: unknown) => {
        if (abort.signal.aborted) return;
        const error = e instanceof ApiError ? e : new ApiError(0, String(e));
        // The run is stored (the drawer read it): a 404 here means none of its spans is.
        if (error.status === 404) setLoaded({ state: "none" });
        // A failed re-read keeps the tree on screen; the next one tries again.
        else
          setLoaded((previous) =>
            previous.state === "ready" ? previous : { state: "error", error },
          );
      },
    );
    return () => abort.abort();
  }, [executionId, version]);

  const shownTraceId = loaded.state === "ready" ? loaded.trace.traceId : traceId;
  return (
    <section className="drawer-section" data-testid="trace-section" data-state={loaded.state}>
      <div className="section-head">
        <h3>Trace{loaded.state === "ready" ? ` (${loaded.trace.spanCount} spans)` : ""}</h3>
        {jaegerUiUrl && shownTraceId ? (
          <a
            href={`${jaegerUiUrl}/trace/${encodeURIComponent(shownTraceId)}`}
            target="_blank"
            rel="noreferrer"
            data-testid="jaeger-link"
          >
            Open in Jaeger UI
          </a>
        ) : null}
      </div>
      {loaded.state === "loading" && (
        <div className="muted" data-testid="trace-loading">
          Loading the trace…
        </div>
      )}
      {loaded.state === "none" && (
        <div className="muted" data-testid="trace-empty">
          No spans of this run are stored yet
          {unfinished ? "; they show here as they arrive." : "."}
        </div>
      )}
      {loaded.state === "error" && (
        <div className="error-box" role="alert" data-testid="trace-error">
          {loaded.error.message}
        </div>
      )}
      {loaded.state === "ready" && <TraceTree trace={loaded.trace} />}
    </section>
  );
}

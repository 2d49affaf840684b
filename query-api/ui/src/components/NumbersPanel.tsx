import { useEffect, useState } from "react";
import { getToolNumbers } from "../api/client.ts";
import type { DurationQuantile, ErrorGroups, ExecutionNumbers, ToolNumbers } from "../api/types.ts";
import { durationText, integerText, startedText, stepText } from "../format.ts";

interface Props {
  numbers: ExecutionNumbers | null;
  loading: boolean;
  error: string | null;
  errorGroups: ErrorGroups | null;
  /** The error group the list is filtered to, if any. */
  errorGroup: string | null;
  onErrorGroup(errorGroup: string | null): void;
  /** The filter's query (the numbers' own), for the per-tool numbers read when opened. */
  params: string | null;
}

/**
 * Per tool path: calls, failures and p95, read from `/v1/executions/numbers/tools` when opened
 * (and again when the filter changes while open): as costly as the numbers themselves, and
 * not what a first look needs.
 */
function ToolsMenu({ params }: { params: string | null }) {
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<{ tools: ToolNumbers | null; error: string | null }>({
    tools: null,
    error: null,
  });
  useEffect(() => {
    if (!open || params === null) return;
    const abort = new AbortController();
    setState({ tools: null, error: null });
    getToolNumbers(new URLSearchParams(params), abort.signal).then(
      (tools) => setState({ tools, error: null }),
      (error: unknown) => {
        if (!abort.signal.aborted)
          setState({ tools: null, error: String((error as Error).message) });
      },
    );
    return () => abort.abort();
  }, [open, params]);
  const { tools, error } = state;
  return (
    <>
      <button
        type="button"
        className="numbers-tools-toggle"
        aria-expanded={open}
        data-testid="numbers-tools-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        {tools ? `${tools.toolPathCount} tools` : "Tools"} {open ? "▴" : "▾"}
      </button>
      {open && (
        <div
          className="numbers-popover"
          data-testid="numbers-tools"
          data-state={tools ? "shown" : error ? "failed" : "loading"}
        >
          {error && <p className="muted">Tool numbers unavailable: {error}</p>}
          {!tools && !error && <p className="muted">Reading every tool call of the filter…</p>}
          {tools && tools.tools.length === 0 && <p className="muted">No tool calls.</p>}
          {tools && tools.tools.length > 0 && (
            <table className="numbers-tools">
              <thead>
                <tr>
                  <th>tool</th>
                  <th>calls</th>
                  <th>failed</th>
                  <th>p95</th>
                </tr>
              </thead>
              <tbody>
                {tools.tools.map((t) => (
                  <tr key={t.toolPath} data-testid="numbers-tool" data-tool={t.toolPath}>
                    <td className="mono">{t.toolPath}</td>
                    <td>{integerText(t.calls)}</td>
                    <td className={t.failures > 0 ? "bad" : ""}>
                      {integerText(t.failures)} ({percent(t.failureRate)})
                    </td>
                    <td data-ms={t.p95?.ms ?? ""}>{t.p95 ? `≈${durationText(t.p95.ms)}` : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </>
  );
}

/** The filtered failed runs by error: one click filters the list to a group. */
function ErrorGroupsMenu({
  groups,
  current,
  onSelect,
}: {
  groups: ErrorGroups;
  current: string | null;
  onSelect(errorGroup: string | null): void;
}) {
  const [open, setOpen] = useState(false);
  if (groups.groupCount === 0 && current === null) return null;
  return (
    <>
      <button
        type="button"
        className={`numbers-errors-toggle${current ? " on" : ""}`}
        aria-expanded={open}
        data-testid="error-groups-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        {integerText(groups.groupCount)} error {groups.groupCount === 1 ? "group" : "groups"}{" "}
        {open ? "▴" : "▾"}
      </button>
      {open && (
        <div className="numbers-popover error-groups" data-testid="error-groups">
          {current && (
            <button
              type="button"
              className="error-group-clear"
              data-testid="error-group-clear"
              onClick={() => onSelect(null)}
            >
              Show every error
            </button>
          )}
          <ul>
            {groups.groups.map((g) => (
              <li key={g.errorGroup}>
                <button
                  type="button"
                  className={`error-group${g.errorGroup === current ? " current" : ""}`}
                  data-testid="error-group"
                  data-group={g.errorGroup}
                  title={g.example}
                  onClick={() => {
                    onSelect(g.errorGroup);
                    setOpen(false);
                  }}
                >
                  <span className="error-group-count" data-testid="error-group-count">
                    {integerText(g.count)}
                  </span>
                  <span className="error-group-text">
                    {g.errorType && <span className="error-group-type">{g.errorType}</span>}
                    <span className="mono">{g.pattern || "(no message)"}</span>
                  </span>
                  <span className="error-group-seen muted">
                    {startedText(g.firstSeen)} – {startedText(g.lastSeen)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {groups.groupCount > groups.groups.length && (
            <p className="muted">
              The {groups.groups.length} largest of {integerText(groups.groupCount)} groups.
            </p>
          )}
        </div>
      )}
    </>
  );
}

const percent = (rate: number | null) =>
  rate === null ? "—" : `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`;

/** A quantile as an estimate, its bucket in the tooltip. */
function Quantile({ name, q }: { name: string; q: DurationQuantile | null }) {
  const bucket = q
    ? `${name}: the bucket ${durationText(q.fromMs)}–${q.toMs === null ? "…" : durationText(q.toMs)} holds it`
    : undefined;
  return (
    <span className="number" title={bucket} data-testid={`numbers-${name}`}>
      <span className="number-label">{name}</span>
      <span className="number-value" data-ms={q?.ms ?? ""}>
        {q ? `≈${durationText(q.ms)}` : "—"}
      </span>
    </span>
  );
}

/**
 * The failure rate per bucket as a small line over the buckets from the first to the last with
 * finished runs (a 24-hour range of runs in its last hour is not a flat line with a tick at the
 * end); buckets without finished runs leave a gap, a lone bucket is a dot.
 */
function FailureLine({ series }: { series: ExecutionNumbers["failureRateSeries"] }) {
  const points = series.points;
  const filled = points.flatMap((p, i) => (p.failureRate === null ? [] : [i]));
  if (filled.length === 0 || series.bucketMs === null) return null;
  const first = filled[0]!;
  const last = filled[filled.length - 1]!;
  const width = 120;
  const height = 24;
  const x = (i: number) =>
    last === first ? width / 2 : ((i - first) / (last - first)) * (width - 4) + 2;
  const y = (rate: number) => height - 2 - rate * (height - 4);
  let d = "";
  let pen = false;
  for (let i = first; i <= last; i++) {
    const rate = points[i]!.failureRate;
    if (rate === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(rate).toFixed(1)}`;
    pen = true;
  }
  const worst = filled.reduce((w, i) =>
    (points[i]!.failureRate ?? 0) > (points[w]!.failureRate ?? 0) ? i : w,
  );
  return (
    <svg
      className="failure-line"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Failure rate per ${stepText(series.bucketMs)}, from ${startedText(points[first]!.bucketStart)}; highest ${percent(points[worst]!.failureRate)} at ${startedText(points[worst]!.bucketStart)}`}
      data-testid="failure-line"
      data-points={points.length}
    >
      <title>{`failure rate per ${stepText(series.bucketMs)}`}</title>
      <line className="baseline" x1={0} x2={width} y1={height - 2} y2={height - 2} />
      {filled.length === 1 ? (
        <circle cx={x(first)} cy={y(points[first]!.failureRate ?? 0)} r={2} />
      ) : (
        <path d={d} />
      )}
    </svg>
  );
}

/**
 * The numbers of every run the filter matches (the server's, not the loaded page's): count,
 * failure rate with its line over the range, p50/p95 duration, its error groups, and per tool its
 * calls, failures and p95 (read when opened).
 */
export function NumbersPanel({
  numbers,
  loading,
  error,
  errorGroups,
  errorGroup,
  onErrorGroup,
  params,
}: Props) {
  if (error) {
    return (
      <div className="numbers" data-testid="numbers" data-state="failed">
        <span className="muted">Numbers unavailable: {error}</span>
      </div>
    );
  }
  if (!numbers) {
    return <div className="numbers" data-testid="numbers" data-state="loading" aria-busy="true" />;
  }
  return (
    <div className="numbers" data-testid="numbers" data-state={loading ? "loading" : "shown"}>
      <span className="number" data-testid="numbers-runs">
        <span className="number-label">runs</span>
        <span className="number-value">
          {numbers.partial ? "≥ " : ""}
          {integerText(numbers.runs)}
        </span>
      </span>
      <span
        className="number"
        data-testid="numbers-failure-rate"
        title={`${integerText(numbers.failed)} failed of ${integerText(numbers.finished)} finished`}
      >
        <span className="number-label">failed</span>
        <span className={`number-value${numbers.failed > 0 ? " bad" : ""}`}>
          {percent(numbers.failureRate)}
        </span>
      </span>
      <FailureLine series={numbers.failureRateSeries} />
      <Quantile name="p50" q={numbers.duration.p50} />
      <Quantile name="p95" q={numbers.duration.p95} />
      {errorGroups && (
        <ErrorGroupsMenu groups={errorGroups} current={errorGroup} onSelect={onErrorGroup} />
      )}
      <ToolsMenu params={params} />
    </div>
  );
}

import { STATUS_LABEL } from "../format.ts";

export function StatusDot({ status, stale }: { status: string; stale?: boolean }) {
  const cls = `dot dot-${status}${stale ? " dot-stale" : ""}`;
  return <span className={cls} aria-hidden="true" />;
}

export function StatusText({ status, stale }: { status: string; stale?: boolean }) {
  return (
    <span className="status-text">
      <StatusDot status={status} stale={stale} />
      <span className={`status-label status-${status}`}>{STATUS_LABEL[status] ?? status}</span>
      {stale && (
        <span
          className="tag tag-stale"
          title="No news from this run for too long: its runtime may be gone"
        >
          stale
        </span>
      )}
    </span>
  );
}

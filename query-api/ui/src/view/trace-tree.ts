/**
 * The trace tree's pure logic: which spans show as rows (collapsed subtrees left out), at which
 * level, and where each bar sits on the trace's one time axis.
 */
import type { TraceSpan } from "../api/types.ts";

/** One row of the tree as read top to bottom: a span at its nesting level. */
export interface TraceRow {
  span: TraceSpan;
  /** 1 for a root, 2 for its children, … (`aria-level`). */
  level: number;
  /** The parent row's span id; null for a root (the API's roots include orphans). */
  parentId: string | null;
  hasChildren: boolean;
  /** Its children show (false for a collapsed span, and for one without children). */
  expanded: boolean;
  /** 1-based place among its siblings, and how many they are (`aria-posinset`, `aria-setsize`). */
  position: number;
  siblings: number;
  /** Spans below it, at any depth (what collapsing it hides). */
  descendants: number;
  /** Its service is its parent's (a narrow tree names only where the service changes). */
  parentService: boolean;
}

/**
 * The rows to show: every span depth first, children in the API's order (start order), the
 * subtrees of `collapsed` spans left out.
 */
export function visibleRows(
  roots: readonly TraceSpan[],
  collapsed: ReadonlySet<string>,
): TraceRow[] {
  const rows: TraceRow[] = [];
  const walk = (spans: readonly TraceSpan[], level: number, parent: TraceSpan | null) => {
    spans.forEach((span, i) => {
      const hasChildren = span.children.length > 0;
      const expanded = hasChildren && !collapsed.has(span.spanId);
      rows.push({
        span,
        level,
        parentId: parent?.spanId ?? null,
        hasChildren,
        expanded,
        position: i + 1,
        siblings: spans.length,
        descendants: countSpans(span.children),
        parentService: parent !== null && parent.serviceName === span.serviceName,
      });
      if (expanded) walk(span.children, level + 1, span);
    });
  };
  walk(roots, 1, null);
  return rows;
}

/** How many spans the trees hold, at any depth. */
export function countSpans(spans: readonly TraceSpan[]): number {
  let n = 0;
  for (const span of spans) n += 1 + countSpans(span.children);
  return n;
}

/** The span with this id anywhere in the trees, or null. */
export function findSpan(spans: readonly TraceSpan[], spanId: string): TraceSpan | null {
  for (const span of spans) {
    if (span.spanId === spanId) return span;
    const found = findSpan(span.children, spanId);
    if (found) return found;
  }
  return null;
}

/** The trace's time axis: its earliest start to its latest end (epoch ms). */
export interface TraceWindow {
  startMs: number;
  endMs: number;
}

/**
 * The window every span of the trace fits in, collapsed ones included, so the axis stays put
 * while subtrees open and close. At least 1 ms wide.
 */
export function traceWindow(roots: readonly TraceSpan[]): TraceWindow {
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  const walk = (spans: readonly TraceSpan[]) => {
    for (const span of spans) {
      startMs = Math.min(startMs, span.startMs);
      endMs = Math.max(endMs, span.startMs + span.durationMs);
      walk(span.children);
    }
  };
  walk(roots);
  if (!Number.isFinite(startMs)) return { startMs: 0, endMs: 1 };
  return { startMs, endMs: Math.max(endMs, startMs + 1) };
}

/** The narrowest bar, in percent of the axis: a 0 ms span still shows. */
export const MIN_BAR_PCT = 0.5;

/** A bar's place on the axis, in percent of its width: where it starts and how wide it is. */
export function barPlacement(
  span: Pick<TraceSpan, "startMs" | "durationMs">,
  window: TraceWindow,
): { leftPct: number; widthPct: number } {
  const total = window.endMs - window.startMs;
  const leftPct = Math.min(
    Math.max(0, ((span.startMs - window.startMs) / total) * 100),
    100 - MIN_BAR_PCT,
  );
  const widthPct = Math.min(Math.max(MIN_BAR_PCT, (span.durationMs / total) * 100), 100 - leftPct);
  return { leftPct, widthPct };
}

/**
 * A status code as a word: `STATUS_CODE_ERROR` (as stored), `Error` or `error` read `error`;
 * likewise `ok` and `unset`.
 */
export function statusWord(code: string): string {
  const word = code.replace(/^STATUS_CODE_/i, "").toLowerCase();
  return word === "" ? "unset" : word;
}

/** The span ended in error (its status, as OpenTelemetry sets it). */
export function isErrorStatus(code: string): boolean {
  return statusWord(code) === "error";
}

/** A span kind as a word: `SPAN_KIND_CLIENT` reads `client`. */
export function kindWord(kind: string): string {
  return kind.replace(/^SPAN_KIND_/i, "").toLowerCase() || "unspecified";
}

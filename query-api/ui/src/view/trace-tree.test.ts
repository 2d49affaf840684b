import { describe, expect, it } from "vitest";
import type { TraceSpan } from "../api/types.ts";
import {
  barPlacement,
  countSpans,
  findSpan,
  isErrorStatus,
  kindWord,
  statusWord,
  traceWindow,
  visibleRows,
} from "./trace-tree.ts";

function span(
  spanId: string,
  startMs: number,
  durationMs: number,
  children: TraceSpan[] = [],
  code = "STATUS_CODE_UNSET",
): TraceSpan {
  return {
    spanId,
    parentSpanId: null,
    name: `span ${spanId}`,
    kind: "SPAN_KIND_INTERNAL",
    serviceName: "svc",
    startTimeUnixNano: String(startMs * 1e6),
    durationNanos: String(durationMs * 1e6),
    startMs,
    durationMs,
    status: { code, message: "" },
    attributes: {},
    events: [],
    children,
  };
}

// execution (1000–2000) ─┬─ code (1010–1990) ─┬─ tool a (1100–1200)
//                        │                    └─ tool b (1300–1350, error)
//                        └─ interaction (1500–1500)
// orphan (900–950): its parent is not stored, so it is a root too.
const trace = [
  span("orphan", 900, 50),
  span("exec", 1000, 1000, [
    span("code", 1010, 980, [span("a", 1100, 100), span("b", 1300, 50, [], "STATUS_CODE_ERROR")]),
    { ...span("wait", 1500, 0), serviceName: "other" },
  ]),
];

describe("the trace tree's rows", () => {
  it("lists every span depth first, in the API's order, at its level", () => {
    const rows = visibleRows(trace, new Set());
    expect(rows.map((r) => [r.span.spanId, r.level, r.parentId])).toEqual([
      ["orphan", 1, null],
      ["exec", 1, null],
      ["code", 2, "exec"],
      ["a", 3, "code"],
      ["b", 3, "code"],
      ["wait", 2, "exec"],
    ]);
    expect(rows.map((r) => [r.position, r.siblings])).toEqual([
      [1, 2],
      [2, 2],
      [1, 2],
      [1, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(rows.map((r) => r.descendants)).toEqual([0, 4, 2, 0, 0, 0]);
    expect(rows.filter((r) => r.hasChildren).map((r) => r.span.spanId)).toEqual(["exec", "code"]);
    expect(rows.every((r) => r.expanded === r.hasChildren)).toBe(true);
    // Roots name their service; below, a span of its parent's service says so.
    expect(rows.map((r) => r.parentService)).toEqual([false, false, true, true, true, false]);
  });

  it("leaves out the subtree of a collapsed span, which stays a row, not expanded", () => {
    const rows = visibleRows(trace, new Set(["code"]));
    expect(rows.map((r) => r.span.spanId)).toEqual(["orphan", "exec", "code", "wait"]);
    const code = rows.find((r) => r.span.spanId === "code");
    expect(code?.expanded).toBe(false);
    expect(code?.hasChildren).toBe(true);
    // A collapsed leaf is just a leaf; collapsing the root hides all below it.
    expect(visibleRows(trace, new Set(["a"])).length).toBe(6);
    expect(visibleRows(trace, new Set(["exec"])).map((r) => r.span.spanId)).toEqual([
      "orphan",
      "exec",
    ]);
  });

  it("counts and finds spans at any depth", () => {
    expect(countSpans(trace)).toBe(6);
    expect(findSpan(trace, "b")?.name).toBe("span b");
    expect(findSpan(trace, "nope")).toBeNull();
  });
});

describe("the trace's time axis", () => {
  it("runs from the earliest start to the latest end, collapsed spans included", () => {
    expect(traceWindow(trace)).toEqual({ startMs: 900, endMs: 2000 });
    expect(traceWindow([span("x", 5, 0)])).toEqual({ startMs: 5, endMs: 6 });
    expect(traceWindow([])).toEqual({ startMs: 0, endMs: 1 });
  });

  it("places each bar by its start and duration on that axis", () => {
    const window = { startMs: 1000, endMs: 2000 };
    expect(barPlacement({ startMs: 1000, durationMs: 1000 }, window)).toEqual({
      leftPct: 0,
      widthPct: 100,
    });
    expect(barPlacement({ startMs: 1250, durationMs: 500 }, window)).toEqual({
      leftPct: 25,
      widthPct: 50,
    });
    // A 0 ms span is still a visible sliver, and never runs past the end.
    expect(barPlacement({ startMs: 1500, durationMs: 0 }, window)).toEqual({
      leftPct: 50,
      widthPct: 0.5,
    });
    expect(barPlacement({ startMs: 2000, durationMs: 0 }, window)).toEqual({
      leftPct: 99.5,
      widthPct: 0.5,
    });
  });
});

describe("status and kind words", () => {
  it("reads the stored codes and the short ones alike", () => {
    expect(statusWord("STATUS_CODE_ERROR")).toBe("error");
    expect(statusWord("Ok")).toBe("ok");
    expect(statusWord("")).toBe("unset");
    expect(isErrorStatus("STATUS_CODE_ERROR")).toBe(true);
    expect(isErrorStatus("error")).toBe(true);
    expect(isErrorStatus("STATUS_CODE_OK")).toBe(false);
    expect(kindWord("SPAN_KIND_CLIENT")).toBe("client");
    expect(kindWord("")).toBe("unspecified");
  });
});

import { absoluteMs, DEFAULT_RANGE, isoTime, relativeMs } from "./time.ts";

export const SORTS = ["createdAt,desc", "createdAt,asc", "durationMs,desc", "durationMs,asc"];

/**
 * Everything the page shows, as it is written in the URL: a link reproduces the view. Names
 * follow the API's own parameters (scope, status, trigger, tool, code, elicitation, from, to, sort).
 */
export interface RunsView {
  /** Empty: every scope the token may read. */
  scopes: string[];
  /** Execution ids or trace ids, exact (the API's `id`). */
  ids: string[];
  statuses: string[];
  triggers: string[];
  tools: string[];
  elicitation: "true" | "false" | null;
  /** A relative range ending now (`24h`, `all`); null when `from`/`to` are set instead. */
  range: string | null;
  from: number | null;
  to: number | null;
  code: string;
  /** Failed runs of one error group (the API's `errorGroup`, 16 hex digits). */
  errorGroup: string | null;
  /** null: newest first, the API's default. */
  sort: string | null;
  /** The timeline spans the whole range; otherwise it zooms into the runs (the default). */
  wholeRange: boolean;
  live: boolean;
  executionId: string | null;
}

export const DEFAULT_VIEW: RunsView = {
  scopes: [],
  ids: [],
  statuses: [],
  triggers: [],
  tools: [],
  elicitation: null,
  range: DEFAULT_RANGE,
  from: null,
  to: null,
  code: "",
  errorGroup: null,
  sort: null,
  wholeRange: false,
  live: false,
  executionId: null,
};

/** An error group's id as `/v1/executions/errors` gives it. */
export const ERROR_GROUP = /^[0-9a-f]{16}$/;

function list(value: string | null): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export function parseView(search: string): RunsView {
  const q = new URLSearchParams(search);
  const from = absoluteMs(q.get("from") ?? "") ?? null;
  const to = absoluteMs(q.get("to") ?? "") ?? null;
  const rangeText = q.get("range");
  let range: string | null =
    rangeText !== null && relativeMs(rangeText) !== undefined ? rangeText : null;
  if (range === null && from === null && to === null) range = DEFAULT_RANGE;
  const elicitation = q.get("elicitation");
  const sort = q.get("sort");
  return {
    scopes: list(q.get("scope")),
    ids: list(q.get("id")),
    statuses: list(q.get("status")),
    triggers: list(q.get("trigger")),
    tools: list(q.get("tool")),
    elicitation: elicitation === "true" || elicitation === "false" ? elicitation : null,
    range,
    from: range === null ? from : null,
    to: range === null ? to : null,
    code: q.get("code") ?? "",
    errorGroup: ERROR_GROUP.test(q.get("errorGroup") ?? "") ? q.get("errorGroup") : null,
    sort: sort && SORTS.includes(sort) && sort !== "createdAt,desc" ? sort : null,
    wholeRange: q.get("chart") === "range",
    live: q.get("live") === "1",
    executionId: q.get("executionId") || null,
  };
}

/** The URL query for a view; defaults are left out so links stay short. */
export function viewSearch(view: RunsView): string {
  const q = new URLSearchParams();
  if (view.scopes.length) q.set("scope", view.scopes.join(","));
  if (view.ids.length) q.set("id", view.ids.join(","));
  if (view.statuses.length) q.set("status", view.statuses.join(","));
  if (view.triggers.length) q.set("trigger", view.triggers.join(","));
  if (view.tools.length) q.set("tool", view.tools.join(","));
  if (view.elicitation) q.set("elicitation", view.elicitation);
  if (view.range !== null && view.range !== DEFAULT_RANGE) q.set("range", view.range);
  if (view.range === null) {
    if (view.from !== null) q.set("from", isoTime(view.from));
    if (view.to !== null) q.set("to", isoTime(view.to));
  }
  if (view.code) q.set("code", view.code);
  if (view.errorGroup) q.set("errorGroup", view.errorGroup);
  if (view.sort) q.set("sort", view.sort);
  if (view.wholeRange) q.set("chart", "range");
  if (view.live) q.set("live", "1");
  if (view.executionId) q.set("executionId", view.executionId);
  const text = q.toString().replaceAll("%2C", ",").replaceAll("%3A", ":");
  return text ? `?${text}` : "";
}

/** The part of the view that selects runs: a change here reloads the list. */
export function filterKey(view: RunsView): string {
  return JSON.stringify([
    view.scopes,
    view.ids,
    view.statuses,
    view.triggers,
    view.tools,
    view.elicitation,
    view.range,
    view.from,
    view.to,
    view.code,
    view.errorGroup,
    view.sort,
    view.wholeRange,
  ]);
}

export function hasFilters(view: RunsView): boolean {
  return (
    view.scopes.length > 0 ||
    view.ids.length > 0 ||
    view.statuses.length > 0 ||
    view.triggers.length > 0 ||
    view.tools.length > 0 ||
    view.elicitation !== null ||
    view.code !== "" ||
    view.errorGroup !== null ||
    view.range !== DEFAULT_RANGE
  );
}

/** `/v1/executions` parameters for the view; relative ranges end at `nowMs`. */
export function listParams(view: RunsView, nowMs: number): URLSearchParams {
  const q = new URLSearchParams();
  if (view.scopes.length) q.set("scope", view.scopes.join(","));
  if (view.ids.length) q.set("id", view.ids.join(","));
  if (view.statuses.length) q.set("status", view.statuses.join(","));
  if (view.triggers.length) q.set("trigger", view.triggers.join(","));
  if (view.tools.length) q.set("tool", view.tools.join(","));
  if (view.elicitation) q.set("elicitation", view.elicitation);
  if (view.range !== null) {
    const span = relativeMs(view.range);
    if (span) q.set("from", String(nowMs - span));
  } else {
    if (view.from !== null) q.set("from", String(view.from));
    if (view.to !== null) q.set("to", String(view.to));
  }
  if (view.code.trim()) q.set("code", view.code.trim());
  if (view.errorGroup) q.set("errorGroup", view.errorGroup);
  if (view.sort) q.set("sort", view.sort);
  q.set("chart", view.wholeRange ? "range" : "runs");
  q.set("limit", "50");
  return q;
}

/** The list's filters as the whole-filter routes take them: no sort, page size or chart. */
export function filterParams(view: RunsView, nowMs: number): URLSearchParams {
  const q = listParams(view, nowMs);
  for (const listOnly of ["sort", "limit", "chart"]) q.delete(listOnly);
  return q;
}

/** A first page's two requests: the rows alone and the counts alone (asked side by side). */
export function firstPageParams(
  view: RunsView,
  nowMs: number,
): { params: URLSearchParams; page: URLSearchParams; counts: URLSearchParams } {
  const params = listParams(view, nowMs);
  const page = new URLSearchParams(params);
  page.set("meta", "false");
  const counts = new URLSearchParams(params);
  counts.set("meta", "only");
  return { params, page, counts };
}

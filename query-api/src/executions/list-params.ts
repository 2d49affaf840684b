import { EXECUTION_STATUS_WORDS, executionStatusOf } from "@runtrace/semconv";
import { ListQuery } from "../contract/index.ts";
import { badParameter } from "../http/errors.ts";
import { parseQuery } from "../http/params.ts";
import { type Cursor, decodeCursor, parseSort, type Sort } from "./cursor.ts";
import { type LivePosition, parseLivePosition } from "./live-cursor.ts";

/** The trigger filter value that stands for "no trigger recorded". */
export const TRIGGER_UNKNOWN = "unknown";

/** What `GET /v1/executions` was asked, validated. */
export interface ListRequest {
  filter: ExecutionFilter;
  sort: Sort;
  limit: number;
  cursor?: Cursor;
  /** Live mode: the runs that first arrived after this position, in arrival order. */
  after?: LivePosition;
  /** Live mode: the runs that changed after this position, in order of change. */
  updatedSince?: LivePosition;
  meta: boolean;
  /** `meta=only`: the counts alone, no page (the page is asked for on its own, `meta=false`). */
  metaOnly: boolean;
  /** `id=`: execution ids or trace ids, exact (resolved to `filter.ids` before reading). */
  idValues?: string[];
  /**
   * The timeline's window: `range` (the request's from–to) or `runs` (zoomed to the filtered
   * runs when they fill less than half of it).
   */
  chart: "range" | "runs";
}

/** What an `id=` search found: the runs' ids and the span of their start times (ms). */
export interface IdSearch {
  executionIds: string[];
  fromMs: number;
  toMs: number;
}

/** The filters that facets count with or without. */
export interface ExecutionFilter {
  scopes?: string[];
  /** Runs named by `id=` (execution or trace ids), once resolved (`find-ids.ts`). */
  ids?: IdSearch;
  statuses?: string[];
  /** Trigger kinds as stored: "" for "unknown". */
  triggers?: string[];
  /** Exact tool paths and `namespace.` prefixes (from `namespace.*`). */
  tools?: { exact: string[]; prefixes: string[] };
  fromMs?: number;
  toMs?: number;
  code?: string;
  elicitation?: boolean;
  /** `errorGroup=`: the group's hash as a decimal UInt64. */
  errorGroup?: string;
}

const TOOL_PATH = /^[A-Za-z0-9_:$@/-]+(\.[A-Za-z0-9_:$@/-]+)*(\.\*)?$/;

export function parseListRequest(query: Record<string, string>): ListRequest {
  const q = parseQuery(ListQuery, query);
  // The filter bar's words too: `ok`, `error`, `waiting`, … (any case).
  const statuses = q.status?.map((s) => {
    const status = executionStatusOf(s);
    if (!status) throw badParameter("status", `"${s}" is not one of ${EXECUTION_STATUS_WORDS}`);
    return status;
  });
  let tools: ExecutionFilter["tools"];
  if (q.tool && q.tool.length > 0) {
    tools = { exact: [], prefixes: [] };
    for (const t of q.tool) {
      if (!TOOL_PATH.test(t))
        throw badParameter("tool", `"${t}" is not a tool path or namespace.*`);
      if (t.endsWith(".*")) tools.prefixes.push(t.slice(0, -2));
      // A bare namespace (`github`, no dot) reads as `github.*`: it and everything under it.
      else if (!t.includes(".")) tools.prefixes.push(t);
      else tools.exact.push(t);
    }
  }
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw badParameter("from", "must not be after to");
  }
  let sort: Sort = { field: "createdAt", direction: "desc" };
  if (q.sort !== undefined) {
    const parsed = parseSort(q.sort);
    if (!parsed) {
      throw badParameter(
        "sort",
        "expected createdAt,desc | createdAt,asc | durationMs,desc | durationMs,asc",
      );
    }
    sort = parsed;
  }
  const cursor = q.cursor !== undefined ? decodeCursor(q.cursor, "cursor") : undefined;
  if (cursor && (cursor.sort.field !== sort.field || cursor.sort.direction !== sort.direction)) {
    throw badParameter("cursor", `was made for sort=${cursor.sort.field},${cursor.sort.direction}`);
  }
  for (const live of ["after", "updatedSince"] as const) {
    if (q[live] === undefined) continue;
    if (q.cursor !== undefined) throw badParameter(live, "cannot be combined with cursor");
    // Live mode is in arrival order; a sort other than the list's default is a mistake.
    if (q.sort !== undefined && (sort.field !== "createdAt" || sort.direction !== "desc")) {
      throw badParameter("sort", `does not apply to ${live} (live mode is in arrival order)`);
    }
  }
  if (q.after !== undefined && q.updatedSince !== undefined) {
    throw badParameter("updatedSince", "cannot be combined with after (poll each on its own)");
  }
  const after = q.after === undefined ? undefined : parseLivePosition(q.after, "after");
  const updatedSince =
    q.updatedSince === undefined ? undefined : parseLivePosition(q.updatedSince, "updatedSince");
  const code = q.code?.trim();
  return {
    filter: {
      scopes: q.scope,
      statuses: statuses && statuses.length > 0 ? [...new Set(statuses)] : undefined,
      triggers:
        q.trigger && q.trigger.length > 0
          ? q.trigger.map((t) => (t === TRIGGER_UNKNOWN ? "" : t))
          : undefined,
      tools,
      fromMs: q.from,
      toMs: q.to,
      code: code ? code : undefined,
      elicitation: q.elicitation === undefined ? undefined : q.elicitation === "true",
      errorGroup: q.errorGroup === undefined ? undefined : BigInt(`0x${q.errorGroup}`).toString(),
    },
    sort,
    limit: q.limit ?? 50,
    cursor,
    after,
    updatedSince,
    meta: q.meta !== "false" && cursor === undefined && after === undefined && !updatedSince,
    metaOnly: q.meta === "only",
    chart: q.chart ?? "range",
    ...(q.id && q.id.length > 0 ? { idValues: q.id } : {}),
  };
}

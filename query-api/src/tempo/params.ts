import { parseGoDuration } from "../jaeger/go-duration.ts";
import { parseTraceId, type SpanPredicate, type TraceQuery } from "../traces/index.ts";
import { badParam, tempoError } from "./errors.ts";
import { isTraceIdQuery, parseTraceQl, TraceQlError } from "./traceql.ts";

const SECOND = 1_000_000_000n;
/** Without `start`/`end`, searches and autocomplete look at the last 24 hours. */
export const DEFAULT_LOOKBACK_NS = 24n * 3_600n * SECOND;
const INT64_MAX = 2n ** 63n - 1n;

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 1_000;
export const DEFAULT_SPANS_PER_SET = 3;
export const MAX_SPANS_PER_SET = 100;
/** Grafana asks for 5000 tags or values; more would only make one answer enormous. */
export const DEFAULT_TAG_LIMIT = 1_000;
export const MAX_TAG_LIMIT = 10_000;

type Query = Record<string, string>;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

function seconds(query: Query, name: string): bigint | undefined {
  const text = query[name];
  if (text === undefined || text === "") return undefined;
  if (!/^\d{1,11}$/.test(text)) throw badParam(name, `"${text}" is not Unix seconds`);
  return BigInt(text) * SECOND;
}

/**
 * `start`/`end` in Unix seconds as a window on span starts; `end` covers its whole second.
 * Both 0 (Grafana's "no range") or absent: the last 24 hours.
 */
export function timeWindow(query: Query): { startMinNs: bigint; startMaxNs: bigint } {
  let start = seconds(query, "start");
  let end = seconds(query, "end");
  if (start === 0n && end === 0n) start = end = undefined;
  if (start !== undefined && end !== undefined && end < start) {
    throw badParam("end", "must not be before start");
  }
  const startMaxNs = end === undefined ? nowNs() : end + SECOND - 1n;
  return { startMinNs: start ?? startMaxNs - DEFAULT_LOOKBACK_NS, startMaxNs };
}

/** A positive whole number, `fallback` when absent, capped at `max`. */
function count(query: Query, name: string, fallback: number, max: number): number {
  const text = query[name];
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text) || Number(text) === 0) {
    throw badParam(name, `"${text}" is not a positive integer`);
  }
  return Math.min(Number(text), max);
}

/** The hex trace id of a path, in the stored form; Grafana sends hex only. */
export function traceIdParam(text: string): string {
  const id = /^[0-9A-Fa-f]{1,32}$/.test(text) ? parseTraceId(text) : undefined;
  if (id === undefined) {
    throw tempoError(400, `invalid trace id "${text}": expected 1 to 32 hex digits, not all zero`);
  }
  return id;
}

/** `start`/`end` of a trace-by-id request: checked; the id lookup bounds the read already. */
export function checkTraceTimes(query: Query): void {
  timeWindow(query);
}

function traceQl(text: string, parameter: string): SpanPredicate[] {
  try {
    return parseTraceQl(text);
  } catch (error) {
    if (error instanceof TraceQlError) throw badParam(parameter, error.message);
    throw error;
  }
}

const LOGFMT_PAIR = /\s*([^\s="]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))/y;

/** Tempo's `tags` parameter: logfmt `key=value key2="a value"`. */
function logfmt(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  LOGFMT_PAIR.lastIndex = 0;
  while (LOGFMT_PAIR.lastIndex < text.trimEnd().length) {
    const m = LOGFMT_PAIR.exec(text);
    if (!m) throw badParam("tags", `expected logfmt such as service.name=svc key="a value"`);
    const [, key = "", quoted, bare = ""] = m;
    if (pairs.has(key)) throw badParam("tags", `"${key}" is given twice`);
    pairs.set(key, quoted === undefined ? bare : quoted.replace(/\\(.)/g, "$1"));
  }
  return pairs;
}

function goDuration(query: Query, name: string): bigint | undefined {
  const text = query[name];
  if (text === undefined || text === "") return undefined;
  const ns = parseGoDuration(text);
  if (ns === undefined) throw badParam(name, `"${text}" is not a duration such as 100ms or 1m30s`);
  return ns;
}

const traceDuration = (op: ">=" | "<=", nanos: bigint): SpanPredicate => ({
  field: { kind: "intrinsic", name: "traceDuration" },
  op,
  value: { type: "duration", nanos },
});

/** The legacy tag search: exact values (as stored text) and trace duration bounds. */
function tagSearch(
  query: Query,
): Pick<TraceQuery, "serviceName" | "spanName" | "attributes" | "predicates"> {
  const attributes = logfmt(query.tags ?? "");
  const serviceName = attributes.get("service.name");
  const spanName = attributes.get("name");
  attributes.delete("service.name");
  attributes.delete("name");
  const min = goDuration(query, "minDuration");
  const max = goDuration(query, "maxDuration");
  if (min !== undefined && max !== undefined && max < min) {
    throw badParam("maxDuration", "must not be less than minDuration");
  }
  const predicates: SpanPredicate[] = [];
  if (min !== undefined) predicates.push(traceDuration(">=", min));
  if (max !== undefined) predicates.push(traceDuration("<=", max));
  return { serviceName, spanName, attributes, predicates };
}

export interface TempoSearch {
  query: TraceQuery;
  spansPerSet: number;
}

/**
 * `GET /api/search`: `q` (TraceQL) or the legacy `tags`/`minDuration`/`maxDuration`, `limit`
 * (default 20), `spss` (spans per spanset, default 3), `start`/`end` (Unix seconds). A `q` of
 * hex digits only is a trace id, as Grafana reads it: that trace, in any time range.
 */
export function parseSearch(query: Query): TempoSearch {
  const q = query.q?.trim() ?? "";
  if (q !== "" && (query.tags ?? "") !== "") {
    throw tempoError(400, "invalid parameters: tags and q cannot be given together");
  }
  const limit = count(query, "limit", DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
  const spansPerSet = count(query, "spss", DEFAULT_SPANS_PER_SET, MAX_SPANS_PER_SET);
  const window = timeWindow(query);
  if (isTraceIdQuery(q)) {
    const traceIds = [traceIdParam(q)];
    return {
      query: { attributes: new Map(), startMinNs: 0n, startMaxNs: INT64_MAX, traceIds, limit },
      spansPerSet,
    };
  }
  const filters =
    q === "" ? tagSearch(query) : { attributes: new Map(), predicates: traceQl(q, "q") };
  return { query: { ...filters, ...window, limit }, spansPerSet };
}

export type TagScope = "resource" | "span" | "intrinsic";

/** `scope` of the tag list: empty (or Tempo's `none`/`all`) is every scope. */
export function parseTagScopes(text: string | undefined): TagScope[] {
  if (text === undefined || text === "" || text === "none" || text === "all") {
    return ["resource", "span", "intrinsic"];
  }
  if (text === "resource" || text === "span" || text === "intrinsic") return [text];
  throw badParam("scope", `"${text}" is not one of resource, span, intrinsic`);
}

/**
 * The spans autocomplete reads: `start`/`end` (default the last 24 hours), `limit` (default
 * 1000), and `q`, the editor's current query. Like Tempo, a `q` that does not parse (the user
 * is still typing it) filters nothing rather than failing.
 */
export function parseTagQuery(query: Query): TraceQuery {
  let predicates: SpanPredicate[] = [];
  try {
    predicates = parseTraceQl(query.q ?? "");
  } catch {
    predicates = [];
  }
  return {
    attributes: new Map(),
    predicates,
    ...timeWindow(query),
    limit: count(query, "limit", DEFAULT_TAG_LIMIT, MAX_TAG_LIMIT),
  };
}

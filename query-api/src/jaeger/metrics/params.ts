import { SPAN_KINDS, type SpanKind } from "../../traces/index.ts";
import { badParam } from "../envelope.ts";
import { type TimeGrid, timeGrid } from "./grid.ts";
import { parseFloat64, parseGoBool, parseInt64, StrconvError } from "./strconv.ts";

/**
 * The parameters of `/api/metrics/{latencies,calls,errors}`, read as Jaeger's query service
 * reads them (`parseMetricsQueryParams`): same names, defaults, check order and messages.
 */

/** Jaeger's defaults: the last hour in 5 s steps; `ratePer` 10 minutes. */
export const DEFAULT_LOOKBACK_MS = 3_600_000;
export const DEFAULT_STEP_MS = 5_000;

/** Prometheus refuses range queries with more points per series than this; so do we. */
export const MAX_POINTS = 11_000;

/** 9999-12-31T23:59:59.999Z: the last instant a protobuf Timestamp can hold. */
const MAX_END_MS = 253_402_300_799_999;

export interface MetricsQuery {
  /** OR'ed; `?service=` counts as the service named "". */
  services: string[];
  groupByOperation: boolean;
  spanKinds: SpanKind[];
  grid: TimeGrid;
}

type Queries = Record<string, string[]>;

/** Go's `r.URL.Query().Get`: the first value, "" when absent. */
const first = (queries: Queries, name: string) => queries[name]?.[0] ?? "";

function parsed<T>(name: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof StrconvError) throw badParam(name, error.message);
    throw error;
  }
}

/** An integer parameter in ms; empty or absent gives the default. */
function millis(queries: Queries, name: string, fallback: number): number {
  const text = first(queries, name);
  return text === "" ? fallback : parsed(name, text, parseInt64);
}

/**
 * Jaeger ≥ 2 compares span kinds case-insensitively (1.x took lower case only); OTLP's own
 * spelling `SPAN_KIND_SERVER` is refused by both.
 */
const SPAN_KIND_NAMES: ReadonlySet<string> = new Set<string>(SPAN_KINDS);

function spanKinds(queries: Queries): SpanKind[] {
  // Only an absent key means the default: `?spanKind=` is a kind named "", refused.
  const values = queries.spanKind;
  if (values === undefined) return ["server"];
  const kinds = new Set<SpanKind>();
  for (const value of values) {
    const kind = value.toLowerCase();
    if (!SPAN_KIND_NAMES.has(kind)) {
      throw badParam("spanKind", `unsupported span kind: '${value}'`);
    }
    kinds.add(kind as SpanKind);
  }
  return [...kinds];
}

/**
 * `quantile`, required by `/latencies` and read before anything else, as Jaeger does. Jaeger
 * leaves the range to its backend; ClickHouse refuses a level outside [0, 1] with a 500, so
 * that is a 400 here.
 */
export function parseQuantile(queries: Queries): number {
  const text = first(queries, "quantile");
  const quantile = parsed("quantile", text, parseFloat64);
  if (!(quantile >= 0 && quantile <= 1)) {
    throw badParam("quantile", `${text} is not between 0 and 1`);
  }
  return quantile;
}

export function parseMetricsQuery(queries: Queries, nowMs = Date.now()): MetricsQuery {
  const services = queries.service;
  if (services === undefined) {
    throw badParam("service", "please provide at least one service name");
  }
  const groupBy = first(queries, "groupByOperation");
  const groupByOperation =
    groupBy === "" ? false : parsed("groupByOperation", groupBy, parseGoBool);
  const kinds = spanKinds(queries);
  const endMs = millis(queries, "endTs", nowMs);
  const lookbackMs = millis(queries, "lookback", DEFAULT_LOOKBACK_MS);
  const stepMs = millis(queries, "step", DEFAULT_STEP_MS);
  // Parsed for its 400 only: each point is its own bucket's rate (as Jaeger's ClickHouse
  // reader computes it), not a rate over a trailing `ratePer` window as Prometheus's is.
  millis(queries, "ratePer", 0);

  // Jaeger passes these on unchecked and leaves the backend to fail; here they are 400s.
  if (endMs < 0 || endMs > MAX_END_MS) {
    const text = first(queries, "endTs");
    throw badParam("endTs", `${text} is not between 0 and ${MAX_END_MS} (Unix milliseconds)`);
  }
  if (lookbackMs < 0 || lookbackMs > MAX_END_MS) {
    const text = first(queries, "lookback");
    throw badParam("lookback", `${text} is not between 0 and ${MAX_END_MS} (milliseconds)`);
  }
  if (stepMs < 1 || stepMs > MAX_END_MS) {
    const text = first(queries, "step");
    throw badParam("step", `${text} is not between 1 and ${MAX_END_MS} (milliseconds)`);
  }
  const grid = timeGrid(endMs, lookbackMs, stepMs);
  if (grid.count > MAX_POINTS) {
    throw badParam(
      "step",
      `a lookback of ${lookbackMs} ms in steps of ${stepMs} ms is ${grid.count} points, more than ${MAX_POINTS}; raise step or shorten lookback`,
    );
  }
  return { services: [...new Set(services)], groupByOperation, spanKinds: kinds, grid };
}

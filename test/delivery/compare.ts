import { isDeepStrictEqual } from "node:util";
import { EXECUTION_STATUSES, TRIGGER_UNKNOWN } from "@runtrace/semconv";
import type { SeededRandom } from "@runtrace/testkit/random";
import {
  type ExpectedRun,
  expectedDetail,
  expectedErrorGroups,
  expectedJaeger,
  expectedList,
  expectedMeta,
  expectedNumbers,
  expectedRow,
  expectedTree,
  filterQuery,
  type JaegerSpanShape,
  type ListFilter,
  type Model,
  SORTS,
  type TreeNode,
} from "./expected.ts";
import { CODE_WORDS, type SeedRuns, TOOL_PATHS } from "./runs.ts";

/**
 * Reads every answer the API gives about one seed and compares it with the oracle, collecting
 * differences (not stopping at the first) so that a failure reports what kind of thing is wrong
 * and how often, with the first few cases spelled out.
 */

// biome-ignore lint/suspicious/noExplicitAny: API answers are JSON read field by field.
type Json = any;

export interface Diff {
  /** What kind of value differs, e.g. `row.toolCallCount` or `meta.toolFacets`. */
  kind: string;
  /** Which request and which run or filter. */
  what: string;
  expected: unknown;
  actual: unknown;
}

const show = (value: unknown, max = 500): string => {
  const text =
    value === undefined
      ? "undefined"
      : JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v));
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `actual` with only the keys `expected` has (one level down, and in lists of objects). */
function project(expected: unknown, actual: unknown): unknown {
  const one = (e: unknown, a: unknown) =>
    isRecord(e) && isRecord(a) ? Object.fromEntries(Object.keys(e).map((k) => [k, a[k]])) : a;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return actual.map((a, i) => one(expected[i], a));
  }
  return one(expected, actual);
}

export class Diffs {
  readonly items: Diff[] = [];

  constructor(readonly seed: number) {}

  add(kind: string, what: string, expected: unknown, actual: unknown): void {
    this.items.push({ kind, what, expected, actual });
  }

  /** Records a difference when the values are not deeply equal; true when they are. */
  check(kind: string, what: string, expected: unknown, actual: unknown): boolean {
    if (isDeepStrictEqual(expected, actual)) return true;
    this.add(kind, what, expected, actual);
    return false;
  }

  /**
   * Compares the expected object's fields one by one (`kind.field`). Fields the answer has
   * beyond the expected ones are not compared (e.g. `payloadTruncated`), also in the objects of
   * a field that is a list of objects; values below that level are compared whole.
   */
  fields(kind: string, what: string, expected: object, actual: Json): void {
    if (actual === null || typeof actual !== "object") {
      this.add(kind, what, expected, actual);
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      this.check(`${kind}.${key}`, what, value, project(value, actual[key]));
    }
  }

  /** Compares two id lists, reporting what is missing, extra, and where the order first differs. */
  sequence(kind: string, what: string, expected: string[], actual: string[]): boolean {
    if (isDeepStrictEqual(expected, actual)) return true;
    const got = new Set(actual);
    const want = new Set(expected);
    const at = expected.findIndex((id, i) => actual[i] !== id);
    this.add(kind, what, expected, {
      count: `${actual.length} (expected ${expected.length})`,
      missing: expected.filter((id) => !got.has(id)),
      extra: actual.filter((id) => !want.has(id)),
      repeated: actual.filter((id, i) => actual.indexOf(id) !== i),
      firstDifferenceAt: at === -1 ? expected.length : at,
      ...(at === -1
        ? {}
        : { expectedThere: expected.slice(at, at + 3), actualThere: actual.slice(at, at + 3) }),
    });
    return false;
  }

  kinds(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const d of this.items) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
    return new Map([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  }

  format(maxShown = 8, replay?: string): string {
    const lines = [
      `seed ${this.seed}: ${this.items.length} difference(s) between the API and the oracle`,
      ...(replay ? [`replay: ${replay}`] : []),
      "by kind:",
      ...[...this.kinds()].map(([kind, n]) => `  ${String(n).padStart(4)}  ${kind}`),
      `first ${Math.min(maxShown, this.items.length)}:`,
    ];
    const shown = new Set<string>();
    // One example of each kind first, then the rest in order.
    const order = [
      ...this.items.filter((d) => !shown.has(d.kind) && shown.add(d.kind)),
      ...this.items,
    ];
    for (const d of [...new Set(order)].slice(0, maxShown)) {
      lines.push(`- [${d.kind}] ${d.what}`);
      lines.push(`    expected: ${show(d.expected)}`);
      lines.push(`    actual:   ${show(d.actual)}`);
    }
    return lines.join("\n");
  }
}

/** The route of a request, for the timings: list pages, first pages with meta, detail routes. */
function routeOf(path: string): string {
  if (path.startsWith("/api/traces/")) return "/api/traces/:id";
  if (path.startsWith("/v1/executions/"))
    return path.replace(/^\/v1\/executions\/[^/?]+/, "/v1/executions/:id");
  if (path.includes("cursor=")) return "/v1/executions (next page)";
  if (path.includes("meta=false")) return "/v1/executions (first page)";
  return "/v1/executions (with meta)";
}

export class Api {
  requests = 0;
  /** Milliseconds spent per kind of request (for the timing report). */
  readonly timings = new Map<string, { n: number; ms: number }>();
  constructor(readonly url: string) {}

  async get(path: string): Promise<{ status: number; body: Json }> {
    this.requests += 1;
    const started = performance.now();
    const res = await fetch(`${this.url}${path}`);
    const text = await res.text();
    const t = this.timings.get(routeOf(path)) ?? { n: 0, ms: 0 };
    t.n += 1;
    t.ms += performance.now() - started;
    this.timings.set(routeOf(path), t);
    let body: Json;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

/** Every page of a sort, following `nextCursor`, with a small limit. */
async function pages(
  api: Api,
  query: string,
  limit: number,
  maxPages: number,
): Promise<{ rows: Json[]; error?: string }> {
  const rows: Json[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { status, body } = await api.get(
      `/v1/executions?${query}&limit=${limit}&meta=false${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (status !== 200) return { rows, error: `page ${page}: HTTP ${status} ${show(body, 300)}` };
    rows.push(...body.executions);
    cursor = body.nextCursor;
    if (!cursor) return { rows };
  }
  return { rows, error: `still a nextCursor after ${maxPages} pages` };
}

/** All four sorts, paged to the end; the rows of the first one field by field. */
export async function checkLists(api: Api, model: Model, runs: SeedRuns, diffs: Diffs) {
  const filter: ListFilter = { scopes: runs.scopes };
  for (const sort of SORTS) {
    const expected = expectedList(model, filter, sort);
    const query = `${filterQuery(filter)}&sort=${encodeURIComponent(sort)}`;
    const { rows, error } = await pages(api, query, 7, Math.ceil(expected.length / 7) + 3);
    if (error) diffs.add("list.http", `GET /v1/executions sort=${sort}`, "200 to the end", error);
    diffs.sequence(`list.order`, `sort=${sort}, limit=7, all pages`, ids(expected), ids(rows));
    // Every sort reads the same rows: their fields are compared on every one.
    for (const run of expected) {
      const mine = rows.filter((r) => r.id === run.id);
      if (mine.length > 1) {
        // One run listed twice (e.g. its final row beside a stale snapshot): reported once,
        // and the fields compared on the row with the right status.
        diffs.add(
          "list.runListedTwice",
          `sort=${sort}: list row ${describe(run)}`,
          [{ status: run.status, updatedAt: run.updatedAt }],
          mine.map((r) => ({ status: r.status, updatedAt: r.updatedAt })),
        );
      }
      const row = mine.find((r) => r.status === run.status) ?? mine[0];
      if (row)
        diffs.fields("row", `sort=${sort}: list row ${describe(run)}`, expectedRow(run), row);
    }
  }
}

/**
 * Live mode from the beginning (`after=0`, `updatedSince=0`), paged with a small limit: every
 * run once in each, as its final row. Other seeds may still be writing (their inserts hold the
 * arrival boundary back), so a follower polls on from its cursor until it has them all.
 */
export async function checkLive(api: Api, model: Model, runs: SeedRuns, diffs: Diffs) {
  const filter: ListFilter = { scopes: runs.scopes };
  const expected = expectedList(model, filter, "createdAt,desc");
  for (const parameter of ["after", "updatedSince"] as const) {
    const rows: Json[] = [];
    let cursor = "0";
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { status, body } = await api.get(
        `/v1/executions?${filterQuery(filter)}&limit=7&${parameter}=${encodeURIComponent(cursor)}`,
      );
      if (status !== 200) {
        diffs.add("live.http", `GET /v1/executions ${parameter}`, 200, show(body, 300));
        break;
      }
      rows.push(...body.executions);
      cursor = body.nextCursor;
      if (body.hasMore) continue;
      if (new Set(ids(rows)).size >= expected.length || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seen = ids(rows);
    diffs.check(
      "live.once",
      `${parameter}=0: runs returned more than once`,
      [],
      seen.filter((id, i) => seen.indexOf(id) !== i),
    );
    diffs.check(
      "live.runs",
      `${parameter}=0: the runs returned`,
      ids(expected).sort(),
      [...new Set(seen)].sort(),
    );
    for (const run of expected) {
      const row = rows.find((r) => r.id === run.id);
      if (row) diffs.fields("live.row", `${parameter}=0: ${describe(run)}`, expectedRow(run), row);
    }
  }
}

export function describe(run: ExpectedRun): string {
  return `${run.id} (${run.status}, ${run.toolCallCount} calls)`;
}

/** The first page and meta of one filter. */
export async function checkFilter(
  api: Api,
  model: Model,
  filter: ListFilter,
  label: string,
  diffs: Diffs,
): Promise<void> {
  const what = `${label}: ?${decodeURIComponent(filterQuery(filter))}`;
  // Sorted by duration: a page by start time is probed window by window (more statements).
  const { status, body } = await api.get(
    `/v1/executions?${filterQuery(filter)}&limit=200&sort=${encodeURIComponent("durationMs,desc")}`,
  );
  if (status !== 200) {
    diffs.add("meta.http", what, 200, `${status} ${show(body, 300)}`);
    return;
  }
  diffs.sequence(
    "filter.ids",
    what,
    ids(expectedList(model, filter, "durationMs,desc")),
    ids(body.executions),
  );
  const want = expectedMeta(model, filter);
  const m = body.meta ?? {};
  diffs.check("meta.totalRowCount", what, want.totalRowCount, m.totalRowCount);
  diffs.check("meta.filterRowCount", what, want.filterRowCount, m.filterRowCount);
  diffs.check("meta.statusCounts", what, want.statusCounts, m.statusCounts);
  const triggers: Record<string, number> = {};
  for (const t of (m.triggerCounts ?? []) as { triggerKind: string | null; count: number }[]) {
    if (t.count !== 0) triggers[t.triggerKind ?? TRIGGER_UNKNOWN] = t.count;
  }
  diffs.check("meta.triggerCounts", what, want.triggerCounts, triggers);
  diffs.check("meta.interactionCounts", what, want.interactionCounts, m.interactionCounts);
  if (!isDeepStrictEqual(want.toolFacets, m.toolFacets)) {
    const actual = (m.toolFacets ?? []) as Json[];
    const byPath = new Map(actual.map((f) => [f.toolPath, f]));
    diffs.add("meta.toolFacets", what, want.toolFacets, {
      paths: `${actual.length} (expected ${want.toolFacets.length})`,
      differing: want.toolFacets
        .filter((f) => !isDeepStrictEqual(f, byPath.get(f.toolPath)))
        .slice(0, 4)
        .map((f) => ({ expected: f, actual: byPath.get(f.toolPath) ?? null })),
      extra: actual.filter((f) => !want.toolFacets.some((w) => w.toolPath === f.toolPath)),
      orderMatches: isDeepStrictEqual(
        want.toolFacets.map((f) => f.toolPath),
        actual.map((f) => f.toolPath),
      ),
    });
  }
  if (want.chart) {
    diffs.check("meta.chartBucketMs", what, want.chart.chartBucketMs, m.chartBucketMs);
    const actual = (m.chartData ?? []) as Json[];
    const expected = want.chart.chartData;
    if (!isDeepStrictEqual(expected, actual)) {
      const at = expected.findIndex((b, i) => !isDeepStrictEqual(b, actual[i]));
      diffs.add("meta.chartData", what, expected[at] ?? expected.length, {
        buckets: `${actual.length} (expected ${expected.length})`,
        firstDifferenceAt: at,
        actual: actual[at] ?? null,
      });
    }
  } else {
    // No range to check against (nothing matches and no bounds): only the sums must be zero.
    const total = ((m.chartData ?? []) as Json[]).reduce(
      (n, b) => n + Object.values(b.counts as Record<string, number>).reduce((x, y) => x + y, 0),
      0,
    );
    diffs.check("meta.chartData", what, 0, total);
  }
  await checkNumbers(api, model, filter, what, diffs);
  await checkErrorGroups(api, model, filter, what, diffs);
}

/** `/v1/executions/errors` of one filter against the oracle (every group, when at most 20). */
async function checkErrorGroups(
  api: Api,
  model: Model,
  filter: ListFilter,
  what: string,
  diffs: Diffs,
): Promise<void> {
  const { status, body } = await api.get(`/v1/executions/errors?${filterQuery(filter)}`);
  if (status !== 200) {
    diffs.add("errors.http", what, 200, `${status} ${show(body, 300)}`);
    return;
  }
  const want = expectedErrorGroups(model, filter);
  diffs.check("errors.groupCount", what, want.size, body.groupCount);
  if (want.size > 20) return;
  const actual = new Map(
    ((body.groups ?? []) as Json[]).map((g) => [
      `${g.errorType ?? ""}\u0000${g.pattern}`,
      { count: g.count, firstSeen: g.firstSeen, lastSeen: g.lastSeen },
    ]),
  );
  diffs.check("errors.groups", what, [...want].sort(), [...actual].sort());
}

/**
 * Whether a quantile answer holds the exact value (ms): inside its bucket (1 µs of slack for
 * the µs rounding of span times) and, above 0.1 ms, within 6 % of it.
 */
function quantileHolds(answer: Json, exactMs: number | null): boolean {
  if (exactMs === null || answer === null) return exactMs === null && answer === null;
  const inside =
    exactMs >= answer.fromMs - 0.001 && (answer.toMs === null || exactMs < answer.toMs + 0.001);
  return inside && (exactMs <= 0.1 || Math.abs(answer.ms - exactMs) / exactMs <= 0.06);
}

/** `/v1/executions/numbers` of one filter against the oracle. */
async function checkNumbers(
  api: Api,
  model: Model,
  filter: ListFilter,
  what: string,
  diffs: Diffs,
): Promise<void> {
  const { status, body: numbers } = await api.get(`/v1/executions/numbers?${filterQuery(filter)}`);
  const tools = await api.get(`/v1/executions/numbers/tools?${filterQuery(filter)}`);
  if (status !== 200 || tools.status !== 200) {
    diffs.add("numbers.http", what, 200, `${status} ${show(numbers, 300)}; ${tools.status}`);
    return;
  }
  const body = { ...numbers, ...tools.body };
  const want = expectedNumbers(model, filter);
  diffs.check(
    "numbers.counts",
    what,
    { runs: want.runs, finished: want.finished, failed: want.failed },
    { runs: body.runs, finished: body.finished, failed: body.failed },
  );
  diffs.check(
    "numbers.failureRate",
    what,
    want.finished > 0 ? want.failed / want.finished : null,
    body.failureRate,
  );
  diffs.check("numbers.duration.runs", what, want.durations.runs, body.duration?.runs);
  for (const q of ["p50", "p95"] as const) {
    if (!quantileHolds(body.duration?.[q] ?? null, want.durations[q])) {
      diffs.add(`numbers.duration.${q}`, what, want.durations[q], body.duration?.[q]);
    }
  }
  if (filter.from !== undefined) {
    const step = body.failureRateSeries?.bucketMs as number;
    const actual = new Map<number, { finished: number; failed: number }>();
    for (const p of (body.failureRateSeries?.points ?? []) as Json[]) {
      if (p.finished > 0) actual.set(p.bucketStart, { finished: p.finished, failed: p.failed });
    }
    diffs.check("numbers.series", what, [...want.series(step)].sort(), [...actual].sort());
  }
  diffs.check(
    "numbers.tools",
    what,
    want.tools.map(({ toolPath, calls, failures }) => ({ toolPath, calls, failures })),
    ((body.tools ?? []) as Json[]).map(({ toolPath, calls, failures }) => ({
      toolPath,
      calls,
      failures,
    })),
  );
  diffs.check("numbers.toolPathCount", what, want.toolPathCount, body.toolPathCount);
  for (const [i, tool] of want.tools.entries()) {
    const answer = (body.tools ?? [])[i];
    if (answer?.toolPath === tool.toolPath && !quantileHolds(answer.p95, tool.p95)) {
      diffs.add("numbers.tools.p95", `${what} ${tool.toolPath}`, tool.p95, answer.p95);
    }
  }
}

/** The filters whose first page and meta are compared: each facet alone, ranges, combinations. */
export function filterCases(
  model: Model,
  runs: SeedRuns,
  rng: SeededRandom,
): [string, ListFilter][] {
  const scopes = runs.scopes;
  const all = [...model.runs.values()].filter((r) => scopes.includes(r.scope));
  const times = all.map((r) => r.createdAt).sort((a, b) => a - b);
  const paths = [...new Set(all.flatMap((r) => r.toolCalls.map((c) => c.toolPath)))];
  const cases: [string, ListFilter][] = [["no filter", { scopes }]];
  for (const status of EXECUTION_STATUSES)
    cases.push([`status ${status}`, { scopes, statuses: [status] }]);
  const kinds = [...new Set(all.map((r) => r.trigger.kind ?? TRIGGER_UNKNOWN))];
  cases.push(["trigger", { scopes, triggers: [rng.pick(kinds)] }]);
  cases.push(["triggers", { scopes, triggers: ["cli", TRIGGER_UNKNOWN] }]);
  cases.push([
    "tool exact",
    { scopes, tools: [paths.length > 0 ? rng.pick(paths) : TOOL_PATHS[0]] },
  ]);
  cases.push(["tool namespace", { scopes, tools: ["github.*"] }]);
  cases.push(["tool namespace (no dot)", { scopes, tools: ["search.*", "memory.*"] }]);
  cases.push(["tool nobody's child calls", { scopes, tools: ["intruder.*"] }]);
  cases.push(["elicitation", { scopes, elicitation: true }]);
  cases.push(["no elicitation", { scopes, elicitation: false }]);
  const word = rng.pick(CODE_WORDS);
  cases.push([
    "code word (other case)",
    { scopes, code: rng.chance(0.5) ? word.toUpperCase() : word.toLowerCase() },
  ]);
  cases.push(["code phrase", { scopes, code: `task ${rng.int(1, 9)}` }]);
  const i = rng.int(0, times.length - 1);
  const j = rng.int(i, times.length - 1);
  // Bounds on runs' exact times: both are inclusive.
  cases.push(["from/to on run times", { scopes, from: times[i]!, to: times[j]! }]);
  cases.push([
    "from/to hour",
    { scopes, from: runs.now - 2 * 3_600_000, to: runs.now - 3_600_000 },
  ]);
  cases.push(["from only", { scopes, from: times[Math.floor(times.length / 2)]! }]);
  // One tool value over a range: whole 5-minute periods from the rollup, the edges from rows.
  cases.push([
    "tool namespace + hours",
    { scopes, tools: ["github.*"], from: runs.now - 3 * 3_600_000, to: runs.now },
  ]);
  cases.push([
    "tool exact + run times",
    {
      scopes,
      tools: [paths.length > 0 ? rng.pick(paths) : TOOL_PATHS[0]],
      from: times[i]!,
      to: times[j]!,
    },
  ]);
  cases.push([
    "status + trigger + elicitation + tool",
    {
      scopes,
      statuses: ["completed", "failed", "cancelled"],
      triggers: [rng.pick(kinds), TRIGGER_UNKNOWN],
      elicitation: false,
      tools: ["github.*", "slack.*"],
    },
  ]);
  cases.push([
    "unfinished + tool",
    {
      scopes,
      statuses: ["running", "waiting_for_interaction", "pending"],
      tools: [rng.pick(["github.*", "slack.*", "search"])],
    },
  ]);
  cases.push([
    "code + range + status",
    {
      scopes,
      code: rng.pick(CODE_WORDS).toLowerCase(),
      from: times[0]! - 60_000,
      to: runs.now,
      statuses: ["completed", "running"],
    },
  ]);
  cases.push(["one scope", { scopes: [scopes[0]!] }]);
  cases.push([
    "other scope + tool",
    { scopes: [scopes[1]!], tools: ["github.*", "jira.*", "fetch"] },
  ]);
  return cases;
}

function outline(nodes: TreeNode[], depth = 0, out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(`${"  ".repeat(depth)}${n.name} ${n.spanId}`);
    outline(n.children, depth + 1, out);
  }
  return out;
}

function actualTree(nodes: Json[]): TreeNode[] {
  return (nodes ?? []).map((n: Json) => ({
    spanId: n.spanId,
    parentSpanId: n.parentSpanId,
    name: n.name,
    children: actualTree(n.children),
  }));
}

/** One run's detail, tool calls, trace tree and Jaeger trace. */
export async function checkRun(api: Api, model: Model, run: ExpectedRun, diffs: Diffs) {
  const label = describe(run);
  const id = encodeURIComponent(run.id);
  const detail = await api.get(`/v1/executions/${id}`);
  if (detail.status !== 200) diffs.add("detail.http", label, 200, detail.status);
  else diffs.fields("detail", label, expectedDetail(run), detail.body);

  const calls = await api.get(`/v1/executions/${id}/tool-calls`);
  if (calls.status !== 200) diffs.add("toolCalls.http", label, 200, calls.status);
  else {
    const actual = (calls.body.toolCalls ?? []) as Json[];
    // Stored calls, then those in flight, in start order (a stable sort: stored first on ties).
    const wanted = [...run.toolCalls, ...run.runningCalls].sort(
      (a, b) => a.startedAt - b.startedAt,
    );
    const same = diffs.sequence(
      "toolCalls.spans",
      label,
      wanted.map((c) => `${c.toolPath} ${c.spanId}`),
      actual.map((c) => `${c.toolPath} ${c.spanId}`),
    );
    if (same) {
      for (const [k, c] of wanted.entries()) {
        diffs.fields("toolCall", `${label} call ${k}`, c, actual[k]);
      }
    }
  }

  const tree = expectedTree(model, run.traceId);
  const traced = await api.get(`/v1/executions/${id}/trace`);
  if (tree.spanCount === 0) {
    // Nothing but state spans: no trace to show (a 404 or an empty tree).
    if (traced.status !== 404) diffs.check("trace.empty", label, 0, traced.body?.spanCount);
  } else if (traced.status !== 200) {
    diffs.add("trace.http", label, 200, traced.status);
  } else {
    diffs.check("trace.traceId", label, run.traceId, traced.body.traceId);
    diffs.check("trace.spanCount", label, tree.spanCount, traced.body.spanCount);
    diffs.sequence(
      "trace.tree",
      label,
      outline(tree.roots),
      outline(actualTree(traced.body.roots)),
    );
  }

  const jaeger = await api.get(`/api/traces/${run.traceId}`);
  const expected = expectedJaeger(model, run.traceId);
  if (expected.length === 0) {
    if (jaeger.status !== 404)
      diffs.check("jaeger.empty", label, 0, jaeger.body?.data?.[0]?.spans?.length);
  } else if (jaeger.status !== 200) {
    diffs.add("jaeger.http", label, 200, jaeger.status);
  } else {
    const t = jaeger.body.data?.[0] ?? {};
    const processes = (t.processes ?? {}) as Record<string, { serviceName: string }>;
    const actual: JaegerSpanShape[] = ((t.spans ?? []) as Json[])
      .map((s) => ({
        spanID: s.spanID,
        operationName: s.operationName,
        references: (s.references ?? []).map((r: Json) => ({
          refType: r.refType,
          spanID: r.spanID,
        })),
        serviceName: processes[s.processID]?.serviceName ?? "",
      }))
      .sort((a, b) => (a.spanID < b.spanID ? -1 : a.spanID > b.spanID ? 1 : 0));
    if (
      diffs.sequence(
        "jaeger.spans",
        label,
        expected.map((s) => s.spanID),
        actual.map((s) => s.spanID),
      )
    ) {
      for (const [k, s] of expected.entries()) {
        diffs.fields("jaeger.span", `${label} span ${s.spanID}`, s, actual[k]);
      }
    }
  }
}

/**
 * Everything about one seed: lists, `filters` of the filter cases (the unfiltered one always,
 * the others drawn at random; every case comes up over a few seeds), every run, the orphans' 404.
 */
export async function compareAll(
  api: Api,
  model: Model,
  runs: SeedRuns,
  diffs: Diffs,
  rng: SeededRandom,
  filters = Number.POSITIVE_INFINITY,
): Promise<void> {
  await checkLists(api, model, runs, diffs);
  await checkLive(api, model, runs, diffs);
  const [unfiltered, ...others] = filterCases(model, runs, rng);
  const cases = [unfiltered!, ...rng.shuffle(others).slice(0, Math.max(0, filters - 1))];
  await pool(cases, 2, ([label, filter]) => checkFilter(api, model, filter, label, diffs));
  const mine = [...model.runs.values()].filter((r) => runs.scopes.includes(r.scope));
  await pool(mine, 6, (run) => checkRun(api, model, run, diffs));
  for (const id of runs.orphanIds) {
    const { status } = await api.get(`/v1/executions/${encodeURIComponent(id)}`);
    diffs.check(
      "orphan.detail",
      `GET /v1/executions/${id} (only a tool span names it)`,
      404,
      status,
    );
  }
}

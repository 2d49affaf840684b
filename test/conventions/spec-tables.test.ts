import type { Attributes, AttributeValue } from "@opentelemetry/api";
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder, type ExecutionState } from "@runtrace/sdk";
import * as semconv from "@runtrace/semconv";
import { beforeAll, describe, expect, it } from "vitest";
import { code, codes, readSpec, type Table, tables } from "./spec-document.ts";

/**
 * docs/semantic-conventions.md against `@runtrace/semconv` and `@runtrace/sdk`: every exported
 * name, key, value, unit and boundary is in the document with the same value, every key and
 * value the document lists is one the package exports, and every attribute the SDK sends is
 * documented on its span with its type.
 */

type Exports = Readonly<Record<string, unknown>>;

/** Exports the document deliberately leaves out, and why. */
const NOT_DOCUMENTED: Readonly<Record<string, string>> = {
  EXECUTION_STATUS_ALIASES:
    "the query API's status filter words (`waiting`, `ok`, …): an API parameter, in the README; no span carries them",
  EXECUTION_STATUS_WORDS: "the error message listing those filter words",
  toolSpanName: "a helper; the names it makes are checked as `execute_tool {path}`",
  codeExecSpanName: "a helper; the names it makes are checked as `executor.code.exec.<runtime>`",
  truncatedFlag: "a helper; its keys are checked as the `.truncated` rows and TRUNCATED_SUFFIX",
  isExecutionStatus: "a helper over EXECUTION_STATUSES",
  isTerminalStatus: "a helper over TERMINAL_STATUSES",
  executionStatusOf: "a helper over the query API's filter words",
  toolNamespace: "a helper; its rule is documented with `executor.tool.namespace`",
};

const TYPES = ["string", "int", "bool", "string[]", "int[]", "JSON string"];
const REQUIREMENTS = ["required", "conditional", "recommended", "optional"];
const ATTRIBUTE_TABLES = ["snapshot", "tool", "interaction", "log", "exception", "resource"];

const isString = (v: unknown): v is string => typeof v === "string";
/** What follows a span-name prefix in the document: `{path}`, `<runtime>`. */
const PLACEHOLDER = /^(\{[a-z]+\}|<[a-z]+>)$/;

/** Every way the document and the exports disagree; [] when they agree. */
function specProblems(doc: string, c: Exports): string[] {
  const problems: string[] = [];
  const covered = new Set<string>();
  const byName = new Map<string, Table>();
  for (const t of tables(doc)) {
    if (byName.has(t.name)) problems.push(`table ${t.name} appears twice`);
    byName.set(t.name, t);
  }
  const table = (name: string, header: string[]): Table | undefined => {
    const t = byName.get(name);
    if (!t) {
      problems.push(`no table ${name}`);
      return undefined;
    }
    if (t.header.join("|") !== header.join("|")) {
      problems.push(`table ${name}: header ${t.header.join(", ")}, expected ${header.join(", ")}`);
    }
    for (const row of t.rows) {
      if (row.length !== header.length) problems.push(`table ${name}: row ${row.join(" | ")}`);
      if (!/^`[^`]+`$/.test(row[0] ?? "")) problems.push(`table ${name}: ${row[0]} not backticked`);
    }
    return t;
  };
  const exportsWhere = (test: (name: string, value: unknown) => boolean) =>
    Object.entries(c).filter(([name, value]) => test(name, value));

  // Attributes: one table per span kind (and per event, and the resource).
  const suffix = String(c.TRUNCATED_SUFFIX);
  const attributeValues = exportsWhere((n, v) => /^(METRIC_)?ATTR_/.test(n) && isString(v));
  const exported = new Set(attributeValues.map(([, v]) => v as string));
  const typeOf = new Map<string, string>();
  for (const name of ATTRIBUTE_TABLES) {
    const t = table(`attributes ${name}`, ["attribute", "type", "requirement", "meaning"]);
    const seen = new Set<string>();
    for (const [cell, type = "", requirement = "", meaning = ""] of t?.rows ?? []) {
      const key = code(cell!);
      const where = `attributes ${name}: ${key}`;
      if (seen.has(key)) problems.push(`${where} listed twice`);
      seen.add(key);
      if (!TYPES.includes(type)) problems.push(`${where}: type ${type} is none of ${TYPES}`);
      if (!REQUIREMENTS.includes(requirement))
        problems.push(`${where}: requirement ${requirement}`);
      if (meaning === "") problems.push(`${where}: no meaning`);
      const known = typeOf.get(key);
      if (known !== undefined && known !== type)
        problems.push(`${where}: ${type}, elsewhere ${known}`);
      typeOf.set(key, type);
      const flagOf = key.endsWith(suffix) ? key.slice(0, -suffix.length) : undefined;
      if (flagOf !== undefined && exported.has(flagOf)) {
        if (type !== "bool") problems.push(`${where}: a truncation flag is a bool`);
      } else if (!exported.has(key)) {
        problems.push(`${where} is not exported by @runtrace/semconv`);
      }
    }
  }
  for (const [name, value] of attributeValues) {
    if (name.startsWith("METRIC_")) continue; // checked with the metrics
    if (typeOf.has(value as string)) covered.add(name);
    else problems.push(`${name} = ${value} is in no attribute table`);
  }
  const toolOperation = byName
    .get("attributes tool")
    ?.rows.find((row) => code(row[0]!) === c.ATTR_GEN_AI_OPERATION_NAME);
  if (
    toolOperation &&
    codes(toolOperation[3] ?? "").includes(String(c.GEN_AI_OPERATION_EXECUTE_TOOL))
  ) {
    covered.add("GEN_AI_OPERATION_EXECUTE_TOOL");
  } else problems.push("the tool table's gen_ai.operation.name row does not name its value");

  // Span names: exact names, and `prefix` + a placeholder for the prefixes.
  const spanNames = exportsWhere((n, v) => /^SPAN_/.test(n) && isString(v));
  const spans = table("spans", ["span", "kind", "parent", "emitted"]);
  const documentedSpans = (spans?.rows ?? []).map((row) => code(row[0]!));
  const spanMatch = (name: string, value: string, documented: string) =>
    name.endsWith("_PREFIX")
      ? documented.startsWith(value) && PLACEHOLDER.test(documented.slice(value.length))
      : documented === value;
  for (const [name, value] of spanNames) {
    if (documentedSpans.some((d) => spanMatch(name, value as string, d))) covered.add(name);
    else problems.push(`${name} = ${value} is not in the spans table`);
  }
  for (const d of documentedSpans) {
    if (!spanNames.some(([name, value]) => spanMatch(name, value as string, d))) {
      problems.push(`span ${d} is not exported by @runtrace/semconv`);
    }
  }

  // Events.
  const events = (table("events", ["event", "on", "meaning"])?.rows ?? []).map((r) => code(r[0]!));
  const eventNames = exportsWhere((n, v) => /^EVENT_/.test(n) && isString(v));
  for (const [name, value] of eventNames) {
    if (events.includes(value as string)) covered.add(name);
    else problems.push(`${name} = ${value} is not in the events table`);
  }
  for (const e of events) {
    if (!eventNames.some(([, v]) => v === e)) problems.push(`event ${e} is not exported`);
  }

  // Value sets: `values NAME` is the exported list NAME, in order.
  for (const t of byName.values()) {
    const m = /^values ([A-Z_]+)$/.exec(t.name);
    if (!m) continue;
    const name = m[1]!;
    const header =
      name === "EXECUTION_STATUSES" ? ["value", "final", "meaning"] : ["value", "meaning"];
    table(t.name, header);
    const listed = t.rows.map((row) => code(row[0]!));
    if (!Array.isArray(c[name])) {
      problems.push(`table ${t.name}: ${name} is not an exported list`);
      continue;
    }
    if (JSON.stringify(listed) !== JSON.stringify(c[name])) {
      problems.push(
        `table ${t.name}: ${listed.join(", ")}, exported ${(c[name] as string[]).join(", ")}`,
      );
    } else covered.add(name);
    if (name === "EXECUTION_STATUSES") {
      const finals = t.rows.filter((row) => row[1] === "yes").map((row) => code(row[0]!));
      if (JSON.stringify(finals) === JSON.stringify(c.TERMINAL_STATUSES))
        covered.add("TERMINAL_STATUSES");
      else problems.push(`final statuses ${finals.join(", ")}, exported TERMINAL_STATUSES differ`);
    }
  }

  // Metrics: names, units, attribute keys, histogram boundaries.
  const metrics = table("metrics", ["metric", "instrument", "unit", "attributes", "boundaries"]);
  const metricNames = exportsWhere((n, v) => /^METRIC_(?!ATTR_)/.test(n) && isString(v));
  const units = exportsWhere((n, v) => /^UNIT_/.test(n) && isString(v));
  const metricAttrs = exportsWhere((n, v) => /^METRIC_ATTR_/.test(n) && isString(v));
  const boundaries = exportsWhere((n) => /_BOUNDARIES_MS$/.test(n));
  const rows = metrics?.rows ?? [];
  for (const [name, instrument = "", unit = "", attrs = "", bounds = ""] of rows) {
    const metric = code(name!);
    if (!metricNames.some(([, v]) => v === metric))
      problems.push(`metric ${metric} is not exported`);
    if (!["counter", "histogram"].includes(instrument)) problems.push(`${metric}: ${instrument}`);
    if (!units.some(([, v]) => v === code(unit)))
      problems.push(`${metric}: unit ${unit} is not exported`);
    for (const key of codes(attrs)) {
      if (!metricAttrs.some(([, v]) => v === key))
        problems.push(`${metric}: attribute ${key} is no METRIC_ATTR_*`);
    }
    const listed = bounds === "—" ? [] : bounds.split(",").map((b) => Number(b.trim()));
    if ((instrument === "histogram") !== listed.length > 0)
      problems.push(`${metric}: boundaries ${bounds}`);
    if (
      listed.length > 0 &&
      !boundaries.some(([, v]) => JSON.stringify(v) === JSON.stringify(listed))
    ) {
      problems.push(`${metric}: boundaries ${bounds} are no exported *_BOUNDARIES_MS`);
    }
  }
  const inMetrics = (test: (row: string[]) => boolean) => rows.some(test);
  for (const [name, value] of metricNames) {
    if (inMetrics((r) => code(r[0]!) === value)) covered.add(name);
    else problems.push(`${name} = ${value} is not in the metrics table`);
  }
  for (const [name, value] of units) {
    if (inMetrics((r) => code(r[2]!) === value)) covered.add(name);
    else problems.push(`${name} = ${value} is no metric's unit`);
  }
  for (const [name, value] of metricAttrs) {
    if (inMetrics((r) => codes(r[3]!).includes(value as string))) covered.add(name);
    else problems.push(`${name} = ${value} is no metric's attribute`);
  }
  for (const [name, value] of boundaries) {
    const text = (value as number[]).join(", ");
    if (inMetrics((r) => r[4] === text)) covered.add(name);
    else problems.push(`${name} (${text}) are no metric's boundaries`);
  }

  // Limits: every exported number, and the truncation suffix.
  for (const [cell, value = ""] of table("limits", ["name", "value", "meaning"])?.rows ?? []) {
    const name = code(cell!);
    const actual = c[name];
    const documented = typeof actual === "number" ? Number(value) : code(value);
    if (actual === undefined) problems.push(`limit ${name} is not exported`);
    else if (documented !== actual) problems.push(`limit ${name}: ${value}, exported ${actual}`);
    else covered.add(name);
  }

  // The seed's names.
  const seed = table("seed names", ["seed name", "runtrace reads it as"]);
  const seedRows = new Map((seed?.rows ?? []).map((row) => [code(row[0]!), row[1] ?? ""]));
  const aliases = (c.SEED_INTERACTION_KIND_ALIASES ?? {}) as Record<string, string>;
  const seedNames: [string, string][] = [
    ...exportsWhere((n, v) => /^SEED_SPAN_/.test(n) && isString(v)).map(
      ([n, v]): [string, string] => [n, `${v}${n.includes("TOOL") ? "<path>" : "<name>"}`],
    ),
    ["TRIGGER_UNKNOWN", String(c.TRIGGER_UNKNOWN)],
    ["HEADER_TRIGGER", String(c.HEADER_TRIGGER)],
    ["ATTR_TOOL_ERROR", String(c.ATTR_TOOL_ERROR)],
    ["ATTR_TOOL_RESULT_SIZE", String(c.ATTR_TOOL_RESULT_SIZE)],
    ["ATTR_RESUME_ACTION", String(c.ATTR_RESUME_ACTION)],
  ];
  for (const [name, value] of seedNames) {
    if (seedRows.has(value)) covered.add(name);
    else problems.push(`${name} = ${value} is not in the seed table`);
  }
  let aliasesOk = Object.keys(aliases).length > 0;
  for (const [alias, kind] of Object.entries(aliases)) {
    if (!codes(seedRows.get(alias) ?? "").includes(kind)) {
      aliasesOk = false;
      problems.push(`seed kind ${alias} should read as \`${kind}\``);
    }
  }
  if (aliasesOk) covered.add("SEED_INTERACTION_KIND_ALIASES");
  const seedValues = new Set([...seedNames.map(([, v]) => v), ...Object.keys(aliases)]);
  for (const name of seedRows.keys()) {
    if (!seedValues.has(name)) problems.push(`seed name ${name} is not exported`);
  }

  // Every export is documented, or listed above with a reason.
  for (const name of Object.keys(c)) {
    if (!covered.has(name) && !(name in NOT_DOCUMENTED)) {
      problems.push(`${name} is exported but not documented (or listed in NOT_DOCUMENTED)`);
    }
  }
  for (const name of Object.keys(NOT_DOCUMENTED)) {
    if (!(name in c)) problems.push(`NOT_DOCUMENTED lists ${name}, which is not exported`);
  }
  return problems;
}

const doc = readSpec();

describe("docs/semantic-conventions.md and @runtrace/semconv", () => {
  it("list the same names, keys, values, units and boundaries", () => {
    expect(specProblems(doc, semconv)).toEqual([]);
  });

  it("disagree when a constant changes, is added or the document drifts", () => {
    const renamed = specProblems(doc, { ...semconv, ATTR_EXECUTION_ID: "executor.run.id" });
    expect(renamed).toContain("ATTR_EXECUTION_ID = executor.run.id is in no attribute table");
    expect(renamed).toContain(
      "attributes snapshot: executor.execution.id is not exported by @runtrace/semconv",
    );
    expect(specProblems(doc, { ...semconv, ATTR_NEW_THING: "executor.new_thing" })).toContain(
      "ATTR_NEW_THING = executor.new_thing is in no attribute table",
    );
    expect(specProblems(doc, { ...semconv, MAX_ACTIVE_TOOL_CALLS: 16 })).toContain(
      "limit MAX_ACTIVE_TOOL_CALLS: 32, exported 16",
    );
    expect(
      specProblems(doc, { ...semconv, TOOL_CALL_DURATION_BOUNDARIES_MS: [1, 10, 100] }).length,
    ).toBeGreaterThan(0);
    expect(specProblems(doc, { ...semconv, INTERACTION_KINDS: ["form", "url", "choice"] })).toEqual(
      [
        "table values INTERACTION_KINDS: form, url, exported form, url, choice",
        "INTERACTION_KINDS is exported but not documented (or listed in NOT_DOCUMENTED)",
      ],
    );
    const drifted = doc.replace(
      "| `executor.tool.status` | string |",
      "| `executor.tool.state` | string |",
    );
    expect(specProblems(drifted, semconv)).toEqual([
      "attributes tool: executor.tool.state is not exported by @runtrace/semconv",
      "ATTR_TOOL_STATUS = executor.tool.status is in no attribute table",
      "ATTR_TOOL_STATUS is exported but not documented (or listed in NOT_DOCUMENTED)",
    ]);
    const retyped = doc.replace(
      "| `executor.execution.seq` | int |",
      "| `executor.execution.seq` | string |",
    );
    expect(specProblems(retyped, semconv)).toEqual([]);
    expect(sdkProblems(retyped, recorded)).toContain(
      "executor.execution: executor.execution.seq is a number, documented string",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// What the SDK sends, against the document.

type Recorded = Awaited<ReturnType<typeof recordWithSdk>>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every kind of span, event, value and metric the SDK makes, with values cut short. */
async function recordWithSdk() {
  const spanExporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  }).getTracer("conventions");
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const recorder = createExecutionRecorder({
    tracer,
    meter: meterProvider.getMeter("conventions"),
    runtime: "node",
    maxValueBytes: 48,
    recordToolArgs: true,
    recordToolResults: true,
    reportRunningToolCallsAfterMs: 0,
  });
  const long = (c: string) => c.repeat(100);

  // Queued, started, a slow call (reported in flight), a failing one, logs, an interaction,
  // a pause, a resume in "another process" with the answer, a failure.
  const first = recorder.create(
    { scopeId: "s1", code: long("x"), trigger: { kind: "http", meta: { route: "/run" } } },
    { start: false },
  );
  first.start();
  await first.toolCall({ path: "github.issues.create", args: { q: 1 } }, async () => {
    await sleep(20);
    return { number: 1 };
  });
  await first
    .toolCall({ path: "slack.post", args: long("a") }, () => {
      throw new TypeError(long("t"));
    })
    .catch(() => undefined);
  first.log("hello");
  first.log(long("m"), "warn");
  first.interaction({ kind: "form", purpose: "pick", payload: { f: long("p") } });
  const state = JSON.parse(JSON.stringify(first.pause())) as ExecutionState;
  const resumed = recorder.resume(state, { action: "accept" });
  resumed.pendingInteraction?.resolve({ r: long("r") });
  resumed.log("again");
  resumed.fail(new RangeError(long("e")));

  // Completed with a long result; cancelled while an interaction waits; the seed's `unknown`.
  await recorder.run({ scopeId: "s1", code: "1", trigger: { kind: "cli" } }, () => long("v"));
  const third = recorder.create({ scopeId: "s2", code: "2", trigger: { kind: "unknown" } });
  third.interaction({ kind: "url", payload: "https://example.com" });
  third.cancel("stopped");

  await reader.forceFlush();
  const metrics =
    metricExporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
  await meterProvider.shutdown();
  const spans: ReadableSpan[] = spanExporter.getFinishedSpans();
  return { spans, metrics };
}

let recorded: Recorded;
beforeAll(async () => {
  recorded = await recordWithSdk();
});

function tableFor(spanName: string): string {
  if (
    spanName === semconv.SPAN_EXECUTION ||
    spanName === semconv.SPAN_EXECUTION_RESUME ||
    spanName === semconv.SPAN_EXECUTION_STATE
  ) {
    return "attributes snapshot";
  }
  if (spanName.startsWith(semconv.SPAN_TOOL_PREFIX)) return "attributes tool";
  if (spanName === semconv.SPAN_INTERACTION) return "attributes interaction";
  return `attributes for ${spanName}`;
}

function describeValue(value: AttributeValue | undefined): string {
  if (Array.isArray(value)) return "an array";
  return typeof value === "number" ? "a number" : `a ${typeof value}`;
}

/** Whether an attribute value has the documented type. */
function hasType(type: string, value: AttributeValue | undefined, cut: boolean): boolean {
  const all = (test: (v: unknown) => boolean) => Array.isArray(value) && value.every(test);
  switch (type) {
    case "string":
      return typeof value === "string";
    case "JSON string":
      if (typeof value !== "string") return false;
      if (cut) return true; // a value cut short is no longer JSON
      try {
        JSON.parse(value);
        return true;
      } catch {
        return false;
      }
    case "int":
      return Number.isInteger(value);
    case "bool":
      return typeof value === "boolean";
    case "string[]":
      return all((v) => typeof v === "string");
    case "int[]":
      return all((v) => Number.isInteger(v));
    default:
      return false;
  }
}

/** Attributes the SDK sent that the document does not list on that span, or with another type. */
function sdkProblems(text: string, run: Recorded): string[] {
  const byName = new Map(tables(text).map((t) => [t.name, t]));
  const problems = new Set<string>();
  const check = (where: string, tableName: string, attributes: Attributes) => {
    const rows = byName.get(tableName)?.rows ?? [];
    const documented = new Map(rows.map((row) => [code(row[0]!), row]));
    for (const [key, value] of Object.entries(attributes)) {
      const row = documented.get(key);
      if (!row) {
        problems.add(`${where}: ${key} is not in the table ${tableName}`);
        continue;
      }
      const cut = attributes[semconv.truncatedFlag(key)] === true;
      if (!hasType(row[1]!, value, cut)) {
        problems.add(`${where}: ${key} is ${describeValue(value)}, documented ${row[1]}`);
      }
    }
    for (const [key, row] of documented) {
      if (row[2] === "required" && !(key in attributes)) {
        problems.add(`${where}: required ${key} missing`);
      }
    }
  };
  for (const span of run.spans) {
    const where = span.name.startsWith(semconv.SPAN_TOOL_PREFIX) ? "execute_tool" : span.name;
    check(where, tableFor(span.name), span.attributes);
    for (const event of span.events) {
      check(`${where} event ${event.name}`, `attributes ${event.name}`, event.attributes ?? {});
    }
  }
  return [...problems];
}

describe("docs/semantic-conventions.md and @runtrace/sdk", () => {
  it("the SDK sends every span and event kind, and every truncation flag it can", () => {
    const names = new Set(recorded.spans.map((s) => tableFor(s.name)));
    expect([...names].sort()).toEqual([
      "attributes interaction",
      "attributes snapshot",
      "attributes tool",
    ]);
    const keys = new Set(recorded.spans.flatMap((s) => Object.keys(s.attributes)));
    for (const key of [
      semconv.ATTR_EXECUTION_ACTIVE_TOOL_CALL_IDS,
      semconv.ATTR_EXECUTION_PRIOR_LOGS,
      semconv.ATTR_RESUME_ACTION,
      semconv.truncatedFlag(semconv.ATTR_EXECUTION_CODE),
      semconv.truncatedFlag(semconv.ATTR_EXECUTION_RESULT),
      semconv.truncatedFlag(semconv.ATTR_EXECUTION_ERROR),
      semconv.truncatedFlag(semconv.ATTR_TOOL_ARGS),
      semconv.truncatedFlag(semconv.ATTR_TOOL_ERROR),
      semconv.truncatedFlag(semconv.ATTR_INTERACTION_PAYLOAD),
      semconv.truncatedFlag(semconv.ATTR_INTERACTION_RESPONSE),
    ]) {
      expect(keys, key).toContain(key);
    }
    const events = new Set(recorded.spans.flatMap((s) => s.events.map((e) => e.name)));
    expect([...events].sort()).toEqual([semconv.EVENT_EXCEPTION, semconv.EVENT_LOG]);
  });

  it("every attribute the SDK sends is documented on its span, with its type", () => {
    expect(sdkProblems(doc, recorded)).toEqual([]);
  });

  it("every metric the SDK sends is documented with its instrument, unit, attributes and boundaries", () => {
    const rows = new Map(
      (tables(doc).find((t) => t.name === "metrics")?.rows ?? []).map((r) => [code(r[0]!), r]),
    );
    const seen: string[] = [];
    for (const metric of recorded.metrics) {
      const name = metric.descriptor.name;
      seen.push(name);
      const row = rows.get(name);
      expect(row, name).toBeDefined();
      const [, instrument, unit, attributes, boundaries] = row!;
      expect(metric.descriptor.unit, name).toBe(code(unit!));
      if (instrument === "counter") {
        expect(metric.dataPointType, name).toBe(DataPointType.SUM);
        expect(metric.dataPointType === DataPointType.SUM && metric.isMonotonic, name).toBe(true);
      } else {
        expect(instrument, name).toBe("histogram");
        expect(metric.dataPointType, name).toBe(DataPointType.HISTOGRAM);
      }
      for (const point of metric.dataPoints) {
        expect(Object.keys(point.attributes).sort(), name).toEqual(codes(attributes!).sort());
        if (instrument === "histogram") {
          const listed = boundaries!.split(",").map((b) => Number(b.trim()));
          expect((point.value as Histogram).buckets.boundaries, name).toEqual(listed);
        }
      }
    }
    expect(seen.sort()).toEqual([...rows.keys()].sort());
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { readConfig } from "@runtrace/cli";
import {
  BatchingWriter,
  type ClickHouse,
  ClickHouseSpanExporter,
  createClickHouse,
  mapSpans,
  migrate,
  retentionCutoffMs,
  type SpanRows,
  spanInputFromReadable,
} from "@runtrace/clickhouse";
// The writer's own serializers, through the package's internal entry point: the raw baseline
// sends byte for byte the bodies the writer sends.
import {
  EXECUTION_COLUMNS,
  emptySpanRows,
  executionLine,
  OTEL_TRACES_COLUMNS,
  otelTracesLine,
  TOOL_CALL_COLUMNS,
  toolCallLine,
} from "@runtrace/clickhouse/internal";
import type { SpanInput } from "@runtrace/model";
import { integerOption } from "./options.ts";
import { type GeneratedSpans, generateSpans } from "./realistic-spans.ts";

/**
 * How fast does `ClickHouseSpanExporter` store realistic spans, next to the fastest way the
 * same rows can go in (pre-serialized TabSeparated through the same client)? Both run in one
 * process on one embedded data directory, alternating, on freshly truncated tables.
 */

/** The BatchSpanProcessor's default `maxExportBatchSize`. */
const EXPORT_BATCH_SPANS = 512;

/** Every table either path writes (lookup tables are fed by materialized views). */
const RUN_TABLES = [
  "otel_traces",
  "otel_traces_trace_id_ts",
  "executions",
  "execution_states",
  "execution_ids",
  "tool_calls",
  "interactions",
] as const;

interface ExporterVariant {
  maxBatchRows: number;
  inflight: number;
}

interface Options {
  spans: number;
  variants: ExporterVariant[];
  rounds: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      spans: { type: "string", default: "200000" },
      // 16 exports of 512 spans queue ~14k rows, so a 50k-row batch only fills with more
      // exports in flight: each variant names both.
      variants: { type: "string", default: "10000x16,50000x64" },
      rounds: { type: "string", default: "2" },
    },
    strict: true,
  });
  const variants = values.variants.split(",").map((pair) => {
    const [rows, inflight] = pair.split("x");
    if (rows === undefined || inflight === undefined) {
      throw new Error(`--variants: expected MAXBATCHROWSxINFLIGHT, got ${pair}`);
    }
    return {
      maxBatchRows: integerOption(rows, "--variants"),
      inflight: integerOption(inflight, "--variants"),
    };
  });
  return {
    spans: integerOption(values.spans, "--spans"),
    variants,
    rounds: integerOption(values.rounds, "--rounds"),
  };
}

/** What a run must have left in the tables, from the rows the spans map to. */
interface Expected {
  spans: number;
  traces: number;
  executions: number;
  toolCalls: number;
}

/** One insert of the raw baseline: a table's share of one batch, already serialized. */
interface RawInsert {
  table: string;
  columns: readonly string[];
  body: string;
}

interface Result {
  label: string;
  batchRows: number;
  seconds: number;
  spansPerSecond: number;
  rowsPerSecond: number;
  detail: string;
}

const fmt = (n: number) => String(Math.round(n));

function rowCount(rows: SpanRows): number {
  return rows.traces.length + rows.executions.length + rows.toolCalls.length;
}

/**
 * Splits the spans into consecutive batches of at most `batchRows` rows, like the writer's
 * size trigger, and serializes each batch's rows per table. Superseded snapshots are left out:
 * a bulk load that sees every span knows each run's final row, and what the exporter leaves
 * stored is exactly these rows.
 */
function planRaw(inputs: readonly SpanInput[], cutoffMs: number, batchRows: number): RawInsert[] {
  const inserts: RawInsert[] = [];
  const flush = (batch: SpanRows) => {
    const parts: [string, readonly string[], string[]][] = [
      ["otel_traces", OTEL_TRACES_COLUMNS, batch.traces.map(otelTracesLine)],
      ["executions", EXECUTION_COLUMNS, batch.executions.filter((e) => e.final).map(executionLine)],
      ["tool_calls", TOOL_CALL_COLUMNS, batch.toolCalls.map(toolCallLine)],
    ];
    for (const [table, columns, lines] of parts) {
      // join() yields one flat string, so the timed insert does not flatten a rope first.
      if (lines.length > 0) inserts.push({ table, columns, body: lines.join("") });
    }
  };
  let batch = emptySpanRows();
  for (const input of inputs) {
    mapSpans([input], { retentionCutoffMs: cutoffMs }, batch);
    if (rowCount(batch) >= batchRows) {
      flush(batch);
      batch = emptySpanRows();
    }
  }
  if (rowCount(batch) > 0) flush(batch);
  return inserts;
}

/** Where a run's time went, per kind of ClickHouse call (the rest is JavaScript or idle). */
interface CallTimes {
  inserts: Map<string, number>;
  lookups: number;
  deletes: number;
  /** The synchronous part of `export()`: ReadableSpan → SpanInput and span → rows mapping. */
  exportSync: number;
}

function newCallTimes(): CallTimes {
  return { inserts: new Map(), lookups: 0, deletes: 0, exportSync: 0 };
}

/**
 * The same connection with every call the writer makes timed. The wrapper costs a
 * `performance.now()` pair per call (a few dozen calls per batch): nothing measurable.
 */
function timedClickHouse(ch: ClickHouse, times: CallTimes): ClickHouse {
  const timed = async <T>(work: Promise<T>, add: (ms: number) => void): Promise<T> => {
    const started = performance.now();
    try {
      return await work;
    } finally {
      add(performance.now() - started);
    }
  };
  return {
    ...ch,
    insertTsv: (table, columns, body, token) =>
      timed(ch.insertTsv(table, columns, body, token), (ms) =>
        times.inserts.set(table, (times.inserts.get(table) ?? 0) + ms),
      ),
    insertNative: (table, columns, body, token) =>
      timed(ch.insertNative(table, columns, body, token), (ms) =>
        times.inserts.set(table, (times.inserts.get(table) ?? 0) + ms),
      ),
    selectForWrite: (sql, params) =>
      timed(ch.selectForWrite(sql, params), (ms) => {
        times.lookups += ms;
      }),
    // The writer's only statements are the deletes of settled snapshots.
    command: (sql, params) =>
      timed(ch.command(sql, params), (ms) => {
        times.deletes += ms;
      }),
  };
}

/** Process CPU (this runs the engine too) per wall second over `run`. */
async function withCpu<T>(run: () => Promise<T>): Promise<{ value: T; cores: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  const wallMicros = (performance.now() - started) * 1000;
  return { value, cores: (used.user + used.system) / wallMicros };
}

function describeTimes(times: CallTimes, seconds: number, cores: number): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  let inserted = 0;
  const parts: string[] = [];
  for (const [table, ms] of times.inserts) {
    inserted += ms;
    if (ms >= 50) parts.push(`${table} ${s(ms)}`);
  }
  const waited = inserted + times.lookups + times.deletes + times.exportSync;
  const text = `inserts ${s(inserted)} s (${parts.join(", ")})`;
  const cpu = `${cores.toFixed(2)} cores busy`;
  if (waited === inserted) return `${text}; ${cpu}`;
  return (
    `${text}, lookups ${s(times.lookups)} s, deletes ${s(times.deletes)} s, ` +
    `export() sync ${s(times.exportSync)} s, rest (serializing, GC, timer) ` +
    `${s(seconds * 1000 - waited)} s; ${cpu}`
  );
}

export async function truncateRunTables(ch: ClickHouse): Promise<void> {
  for (const table of RUN_TABLES) await ch.command(`TRUNCATE TABLE ${table}`);
}

/** Fails the benchmark unless every span is in the tables: a fast number must be a real one. */
async function verify(ch: ClickHouse, expected: Expected): Promise<string> {
  const [c] = await ch.select<{
    traces: number;
    executions: number;
    states: number;
    tool_calls: number;
  }>(
    `SELECT (SELECT count() FROM otel_traces) AS traces,
            (SELECT count() FROM executions) AS executions,
            (SELECT count() FROM execution_states) AS states,
            (SELECT count() FROM tool_calls) AS tool_calls`,
  );
  if (!c) throw new Error("count query returned no row");
  const traces = Number(c.traces);
  const stateSpans = expected.spans - expected.traces;
  const text =
    `otel_traces ${traces} + ${stateSpans} state spans = ${traces + stateSpans}/${expected.spans} spans, ` +
    `executions ${c.executions}/${expected.executions}, tool_calls ${c.tool_calls}/${expected.toolCalls}, ` +
    `execution_states ${c.states}`;
  const ok =
    traces === expected.traces &&
    Number(c.executions) === expected.executions &&
    Number(c.tool_calls) === expected.toolCalls &&
    Number(c.states) === 0;
  if (!ok) throw new Error(`verification failed: ${text}`);
  return text;
}

async function runRaw(
  ch: ClickHouse,
  inserts: readonly RawInsert[],
  batchRows: number,
  expected: Expected,
): Promise<Result> {
  await truncateRunTables(ch);
  const times = newCallTimes();
  const timed = timedClickHouse(ch, times);
  const started = performance.now();
  const { cores } = await withCpu(async () => {
    for (const insert of inserts) await timed.insertTsv(insert.table, insert.columns, insert.body);
  });
  const seconds = (performance.now() - started) / 1000;
  const verified = await verify(ch, expected);
  const rows = expected.traces + expected.executions + expected.toolCalls;
  return {
    label: `raw TSV insert (batch ${batchRows})`,
    batchRows,
    seconds,
    spansPerSecond: expected.spans / seconds,
    rowsPerSecond: rows / seconds,
    detail:
      `${inserts.length} inserts: ${describeTimes(times, seconds, cores)}; ` +
      `verified ${verified}`,
  };
}

async function runExporter(
  ch: ClickHouse,
  spans: readonly ReadableSpan[],
  variant: ExporterVariant,
  expected: Expected,
): Promise<Result> {
  await truncateRunTables(ch);
  const times = newCallTimes();
  // The exporter's `{ clickhouse, writerOptions }` form builds exactly this writer; building it
  // here adds its stats and the timed connection.
  const writer = new BatchingWriter(timedClickHouse(ch, times), {
    maxBatchRows: variant.maxBatchRows,
    flushIntervalMillis: 50,
  });
  const exporter = new ClickHouseSpanExporter({ writer });
  const batches: ReadableSpan[][] = [];
  for (let i = 0; i < spans.length; i += EXPORT_BATCH_SPANS) {
    batches.push(spans.slice(i, i + EXPORT_BATCH_SPANS));
  }
  const started = performance.now();
  const { cores } = await withCpu(async () => {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      // Each finished export starts the next, so `inflight` exports stay pending at once, as
      // with that many SDK processes (or collector connections) exporting concurrently.
      const launch = () => {
        const batch = batches[next++]!;
        const t = performance.now();
        exporter.export(batch, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) {
            reject(result.error ?? new Error("export failed"));
            return;
          }
          done++;
          if (next < batches.length) launch();
          else if (done === batches.length) resolve();
        });
        times.exportSync += performance.now() - t;
      };
      for (let k = 0; k < Math.min(variant.inflight, batches.length); k++) launch();
    });
    await exporter.forceFlush();
  });
  const seconds = (performance.now() - started) / 1000;
  await exporter.shutdown();
  await writer.close();
  const stats = writer.stats();
  const verified = await verify(ch, expected);
  const rows = expected.traces + expected.executions + expected.toolCalls;
  return {
    label:
      `ClickHouseSpanExporter (batch ${variant.maxBatchRows}, ` +
      `${variant.inflight} exports in flight)`,
    batchRows: variant.maxBatchRows,
    seconds,
    spansPerSecond: expected.spans / seconds,
    rowsPerSecond: rows / seconds,
    detail:
      `${stats.batchesWritten} writer batches of ~${fmt(rows / Math.max(1, stats.batchesWritten))} rows, ` +
      `${stats.duplicatesDropped} duplicates dropped: ${describeTimes(times, seconds, cores)}; ` +
      `verified ${verified}`,
  };
}

function averageBytes<T>(rows: readonly T[], line: (row: T) => string): number {
  if (rows.length === 0) return 0;
  let bytes = 0;
  for (const r of rows) bytes += Buffer.byteLength(line(r));
  return Math.round(bytes / rows.length);
}

function describeMix(gen: GeneratedSpans): string {
  const per = (n: number) => (n / gen.executions).toFixed(2);
  return (
    `${(gen.spans.length / gen.executions).toFixed(1)} spans/execution ` +
    `(1 root + ${per(gen.toolSpans)} tool + ${per(gen.codeSpans)} code + ` +
    `${per(gen.stateSpans)} state; ${((100 * gen.failedExecutions) / gen.executions).toFixed(0)}% failed)`
  );
}

function bestOf(results: readonly Result[]): Result | undefined {
  return results.reduce<Result | undefined>(
    (a, b) => (a === undefined || b.spansPerSecond > a.spansPerSecond ? b : a),
    undefined,
  );
}

export async function runExporterBenchmark(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const rawBatches = [...new Set(options.variants.map((v) => v.maxBatchRows))];
  const dataDir = mkdtempSync(join(tmpdir(), "runtrace-bench-"));
  // The environment's settings (RUNTRACE_INSERT_FORMAT…), in a directory of its own: `url:
  // undefined` keeps a CLICKHOUSE_URL from pointing this at a server.
  const ch = await createClickHouse({
    ...readConfig(process.env).clickhouse,
    dataDir,
    url: undefined,
  });
  try {
    await migrate(ch);
    const [v] = await ch.select<{ v: string }>("SELECT version() AS v");
    console.log(
      `exporter benchmark (embedded ClickHouse ${v?.v}, node ${process.version}, ` +
        `${availableParallelism()} CPUs)`,
    );

    const t = performance.now();
    const gen = generateSpans({ spans: options.spans });
    const generatedSeconds = (performance.now() - t) / 1000;
    const cutoffMs = retentionCutoffMs(ch.config.retentionDays);
    const inputs = gen.spans.map(spanInputFromReadable);
    const mapped = mapSpans(inputs, { retentionCutoffMs: cutoffMs });
    if (mapped.rejected > 0) {
      throw new Error(`generated spans were rejected: ${JSON.stringify(mapped.rejectReasons)}`);
    }
    const finals = mapped.executions.filter((e) => e.final);
    const states = mapped.executions.filter((e) => !e.final);
    const expected: Expected = {
      spans: gen.spans.length,
      traces: mapped.traces.length,
      executions: finals.length,
      toolCalls: mapped.toolCalls.length,
    };
    console.log(
      `rows: ${gen.spans.length} spans in ${gen.executions} executions, ${describeMix(gen)}; ` +
        `made with the OTel SDK in ${generatedSeconds.toFixed(1)} s`,
    );
    console.log(
      `avg TSV bytes/row: otel_traces ${averageBytes(mapped.traces, otelTracesLine)}, ` +
        `executions ${averageBytes(finals, executionLine)}, ` +
        `tool_calls ${averageBytes(mapped.toolCalls, toolCallLine)}, ` +
        `execution_states ${averageBytes(states, executionLine)}; rows stored per run: ` +
        `${expected.traces} + ${expected.executions} + ${expected.toolCalls}`,
    );
    console.log(
      `${options.rounds} round(s), raw and exporter alternating; raw bodies are serialized ` +
        "just before each raw run (not timed) and dropped after it",
    );

    const results: Result[] = [];
    const report = (round: number, r: Result) => {
      results.push(r);
      console.log(
        `  round ${round}: ${r.label}: ${r.seconds.toFixed(2)} s, ${fmt(r.rowsPerSecond)} rows/s = ` +
          `${fmt(r.spansPerSecond)} spans/s (${r.detail})`,
      );
    };
    for (let round = 1; round <= options.rounds; round++) {
      // Odd rounds run raw first, even rounds the exporter first (and each list reversed), so
      // neither side always inherits a warmer engine or a busier background merge pool.
      const forward = round % 2 === 1;
      const order = <T>(xs: readonly T[]) => (forward ? [...xs] : [...xs].reverse());
      const rawRuns = async () => {
        for (const batchRows of order(rawBatches)) {
          const inserts = planRaw(inputs, cutoffMs, batchRows);
          report(round, await runRaw(ch, inserts, batchRows, expected));
        }
      };
      const exporterRuns = async () => {
        for (const variant of order(options.variants)) {
          report(round, await runExporter(ch, gen.spans, variant, expected));
        }
      };
      if (forward) {
        await rawRuns();
        await exporterRuns();
      } else {
        await exporterRuns();
        await rawRuns();
      }
    }

    console.log("best of each:");
    for (const label of new Set(results.map((r) => r.label))) {
      const b = bestOf(results.filter((r) => r.label === label))!;
      console.log(
        label.startsWith("raw")
          ? `${label}: ${fmt(b.rowsPerSecond)} rows/s = ${fmt(b.spansPerSecond)} spans/s`
          : `${label}: ${fmt(b.spansPerSecond)} spans/s (${fmt(b.rowsPerSecond)} rows/s)`,
      );
    }
    const raw = results.filter((r) => r.label.startsWith("raw"));
    const exported = results.filter((r) => !r.label.startsWith("raw"));
    const perBatch = rawBatches.map((n) => {
      const a = bestOf(exported.filter((r) => r.batchRows === n));
      const b = bestOf(raw.filter((r) => r.batchRows === n));
      return a && b ? `batch ${n} ${(a.spansPerSecond / b.spansPerSecond).toFixed(2)}` : "";
    });
    const bestRaw = bestOf(raw);
    const bestExporter = bestOf(exported);
    if (bestRaw && bestExporter) {
      console.log(
        `ratio exporter/raw: ${(bestExporter.spansPerSecond / bestRaw.spansPerSecond).toFixed(2)} ` +
          `(best exporter ${fmt(bestExporter.spansPerSecond)} / best raw ${fmt(bestRaw.spansPerSecond)} spans/s; ` +
          `${perBatch.join(", ")})`,
      );
    }
  } finally {
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

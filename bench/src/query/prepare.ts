import { readConfig } from "@runtrace/cli";
import {
  type ClickHouse,
  createClickHouse,
  migrate,
  runVersion,
  UNFINISHED_SNAPSHOT,
} from "@runtrace/clickhouse";
import {
  clearDataset,
  DATA_TABLES,
  type DatasetPlan,
  describeDataset,
  diskUsage,
  GENERATOR_VERSION,
  generateDataset,
  recordDataset,
  retentionMarginMs,
  settleMerges,
  storedDataset,
  type TableCounts,
  tableCounts,
  writePathRunCount,
} from "./dataset.ts";
import { runWritePath, type WritePathResult } from "./write-path.ts";

/**
 * The generated dataset of the `query` and `ui` benchmarks in a data directory: reused when it
 * is still the one asked for, else (re)generated (see `dataset.ts`), its write-path share sent
 * through a real collector last (see `write-path.ts`).
 */

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const bytes = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} GB`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)} MB`
      : `${int(n / 1e3)} kB`;

/** The dataset, ready for a query API process. */
export interface Prepared {
  /** Generation time: every time window of the dataset ends here. */
  anchorMs: number;
  /** What the data is (rows, bytes, generation time, the dataset's shape), for the report. */
  lines: string[];
  /** Runs in all (finished and unfinished), and of them sent through the write path. */
  executions: number;
  writePathRuns: number;
}

/** What to generate: the benchmarks' `--executions`, `--traces`, `--chunk`, `--write-path-share`. */
export interface DataOptions {
  executions: number;
  /** Runs that get spans in `otel_traces` (the newest). */
  traces: number;
  /** Executions per INSERT … SELECT statement. */
  chunk: number;
  /** Share of the runs sent through the real write path (0: none). */
  writePathShare: number;
  /** Requests in flight to the collector while sending it. */
  writePathInFlight: number;
}

/**
 * Tables whose row count stays put after generation (the others collapse rows on merge). With
 * a write-path share, `execution_states` (snapshots replace each other, settled ones are
 * deleted) and `execution_ids` (one row per version written) collapse too.
 */
function stableTables(writePath: boolean): readonly (keyof TableCounts)[] {
  const collapsing = ["otel_traces_trace_id_ts", "run_counts", "tool_counts"];
  if (writePath) collapsing.push("execution_states", "execution_ids");
  return DATA_TABLES.filter((t) => !collapsing.includes(t));
}

function sameCounts(a: TableCounts, b: TableCounts, writePath: boolean): boolean {
  return stableTables(writePath).every((t) => a[t] === b[t]);
}

/** The `--write-path-share` flag: a fraction in [0, 1). */
export function parseShare(text: string): number {
  const n = Number(text);
  if (!(n >= 0 && n < 1)) throw new Error(`--write-path-share: a fraction in [0, 1): ${text}`);
  return n;
}

/**
 * Opens the directory, reuses the dataset in it when it is this benchmark's for the same
 * parameters and still complete (TTL drops the oldest day about a day after generation), else
 * fills it; then waits for merges to finish and closes it for the query API process. With a
 * write-path share, a fresh dataset's share is sent after the merges of the rest settled, and
 * the directory is closed right after it (its merges still running when requests are timed).
 */
export async function prepareData(dataDir: string, options: DataOptions): Promise<Prepared> {
  const ch = await createClickHouse({
    ...readConfig(process.env).clickhouse,
    dataDir,
    url: undefined,
    retentionDays: 30,
  });
  const lines: string[] = [];
  try {
    await migrate(ch);
    const stored = await storedDataset(ch);
    const counts = await tableCounts(ch);
    const withWritePath = options.writePathShare > 0;
    let reuse = false;
    if (stored) {
      const why =
        stored.generator !== GENERATOR_VERSION
          ? `made by generator version ${stored.generator}, this is ${GENERATOR_VERSION}`
          : stored.executions !== options.executions
            ? `holds ${int(stored.executions)} executions, not ${int(options.executions)}`
            : stored.traced !== options.traces
              ? `has traces for ${int(stored.traced)} runs, not ${int(options.traces)}`
              : stored.writePathShare !== options.writePathShare
                ? `has a write-path share of ${stored.writePathShare} (${int(stored.writePathRuns)} runs), not ${options.writePathShare}`
                : !stored.complete
                  ? `has an incomplete write-path share (${int(stored.writePathRuns)} runs; interrupted?)`
                  : !sameCounts(stored.counts, counts, stored.writePathShare > 0)
                    ? `rows changed since generation (TTL dropped the oldest day?): executions ${int(counts.executions)} of ${int(stored.counts.executions)}`
                    : undefined;
      if (why === undefined) {
        reuse = true;
        const ageHours = (Date.now() - stored.anchorMs) / 3_600_000;
        console.log(
          `reusing the dataset in ${dataDir}: ${int(stored.executions)} executions generated ` +
            `${ageHours.toFixed(1)} h ago in ${stored.seconds.toFixed(0)} s; time windows end at its generation time`,
        );
        // The oldest runs start an hour (plus the write path's allowance) inside retention:
        // past that, TTL deletes rows (and rewrites parts) while requests are timed.
        const marginHours =
          retentionMarginMs({
            executions: stored.executions,
            anchorMs: stored.anchorMs,
            traced: stored.traced,
            chunk: options.chunk,
            writePathShare: stored.writePathShare,
          }) / 3_600_000;
        if (ageHours > marginHours) {
          console.log(
            `  warning: older than ${marginHours.toFixed(1)} h, so retention is deleting its oldest runs in the ` +
              "background while requests are timed; figures run high. Delete the directory for " +
              "a fresh dataset",
          );
        }
        if (stored.writePathRuns > 0) {
          console.log(
            `  its ${int(stored.writePathRuns)} write-path runs were stored when it was generated; ` +
              "their merges have settled since, so this run times the routes after merges, not before",
          );
        }
      } else {
        console.log(`the dataset in ${dataDir} ${why}: generating it again`);
        await clearDataset(ch);
      }
    } else if (stableTables(false).some((t) => counts[t] > 0)) {
      throw new Error(
        `${dataDir} holds runtrace data this benchmark did not generate ` +
          `(${int(counts.executions)} executions); give an empty or new --data-dir`,
      );
    }

    let anchorMs: number;
    let generationSeconds: number;
    let plan: DatasetPlan | undefined;
    let writePathLines: string[] = [];
    if (reuse && stored) {
      anchorMs = stored.anchorMs;
      generationSeconds = stored.seconds;
      writePathLines = stored.writePathReport;
    } else {
      anchorMs = Math.floor(Date.now() / 1000) * 1000;
      plan = {
        executions: options.executions,
        anchorMs,
        traced: options.traces,
        chunk: options.chunk,
        writePathShare: options.writePathShare,
      };
      const share = writePathRunCount(plan);
      console.log(
        `generating ${int(plan.executions)} executions over 30 days in ${dataDir} ` +
          `(${int(plan.chunk)} per statement, two statements at a time)` +
          (withWritePath
            ? `; ${int(share)} of them (${options.writePathShare}) go through the write path afterwards`
            : "") +
          "...",
      );
      const generated = await generateDataset(ch, plan, (line) => console.log(line));
      generationSeconds = generated.seconds;
      await recordDataset(ch, plan, {
        seconds: generated.seconds,
        counts: generated.counts,
        complete: !withWritePath,
      });
    }
    console.log("waiting for background merges to finish...");
    const settleSeconds = await settleMerges(ch);
    const [v] = await ch.select<{ v: string }>("SELECT version() AS v");
    // The shape of the runs (a full read of their codes: before the write-path share, so the
    // routes are timed right after it).
    const shape = await describeDataset(ch, anchorMs);

    let writePath: WritePathResult | undefined;
    if (plan && withWritePath) {
      console.log(
        `sending ${int(writePathRunCount(plan))} runs through the write path (a collector on this ` +
          "directory, OTLP/HTTP protobuf requests: spans shuffled, split, re-sent and held back)...",
      );
      writePath = await runWritePath(ch, plan, options.writePathInFlight, (line) =>
        console.log(line),
      );
      writePathLines = await describeWritePath(ch, writePath);
      await recordDataset(ch, plan, {
        seconds: generationSeconds,
        counts: await tableCounts(ch),
        complete: true,
        writePathReport: writePathLines,
      });
    }

    const final = await tableCounts(ch);
    const disk = await diskUsage(ch);
    const totalDisk = disk.reduce((s, d) => s + d.bytesOnDisk, 0);
    const totalRaw = disk.reduce((s, d) => s + d.uncompressedBytes, 0);
    const writePathRuns =
      stored && reuse ? stored.writePathRuns : plan ? writePathRunCount(plan) : 0;
    let dataLine: string;
    if (!withWritePath) {
      dataLine =
        `data: ${int(final.executions + final.execution_states)} executions ` +
        `(${int(final.executions)} finished in executions, ${int(final.execution_states)} unfinished in execution_states), ` +
        `${int(final.tool_calls)} tool_calls, ${int(final.interactions)} interactions, ` +
        `${int(final.otel_traces)} otel_traces spans, ${int(final.execution_ids)} execution_ids; ` +
        `${bytes(totalDisk)} on disk (${bytes(totalRaw)} uncompressed); ` +
        `${reuse ? "reused, generated earlier" : "generated"} in ${generationSeconds.toFixed(1)} s ` +
        `(${int((final.executions + final.execution_states) / generationSeconds)} executions/s), ` +
        `merges settled ${settleSeconds.toFixed(0)} s later; embedded ClickHouse ${v?.v ?? "?"}`;
    } else {
      const runs = await currentRuns(ch);
      dataLine =
        `data: ${int(runs.finished + runs.unfinished)} executions (${int(runs.finished)} finished, ` +
        `${int(runs.unfinished)} unfinished; ${int(writePathRuns)} of them through the write path), ` +
        `rows: ${int(final.executions)} executions (${int(final.superseded_executions)} superseded), ` +
        `${int(final.execution_states)} execution_states, ${int(final.tool_calls)} tool_calls, ` +
        `${int(final.interactions)} interactions, ${int(final.otel_traces)} otel_traces spans, ` +
        `${int(final.execution_ids)} execution_ids; ${bytes(totalDisk)} on disk (${bytes(totalRaw)} uncompressed); ` +
        `${reuse ? "reused, generated earlier" : "generated"}: the other ${int(options.executions - writePathRuns)} ` +
        `by INSERT … SELECT in ${generationSeconds.toFixed(1)} s ` +
        `(${int((options.executions - writePathRuns) / generationSeconds)} executions/s), ` +
        `merges settled ${settleSeconds.toFixed(0)} s later` +
        `${writePath ? ", then the write-path share (below); its merges not waited for" : ""}; ` +
        `embedded ClickHouse ${v?.v ?? "?"}`;
    }
    lines.push(dataLine);
    lines.push(
      `  on disk: ${disk
        .map((d) => `${d.table} ${bytes(d.bytesOnDisk)} (${int(d.rows)} rows, ${d.parts} parts)`)
        .join(", ")}`,
    );
    for (const line of writePathLines) lines.push(`  ${line}`);
    for (const line of shape) lines.push(`  ${line}`);
    return { anchorMs, lines, executions: options.executions, writePathRuns };
  } finally {
    await ch.close();
  }
}

/** Runs as readers count them: current finished versions, latest unfinished snapshots. */
async function currentRuns(ch: ClickHouse): Promise<{ finished: number; unfinished: number }> {
  const [row] = await ch.select<{ finished: number; unfinished: number }>(
    `SELECT
       (SELECT count() FROM executions WHERE row_id NOT IN (SELECT row_id FROM superseded_executions)) AS finished,
       (SELECT count() FROM execution_states FINAL WHERE ${UNFINISHED_SNAPSHOT}) AS unfinished`,
  );
  return { finished: Number(row?.finished ?? 0), unfinished: Number(row?.unfinished ?? 0) };
}

/** The write path's report: what was sent, how long it took, what it left for readers. */
async function describeWritePath(ch: ClickHouse, w: WritePathResult): Promise<string[]> {
  const [s] = await ch.select<{ superseded: number; repeats: number; versions: number }>(
    `SELECT (SELECT count() FROM superseded_executions) AS superseded,
       (SELECT count() FROM superseded_repeats) AS repeats,
       (SELECT count() FROM executions) AS versions`,
  );
  const parts = await ch.select<{ table: string; parts: number }>(
    `SELECT table, count() AS parts FROM system.parts
     WHERE active AND database = currentDatabase()
       AND table IN ('executions', 'execution_states', 'tool_calls', 'superseded_executions')
     GROUP BY table ORDER BY table`,
  );
  const rate = (n: number, seconds: number) => int(n / Math.max(seconds, 0.001));
  const statuses = Object.entries(w.statuses)
    .map(([k, n]) => `${k} ×${int(n)}`)
    .join(", ");
  return [
    `write path: ${int(w.runs)} runs (${int(w.finishedRuns)} finished) as ${int(w.spans)} spans ` +
      `(${(w.spans / Math.max(1, w.runs)).toFixed(1)} a run), sent as ${int(w.spansSent)} in ${int(w.requests)} ` +
      `requests (${int(w.duplicates)} spans twice, ${int(w.heldBack)} held back to the end; ` +
      `${bytes(w.requestBytes)}, ${int(w.requestBytes / Math.max(1, w.spansSent))} B a span) to a collector in ` +
      `this process, ${w.inFlight} in flight: ${w.seconds.toFixed(1)} s from the first request to close() done ` +
      `(${w.mainSeconds.toFixed(1)} s until the held-back spans, close ${w.closeSeconds.toFixed(1)} s), ` +
      `${rate(w.spansSent, w.seconds)} spans/s sent, ${rate(w.runs, w.seconds)} runs/s; answers ${statuses}` +
      `${w.retries > 0 ? ` (${int(w.retries)} retried)` : ""}`,
    `write path: reading the runs' values and building and encoding the requests took ` +
      `${w.produceSeconds.toFixed(1)} s of this process's main thread; the collector's writer: ` +
      `${int(w.writer.spansStored)} spans stored in ${int(w.writer.batchesWritten)} batches, ` +
      `${int(w.writer.duplicatesDropped)} duplicates dropped, ${int(w.writer.retries)} insert retries`,
    `write path left: ${int(Number(s?.superseded ?? 0))} superseded executions rows ` +
      `(of ${int(Number(s?.versions ?? 0))} rows in executions), ${int(Number(s?.repeats ?? 0))} repeats; ` +
      `active parts when the query API started: ${parts.map((p) => `${p.table} ${int(Number(p.parts))}`).join(", ")}`,
  ];
}

/**
 * Checks, after the requests were timed, that the stored runs are what the writer of schema
 * version 4 would leave: non-zero distinct row ids; every current row's tool calls and
 * interactions are the ones stored for it (in total) and what its root reported (finished
 * runs); versions packed as `runVersion` packs them, the generated ones with the run's last
 * update as the root order; every run counted once. Returns a line for the report, or throws.
 */
export async function verifyDataset(dataDir: string, prepared: Prepared): Promise<string> {
  const ch = await createClickHouse({
    ...readConfig(process.env).clickhouse,
    dataDir,
    url: undefined,
    retentionDays: 30,
  });
  try {
    const current = "row_id NOT IN (SELECT row_id FROM superseded_executions)";
    const rootPart = "bitAnd(bitShiftRight(version, 21), 4398046511103)";
    const [f] = await ch.select<Record<string, number>>(
      `SELECT count() AS runs, sum(tool_call_count) AS calls, sum(interaction_count) AS interactions,
         countIf(reported_tool_call_count != tool_call_count OR reported_interaction_count != interaction_count) AS mismatched,
         countIf(bitShiftRight(version, 63) != 1 OR bitAnd(version, 2097151) != tool_call_count + interaction_count) AS bad_version,
         countIf(${rootPart} = toUnixTimestamp64Milli(updated_at)) AS generated,
         countIf(row_id = 0) AS zero_ids
       FROM executions WHERE ${current}`,
    );
    const [u] = await ch.select<Record<string, number>>(
      `SELECT count() AS runs, sum(tool_call_count) AS calls, sum(interaction_count) AS interactions,
         countIf(bitShiftRight(version, 63) != 0 OR bitAnd(version, 2097151) != tool_call_count + interaction_count) AS bad_version,
         countIf(row_id = 0) AS zero_ids
       FROM execution_states FINAL WHERE ${UNFINISHED_SNAPSHOT}`,
    );
    const [t] = await ch.select<Record<string, number>>(
      `SELECT (SELECT count() FROM tool_calls) AS calls, (SELECT count() FROM interactions) AS interactions,
         (SELECT count() FROM executions) AS rows, (SELECT uniqExact(row_id) FROM executions) AS row_ids`,
    );
    const sample = await ch.select<{
      v: string;
      status: string;
      updated: number;
      children: number;
    }>(
      `SELECT toString(version) AS v, status, toUnixTimestamp64Milli(updated_at) AS updated,
         tool_call_count + interaction_count AS children
       FROM executions WHERE ${current} LIMIT 200
       UNION ALL
       SELECT toString(version), status, toUnixTimestamp64Milli(updated_at),
         tool_call_count + interaction_count
       FROM execution_states FINAL WHERE ${UNFINISHED_SNAPSHOT} LIMIT 50`,
    );
    if (!f || !u || !t) throw new Error("verification query returned no row");
    const n = (x: number | undefined) => Number(x ?? 0);
    const problems: string[] = [];
    const expect = (what: string, got: number, want: number) => {
      if (got !== want) problems.push(`${what}: ${int(got)}, expected ${int(want)}`);
    };
    expect("runs (current finished + unfinished)", n(f.runs) + n(u.runs), prepared.executions);
    expect(
      "tool calls on the current rows vs tool_calls rows",
      n(f.calls) + n(u.calls),
      n(t.calls),
    );
    expect(
      "interactions on the current rows vs interactions rows",
      n(f.interactions) + n(u.interactions),
      n(t.interactions),
    );
    expect("finished rows whose reported counts differ from the stored spans", n(f.mismatched), 0);
    expect(
      "rows whose version does not pack final-ness and child count",
      n(f.bad_version) + n(u.bad_version),
      0,
    );
    expect("rows with row_id 0", n(f.zero_ids) + n(u.zero_ids), 0);
    expect("distinct row ids in executions", n(t.row_ids), n(t.rows));
    let sampled = 0;
    for (const r of sample) {
      const version = BigInt(r.v);
      const final = ["completed", "failed", "cancelled"].includes(r.status);
      const root = Number((version >> 21n) & ((1n << 42n) - 1n));
      const generated = root === Number(r.updated);
      // The generated rows use the update time as the root order; write-path rows the SDK's seq.
      if (runVersion(final, generated ? Number(r.updated) : root, Number(r.children)) !== version) {
        problems.push(`version ${r.v} of a ${r.status} row is not runVersion(…)`);
        break;
      }
      if (generated) sampled++;
    }
    if (problems.length > 0)
      throw new Error(`the stored runs are not consistent:\n  ${problems.join("\n  ")}`);
    return (
      `verified after timing: ${int(n(f.runs) + n(u.runs))} runs counted once (${int(n(f.generated))} finished ` +
      `rows versioned by INSERT … SELECT, ${int(n(f.runs) - n(f.generated))} by the writer), ${int(n(t.calls))} tool ` +
      `calls and ${int(n(t.interactions))} interactions = the current rows' counts, reported = stored on every finished ` +
      `row, row ids non-zero and distinct, ${sample.length} versions checked against runVersion (${sampled} generated)`
    );
  } finally {
    await ch.close();
  }
}

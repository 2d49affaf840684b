import { createClickHouse, migrate } from "@runtrace/clickhouse";
import {
  clearDataset,
  DATA_TABLES,
  type DatasetPlan,
  describeDataset,
  diskUsage,
  GENERATOR_VERSION,
  generateDataset,
  settleMerges,
  storedDataset,
  type TableCounts,
  tableCounts,
} from "./dataset.ts";

/**
 * The generated dataset of the `query` and `ui` benchmarks in a data directory: reused when it
 * is still the one asked for, else (re)generated (see `dataset.ts`).
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
}

/** What to generate: the benchmarks' `--executions`, `--traces` and `--chunk`. */
export interface DataOptions {
  executions: number;
  /** Runs that get spans in `otel_traces` (the newest). */
  traces: number;
  /** Executions per INSERT … SELECT statement. */
  chunk: number;
}

/** Tables whose row count stays put after generation (the others collapse rows on merge). */
const STABLE_TABLES = DATA_TABLES.filter(
  (t) => !["otel_traces_trace_id_ts", "run_counts", "tool_counts"].includes(t),
);

function sameCounts(a: TableCounts, b: TableCounts): boolean {
  return STABLE_TABLES.every((t) => a[t] === b[t]);
}

/**
 * Opens the directory, reuses the dataset in it when it is this benchmark's for the same
 * parameters and still complete (TTL drops the oldest day about a day after generation), else
 * fills it; then waits for merges to finish and closes it for the query API process.
 */
export async function prepareData(dataDir: string, options: DataOptions): Promise<Prepared> {
  const ch = await createClickHouse({ dataDir, url: undefined, retentionDays: 30 });
  const lines: string[] = [];
  try {
    await migrate(ch);
    const stored = await storedDataset(ch);
    const counts = await tableCounts(ch);
    let reuse = false;
    if (stored) {
      const why =
        stored.generator !== GENERATOR_VERSION
          ? `made by generator version ${stored.generator}, this is ${GENERATOR_VERSION}`
          : stored.executions !== options.executions
            ? `holds ${int(stored.executions)} executions, not ${int(options.executions)}`
            : stored.traced !== options.traces
              ? `has traces for ${int(stored.traced)} runs, not ${int(options.traces)}`
              : !sameCounts(stored.counts, counts)
                ? `rows changed since generation (TTL dropped the oldest day?): executions ${int(counts.executions)} of ${int(stored.counts.executions)}`
                : undefined;
      if (why === undefined) {
        reuse = true;
        const ageHours = (Date.now() - stored.anchorMs) / 3_600_000;
        console.log(
          `reusing the dataset in ${dataDir}: ${int(stored.executions)} executions generated ` +
            `${ageHours.toFixed(1)} h ago in ${stored.seconds.toFixed(0)} s; time windows end at its generation time`,
        );
        // The oldest runs start an hour inside retention: past that, TTL deletes rows (and
        // rewrites parts) while requests are timed.
        if (ageHours > 1) {
          console.log(
            "  warning: older than an hour, so retention is deleting its oldest runs in the " +
              "background while requests are timed; figures run high. Delete the directory for " +
              "a fresh dataset",
          );
        }
      } else {
        console.log(`the dataset in ${dataDir} ${why}: generating it again`);
        await clearDataset(ch);
      }
    } else if (STABLE_TABLES.some((t) => counts[t] > 0)) {
      throw new Error(
        `${dataDir} holds runtrace data this benchmark did not generate ` +
          `(${int(counts.executions)} executions); give an empty or new --data-dir`,
      );
    }

    let anchorMs: number;
    let generationSeconds: number;
    if (reuse && stored) {
      anchorMs = stored.anchorMs;
      generationSeconds = stored.seconds;
    } else {
      anchorMs = Math.floor(Date.now() / 1000) * 1000;
      const plan: DatasetPlan = {
        executions: options.executions,
        anchorMs,
        traced: options.traces,
        chunk: options.chunk,
      };
      console.log(
        `generating ${int(plan.executions)} executions over 30 days in ${dataDir} ` +
          `(${int(plan.chunk)} per statement, two statements at a time)...`,
      );
      const generated = await generateDataset(ch, plan, (line) => console.log(line));
      generationSeconds = generated.seconds;
    }
    console.log("waiting for background merges to finish...");
    const settleSeconds = await settleMerges(ch);
    const final = await tableCounts(ch);
    const disk = await diskUsage(ch);
    const totalDisk = disk.reduce((s, d) => s + d.bytesOnDisk, 0);
    const totalRaw = disk.reduce((s, d) => s + d.uncompressedBytes, 0);
    const [v] = await ch.select<{ v: string }>("SELECT version() AS v");
    lines.push(
      `data: ${int(final.executions + final.execution_states)} executions ` +
        `(${int(final.executions)} finished in executions, ${int(final.execution_states)} unfinished in execution_states), ` +
        `${int(final.tool_calls)} tool_calls, ${int(final.interactions)} interactions, ` +
        `${int(final.otel_traces)} otel_traces spans, ${int(final.execution_ids)} execution_ids; ` +
        `${bytes(totalDisk)} on disk (${bytes(totalRaw)} uncompressed); ` +
        `${reuse ? "reused, generated earlier" : "generated"} in ${generationSeconds.toFixed(1)} s ` +
        `(${int((final.executions + final.execution_states) / generationSeconds)} executions/s), ` +
        `merges settled ${settleSeconds.toFixed(0)} s later; embedded ClickHouse ${v?.v ?? "?"}`,
    );
    lines.push(
      `  on disk: ${disk
        .map((d) => `${d.table} ${bytes(d.bytesOnDisk)} (${int(d.rows)} rows, ${d.parts} parts)`)
        .join(", ")}`,
    );
    for (const line of await describeDataset(ch, anchorMs)) lines.push(`  ${line}`);
    return { anchorMs, lines };
  } finally {
    await ch.close();
  }
}

import { readConfig } from "@runtrace/cli";
import { type ClickHouse, createClickHouse } from "@runtrace/clickhouse";

/** One table's active parts: bytes on disk, compressed and uncompressed column bytes, rows. */
export interface TableParts {
  table: string;
  bytes: number;
  packed: number;
  unpacked: number;
  rows: number;
}

/** Every table's active parts, largest on disk first. */
export function partsByTable(ch: ClickHouse): Promise<TableParts[]> {
  return ch.select<TableParts>(
    `SELECT table, sum(bytes_on_disk) AS bytes, sum(data_compressed_bytes) AS packed,
       sum(data_uncompressed_bytes) AS unpacked, sum(rows) AS rows
     FROM system.parts WHERE active AND database = currentDatabase()
     GROUP BY table ORDER BY bytes DESC`,
  );
}

/** Bytes on disk of the tables that hold runs, tool calls and spans, per run and per call. */
export async function storageReport(dataDir: string, runs: number): Promise<string[]> {
  const ch = await createClickHouse({
    ...readConfig(process.env).clickhouse,
    dataDir,
    url: undefined,
    retentionDays: 30,
  });
  try {
    const tables = await partsByTable(ch);
    const byTable = new Map(tables.map((t) => [t.table, t]));
    const sum = (names: string[]) =>
      names.reduce((n, name) => n + Number(byTable.get(name)?.bytes ?? 0), 0);
    const runTables = [
      "executions",
      "execution_states",
      "execution_ids",
      "superseded_executions",
      "superseded_repeats",
      "run_arrivals",
      "run_counts",
      "tool_counts",
      "tool_match_counts",
    ];
    const calls = Number(byTable.get("tool_calls")?.rows ?? 0);
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    const perRun = (bytes: number) => `${(bytes / Math.max(1, runs)).toFixed(0)} B/run`;
    const lines = [
      `bytes on disk: ${mb(sum([...byTable.keys()]))} in all; run tables ${mb(sum(runTables))} ` +
        `(${perRun(sum(runTables))}), tool_calls ${mb(sum(["tool_calls"]))} ` +
        `(${(sum(["tool_calls"]) / Math.max(1, calls)).toFixed(0)} B/call), ` +
        `otel_traces ${mb(sum(["otel_traces", "otel_traces_trace_id_ts"]))}`,
      `  per table: ${tables
        .filter((t) => Number(t.bytes) > 0)
        .map((t) => `${t.table} ${mb(Number(t.bytes))}`)
        .join(", ")}`,
    ];
    return lines;
  } finally {
    await ch.close();
  }
}

/**
 * @module
 * After the collector: the stored rows checked against what was acknowledged, and the raw engine rate.
 */
import { type ClickHouse, mapSpans, type SpanRows } from "@runtrace/clickhouse";
// The writer's own serializers, through the package's internal entry point: the raw baseline
// sends byte for byte the bodies the writer sends.
import {
  EXECUTION_COLUMNS,
  emptySpanRows,
  executionLine,
  OTEL_TRACES_COLUMNS,
  otelTracesLine,
  otelTracesNative,
  TOOL_CALL_COLUMNS,
  toolCallLine,
} from "@runtrace/clickhouse/internal";
import { decodeTracesProtobuf } from "@runtrace/otlp";
import { partsByTable } from "../query/storage.ts";
import type { Pool } from "./load.ts";

// --- after the collector: stored rows and the raw engine rate --------------------------------

export interface RawInsert {
  table: string;
  columns: readonly string[];
  body: string | Buffer;
  rows: number;
  native: boolean;
}

export interface Expected {
  spans: number;
  traces: number;
  executions: number;
  toolCalls: number;
  states: number;
}

/**
 * Decodes the acknowledged requests as the collector does and serializes their rows, in
 * batches of about `batchRows` rows, with the writer's line serializers. Snapshots are left
 * out (what the collector leaves stored is each run's final row); the snapshots whose run's
 * final span was never sent are counted, as they stay in `execution_states`.
 */
export function planRaw(
  pool: Pool,
  cutoffMs: number,
  batchRows: number,
  spanFormat: "native" | "tsv",
): { inserts: RawInsert[]; expected: Expected } {
  const inserts: RawInsert[] = [];
  const expected: Expected = { spans: 0, traces: 0, executions: 0, toolCalls: 0, states: 0 };
  const finals = new Set<string>();
  const states = new Set<string>();
  const flush = (batch: SpanRows) => {
    const finalRows = batch.executions.filter((e) => e.final);
    for (const e of batch.executions) (e.final ? finals : states).add(e.executionId);
    const parts: [string, readonly string[], string[]][] = [
      ["executions", EXECUTION_COLUMNS, finalRows.map(executionLine)],
      ["tool_calls", TOOL_CALL_COLUMNS, batch.toolCalls.map(toolCallLine)],
    ];
    if (spanFormat === "tsv") {
      parts.unshift(["otel_traces", OTEL_TRACES_COLUMNS, batch.traces.map(otelTracesLine)]);
    } else if (batch.traces.length > 0) {
      const body = otelTracesNative(batch.traces);
      inserts.push({
        table: "otel_traces",
        columns: OTEL_TRACES_COLUMNS,
        body,
        rows: batch.traces.length,
        native: true,
      });
    }
    for (const [table, columns, lines] of parts) {
      if (lines.length > 0)
        inserts.push({ table, columns, body: lines.join(""), rows: lines.length, native: false });
    }
    expected.traces += batch.traces.length;
    expected.executions += finalRows.length;
    expected.toolCalls += batch.toolCalls.length;
    if (batch.rejected > 0) {
      throw new Error(`spans were rejected: ${JSON.stringify(batch.rejectReasons)}`);
    }
  };
  let batch = emptySpanRows();
  for (let i = 0; i < pool.bodies.length; i++) {
    if (!pool.acknowledged[i]) continue;
    const spans = decodeTracesProtobuf(pool.bodies[i]!);
    expected.spans += spans.length;
    mapSpans(spans, { retentionCutoffMs: cutoffMs }, batch);
    if (batch.traces.length + batch.executions.length + batch.toolCalls.length >= batchRows) {
      flush(batch);
      batch = emptySpanRows();
    }
  }
  flush(batch);
  for (const id of finals) states.delete(id);
  expected.states = states.size;
  return { inserts, expected };
}

/**
 * Bytes on disk per span after merges (every table optimized first), for `otel_traces` and for
 * all tables, and the compression ratio as ClickHouse reports it (uncompressed / compressed
 * bytes of the active parts' columns).
 */
export async function spanStorage(ch: ClickHouse, spans: number): Promise<string> {
  const tables = await ch.select<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree'",
  );
  for (const t of tables) await ch.command(`OPTIMIZE TABLE \`${t.name}\` FINAL`);
  const rows = await partsByTable(ch);
  const traces = rows.find((r) => r.table === "otel_traces");
  const all = rows.reduce(
    (t, r) => ({
      bytes: t.bytes + Number(r.bytes),
      packed: t.packed + Number(r.packed),
      unpacked: t.unpacked + Number(r.unpacked),
    }),
    { bytes: 0, packed: 0, unpacked: 0 },
  );
  const ratio = (r: { packed: number; unpacked: number }) =>
    `${(Number(r.unpacked) / Math.max(1, Number(r.packed))).toFixed(1)}×`;
  return (
    `storage after OPTIMIZE … FINAL: otel_traces ${(Number(traces?.bytes ?? 0) / spans).toFixed(0)} B/span ` +
    `(compression ${traces ? ratio(traces) : "-"}), all tables ${(all.bytes / spans).toFixed(0)} B/span ` +
    `(compression ${ratio(all)}; ${(all.bytes / 1e6).toFixed(1)} MB on disk for ${spans} spans)`
  );
}

/** Fails unless the tables hold every acknowledged span's rows, each once. */
export async function verifyStored(ch: ClickHouse, expected: Expected, withStates: boolean) {
  const [c] = await ch.select<{
    traces: number;
    span_ids: number;
    executions: number;
    execution_ids: number;
    tool_calls: number;
    states: number;
  }>(
    `SELECT (SELECT count() FROM otel_traces) AS traces,
            (SELECT uniqExact(TraceId, SpanId) FROM otel_traces) AS span_ids,
            -- A run's root stored before some of its spans gets a newer version once they come:
            -- the versions replaced are listed in superseded_executions.
            (SELECT count() FROM executions
              WHERE row_id NOT IN (SELECT row_id FROM superseded_executions)) AS executions,
            (SELECT uniqExact(execution_id) FROM executions) AS execution_ids,
            (SELECT count() FROM tool_calls) AS tool_calls,
            (SELECT uniqExact(execution_id) FROM execution_states) AS states`,
  );
  if (!c) throw new Error("count query returned no row");
  const n = (x: number) => Number(x);
  const stateSpans = expected.spans - expected.traces;
  const text =
    `otel_traces ${n(c.traces)} rows (${n(c.span_ids)} distinct span ids) + ${stateSpans} state ` +
    `spans = ${n(c.traces) + stateSpans}/${expected.spans} spans; executions ${n(c.executions)}/` +
    `${expected.executions}, tool_calls ${n(c.tool_calls)}/${expected.toolCalls}` +
    (withStates ? `, unfinished runs in execution_states ${n(c.states)}/${expected.states}` : "");
  const ok =
    n(c.traces) === expected.traces &&
    n(c.span_ids) === expected.traces &&
    n(c.executions) === expected.executions &&
    n(c.execution_ids) === expected.executions &&
    n(c.tool_calls) === expected.toolCalls &&
    (!withStates || n(c.states) === expected.states);
  if (!ok) throw new Error(`verification failed: ${text}`);
  return text;
}

import { randomUUID } from "node:crypto";
import { type MetricRows, metricPointCount, type SpanInput } from "@runtrace/model";
import type { ClickHouse } from "../connection/client.ts";
import { metricRowsBytes, spanBytes } from "../rows/approximate-bytes.ts";
import {
  gaugeLine,
  histogramLine,
  METRIC_GAUGE_COLUMNS,
  METRIC_HISTOGRAM_COLUMNS,
  METRIC_SUM_COLUMNS,
  sumLine,
} from "../rows/metric-rows.ts";
import { otelTracesNative } from "../rows/otel-traces-native.ts";
import type { ExecutionRow, SpanRows } from "../rows/rows.ts";
import { emptySpanRows, mapSpans } from "../rows/span-to-rows.ts";
import {
  EXECUTION_SNAPSHOT_COLUMNS,
  executionSnapshotLine,
  OTEL_TRACES_COLUMNS,
  otelTracesLine,
} from "../rows/tables.ts";
import { retentionCutoffMs } from "../schema/retention.ts";
import { join, pipeline } from "./insert-pipeline.ts";
import { newMetricPoints } from "./metric-points.ts";
import { RecentKeys } from "./recent-keys.ts";
import type { WriteResult } from "./result.ts";
import { briefError, isPermanentInsertError } from "./retryable.ts";
import { writeRunTables } from "./run-writer.ts";
import { deleteSettledStates } from "./settled-states.ts";
import { registerWriter, type WriterRegistration } from "./writer-registry.ts";

export interface BatchingWriterOptions {
  /** A batch is written as soon as it holds this many rows. @default 10000 */
  maxBatchRows?: number;
  /** …or this long after its first row arrived. @default 200 */
  flushIntervalMillis?: number;
  /**
   * Rows waiting beyond this make new writes answer `retryable` (saturated). A write larger
   * than this is taken only when nothing else waits. @default 200000
   */
  maxQueueRows?: number;
  /**
   * Bytes waiting or being written beyond this make new writes answer `retryable` (saturated).
   * A write's bytes are the size of the request it came from ({@link WriteOptions.bytes}), or
   * about its OTLP size. A write larger than this is taken only when nothing else waits.
   * @default 268435456 (256 MiB)
   */
  maxQueueBytes?: number;
  /** Attempts per batch before its writes fail. @default 5 */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. @default 100 */
  initialBackoffMillis?: number;
  /** @default 5000 */
  maxBackoffMillis?: number;
  /**
   * Span ids remembered to recognise a span delivered again (an exporter retrying after a lost
   * acknowledgement). Size it to spans/s × the clients' retry horizon. @default 262144
   */
  dedupWindowSpans?: number;
  /**
   * How often snapshots of finished runs are deleted from `execution_states` (they are already
   * invisible to readers) and the days they were in merged. @default 30000
   */
  stateCleanupIntervalMillis?: number;
  /** Told of every failed attempt (the write itself is retried or reported). */
  onError?: (error: unknown) => void;
  /**
   * How `otel_traces` rows are sent: a Native block or TabSeparated text.
   * @default the connection's `insertFormat` (`RUNTRACE_INSERT_FORMAT`)
   */
  spanFormat?: "native" | "tsv";
}

export interface WriteOptions {
  /**
   * The size of what this write was decoded from (an OTLP request body, after decompression),
   * counted against `maxQueueBytes` until it is stored. Without it, about its OTLP size.
   */
  bytes?: number;
}

export interface WriterStats {
  spansStored: number;
  spansRejected: number;
  metricPointsStored: number;
  duplicatesDropped: number;
  retries: number;
  failedBatches: number;
  batchesWritten: number;
  queueRows: number;
  /** Bytes of the writes waiting and being written. */
  queueBytes: number;
  lastInsertMillis: number;
  insertMillisTotal: number;
}

interface Item {
  spans?: SpanRows;
  metrics?: MetricRows;
  /** Spans or points this write carried (the unit of its result). */
  units: number;
  rows: number;
  bytes: number;
  /** When it was queued (`performance.now()`). */
  queuedAt: number;
  resolve: (result: WriteResult) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Group-commits writes into shared inserts. Each write's promise settles when the batch that
 * holds its rows is stored (or has failed every attempt), so a caller acknowledges only what
 * ClickHouse has. Flushes by size and by time, bounds its queue, retries with backoff, and
 * de-duplicates so a retried batch or a span delivered twice is stored once.
 */
export class BatchingWriter {
  readonly #ch: ClickHouse;
  readonly #maxBatchRows: number;
  readonly #flushIntervalMillis: number;
  readonly #maxQueueRows: number;
  readonly #maxQueueBytes: number;
  readonly #maxAttempts: number;
  readonly #spanFormat: "native" | "tsv";
  readonly #initialBackoffMillis: number;
  readonly #maxBackoffMillis: number;
  readonly #onError: (error: unknown) => void;
  readonly #recentSpans: RecentKeys;
  readonly #stateCleanupIntervalMillis: number;
  #settled: ExecutionRow[] = [];
  #lastCleanup = 0;
  #queue: Item[] = [];
  #queueRows = 0;
  /** Of the writes waiting and of the batch being written. */
  #queueBytes = 0;
  /** About the rows and bytes of a write: a moving average of the recent ones. */
  #typicalRows = 0;
  #typicalBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #closed = false;
  readonly #stats: WriterStats = {
    spansStored: 0,
    spansRejected: 0,
    metricPointsStored: 0,
    duplicatesDropped: 0,
    retries: 0,
    failedBatches: 0,
    batchesWritten: 0,
    queueRows: 0,
    queueBytes: 0,
    lastInsertMillis: 0,
    insertMillisTotal: 0,
  };

  readonly #registration: WriterRegistration;

  constructor(ch: ClickHouse, options: BatchingWriterOptions = {}) {
    this.#ch = ch;
    this.#registration = registerWriter(ch);
    this.#maxBatchRows = Math.max(1, options.maxBatchRows ?? 10_000);
    this.#flushIntervalMillis = Math.max(0, options.flushIntervalMillis ?? 200);
    this.#maxQueueRows = Math.max(this.#maxBatchRows, options.maxQueueRows ?? 200_000);
    this.#maxQueueBytes = Math.max(1, options.maxQueueBytes ?? 256 * 1024 * 1024);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#spanFormat = options.spanFormat ?? ch.config.insertFormat;
    this.#initialBackoffMillis = Math.max(1, options.initialBackoffMillis ?? 100);
    this.#maxBackoffMillis = Math.max(
      this.#initialBackoffMillis,
      options.maxBackoffMillis ?? 5_000,
    );
    this.#onError = options.onError ?? (() => {});
    this.#recentSpans = new RecentKeys(options.dedupWindowSpans ?? 262_144);
    this.#stateCleanupIntervalMillis = Math.max(0, options.stateCleanupIntervalMillis ?? 30_000);
  }

  get clickhouse(): ClickHouse {
    return this.#ch;
  }

  /**
   * True while a write like the recent ones would not fit in the queue: it would answer
   * `retryable` (saturated). A caller checks it before reading a request.
   */
  get saturated(): boolean {
    return !this.fits(Math.ceil(this.#typicalBytes));
  }

  /**
   * Whether a write of `bytes` (and as many rows as the recent ones) would be taken now. A
   * caller that has read a request checks it before decoding: under overload a request refused
   * only once decoded and mapped has cost that work for nothing. Decoding and handing the
   * write over are synchronous, so nothing can take the room in between.
   */
  fits(bytes: number): boolean {
    return this.#hasRoom(this.#typicalRows, bytes);
  }

  #hasRoom(rows: number, bytes: number): boolean {
    // With nothing waiting any write is taken, or one larger than a bound never would be.
    if (this.#queue.length === 0) return true;
    return (
      this.#queueRows + rows <= this.#maxQueueRows &&
      this.#queueBytes + bytes <= this.#maxQueueBytes
    );
  }

  /** How long a saturated caller should wait before trying again. */
  get retryAfterMillis(): number {
    return Math.max(1000, this.#flushIntervalMillis * 5);
  }

  stats(): WriterStats {
    return { ...this.#stats, queueRows: this.#queueRows, queueBytes: this.#queueBytes };
  }

  /** Maps spans to rows (rejecting invalid ones now) and settles once they are stored. */
  writeSpans(spans: Iterable<SpanInput>, options: WriteOptions = {}): Promise<WriteResult> {
    let bytes = options.bytes;
    if (bytes === undefined) {
      const list = Array.isArray(spans) ? (spans as SpanInput[]) : [...spans];
      bytes = 0;
      for (const span of list) bytes += spanBytes(span);
      spans = list;
    }
    const rows = mapSpans(spans, {
      retentionCutoffMs: retentionCutoffMs(this.#ch.config.retentionDays),
    });
    this.#stats.spansRejected += rows.rejected;
    const units = rows.accepted;
    const size =
      rows.traces.length +
      rows.executions.length +
      rows.toolCalls.length +
      rows.interactions.length +
      rows.snapshots.length;
    return this.#enqueue({ spans: rows, units, rows: size, bytes }, rows);
  }

  /** Writes metric points to the collector-compatible metrics tables. */
  writeMetrics(metrics: MetricRows, options: WriteOptions = {}): Promise<WriteResult> {
    const n = metricPointCount(metrics);
    const bytes = options.bytes ?? metricRowsBytes(metrics);
    return this.#enqueue({ metrics, units: n, rows: n, bytes });
  }

  #enqueue(item: Omit<Item, "resolve" | "queuedAt">, spans?: SpanRows): Promise<WriteResult> {
    const rejected = spans?.rejected ?? 0;
    const rejectReasons = spans?.rejectReasons ?? {};
    if (this.#closed) return Promise.resolve({ status: "failed", message: "the writer is closed" });
    if (item.rows === 0) {
      return Promise.resolve({ status: "stored", stored: 0, rejected, rejectReasons });
    }
    if (!this.#hasRoom(item.rows, item.bytes)) {
      return Promise.resolve({
        status: "retryable",
        reason: "saturated",
        message: `the write queue is full (${this.#queueRows} rows waiting, ${this.#queueBytes} bytes waiting or being written)`,
        retryAfterMillis: this.retryAfterMillis,
      });
    }
    return new Promise<WriteResult>((resolve) => {
      this.#queue.push({
        ...item,
        queuedAt: performance.now(),
        resolve: (result) =>
          resolve(result.status === "stored" ? { ...result, rejected, rejectReasons } : result),
      });
      this.#queueRows += item.rows;
      this.#queueBytes += item.bytes;
      this.#typicalRows = typical(this.#typicalRows, item.rows);
      this.#typicalBytes = typical(this.#typicalBytes, item.bytes);
      if (this.#queueRows >= this.#maxBatchRows) this.#kick();
      else this.#timer ??= setTimeout(() => this.#kick(), this.#flushIntervalMillis);
    });
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      // Writes that arrived during the last commit wait for the size trigger or until the
      // oldest has waited `flushIntervalMillis` since it arrived: its own timer may have fired
      // while the commit ran, and it must not wait a whole interval more.
      if (this.#queue.length > 0 && !this.#timer) {
        const left = this.#flushIntervalMillis - (performance.now() - this.#queue[0]!.queuedAt);
        if (this.#queueRows >= this.#maxBatchRows || left <= 0) this.#kick();
        else this.#timer = setTimeout(() => this.#kick(), left);
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch: Item[] = [];
      let rows = 0;
      while (
        this.#queue.length > 0 &&
        (batch.length === 0 || rows + this.#queue[0]!.rows <= this.#maxBatchRows)
      ) {
        const item = this.#queue.shift()!;
        batch.push(item);
        rows += item.rows;
      }
      this.#queueRows -= rows;
      try {
        await this.#commit(batch);
      } finally {
        for (const item of batch) this.#queueBytes -= item.bytes;
      }
      if (this.#queueRows < this.#maxBatchRows && !this.#closed && this.#flushing === 0) return;
    }
  }

  #flushing = 0;

  /** Writes everything accepted so far. */
  async flush(): Promise<void> {
    this.#flushing++;
    try {
      while (this.#queue.length > 0 || this.#draining) {
        this.#kick();
        await this.#draining;
      }
      await this.#cleanUpStates(true);
    } finally {
      this.#flushing--;
    }
  }

  /** Stops accepting writes and writes everything accepted. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#registration.release();
  }

  async #commit(batch: Item[]): Promise<void> {
    const token = randomUUID();
    const spans = mergeSpanRows(batch);
    const metrics = mergeMetricRows(batch);
    // Spans seen in an earlier successful batch are dropped once, before any attempt, so every
    // attempt sends the same otel_traces body under the same deduplication token.
    const traces: SpanInput[] = [];
    const inBatch = new Set<string>();
    for (const span of spans.traces) {
      const key = span.traceId + span.spanId;
      if (this.#recentSpans.has(key) || inBatch.has(key)) {
        this.#stats.duplicatesDropped++;
        continue;
      }
      inBatch.add(key);
      traces.push(span);
    }
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await this.#insert(token, traces, spans, metrics, () => {
          // Once the span table holds them, a client retrying this batch after a later
          // failure must not store them again.
          for (const key of inBatch) this.#recentSpans.add(key);
        });
        this.#stats.lastInsertMillis = performance.now() - started;
        this.#stats.insertMillisTotal += this.#stats.lastInsertMillis;
        this.#stats.batchesWritten++;
        for (const item of batch) {
          if (item.spans) this.#stats.spansStored += item.units;
          else this.#stats.metricPointsStored += item.units;
          item.resolve({ status: "stored", stored: item.units, rejected: 0, rejectReasons: {} });
        }
        await this.#cleanUpStates(false);
        return;
      } catch (error) {
        this.#onError(error);
        if (isPermanentInsertError(error)) {
          await this.#isolate(batch, error);
          return;
        }
        if (attempt >= this.#maxAttempts) {
          this.#stats.failedBatches++;
          const message = `ClickHouse insert failed after ${attempt} attempts: ${briefError(error)}`;
          for (const item of batch) {
            item.resolve({
              status: "retryable",
              reason: "unavailable",
              message,
              retryAfterMillis: 2_000,
            });
          }
          return;
        }
        this.#stats.retries++;
        const backoff = Math.min(
          this.#maxBackoffMillis,
          this.#initialBackoffMillis * 2 ** (attempt - 1),
        );
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
    }
  }

  /**
   * Rows ClickHouse refuses to parse fail only the write that carried them: a batch of several
   * writes is committed again one write at a time, so the good ones are kept.
   */
  async #isolate(batch: Item[], error: unknown): Promise<void> {
    if (batch.length > 1) {
      for (const item of batch) await this.#commit([item]);
      return;
    }
    this.#stats.failedBatches++;
    batch[0]?.resolve({
      status: "failed",
      message: `ClickHouse refused the rows: ${(error as Error)?.message ?? error}`,
      error,
    });
  }

  async #insert(
    token: string,
    traces: SpanInput[],
    spans: SpanRows,
    metrics: MetricRows,
    onTracesStored: () => void,
  ): Promise<void> {
    const ch = this.#ch;
    // Two lanes on two clients: the run tables (reads, then inserts, then reads again) while
    // the span and metric tables are inserted. Each attempt reads what is stored afresh, so
    // what an earlier attempt stored is not written twice.
    // The run lane's reads and derivation take longer than the span lane's inserts: the new
    // child spans (tool calls, interactions) are inserted on the span lane once it is free.
    let spanLaneFree!: () => void;
    const spanLaneDone = new Promise<void>((resolve) => {
      spanLaneFree = resolve;
    });
    const runs = (async () => {
      const result = await writeRunTables(ch.runs, spans, {
        alone: this.#registration.alone(),
        insertChildren: (jobs) => spanLaneDone.then(() => pipeline(ch, jobs)),
      });
      this.#stats.duplicatesDropped += result.duplicatesDropped;
      return result.settled;
    })();
    // Metric points a client sends again (a retry after a partial failure, or after a lost
    // acknowledgement) are dropped when stored already.
    const spanTables = (async () => {
      const points = await newMetricPoints(ch, metrics);
      this.#stats.duplicatesDropped += metricPointCount(metrics) - metricPointCount(points);
      // Each table's rows are built while the previous insert (or the other lane) runs.
      const native = this.#spanFormat === "native";
      await pipeline(ch, [
        [
          "otel_traces",
          OTEL_TRACES_COLUMNS,
          native ? () => otelTracesNative(traces) : () => join(traces, otelTracesLine),
          `${token}-traces`,
          onTracesStored,
          native ? "Native" : "TabSeparated",
        ],
        [
          "execution_snapshots",
          EXECUTION_SNAPSHOT_COLUMNS,
          () => join(spans.snapshots, executionSnapshotLine),
          `${token}-snapshots`,
        ],
        ["otel_metrics_sum", METRIC_SUM_COLUMNS, () => join(points.sums, sumLine), `${token}-sum`],
        [
          "otel_metrics_gauge",
          METRIC_GAUGE_COLUMNS,
          () => join(points.gauges, gaugeLine),
          `${token}-gauge`,
        ],
        [
          "otel_metrics_histogram",
          METRIC_HISTOGRAM_COLUMNS,
          () => join(points.histograms, histogramLine),
          `${token}-histogram`,
        ],
      ]);
    })();
    spanTables.finally(spanLaneFree).catch(() => undefined);
    const [spanResult, runResult] = await Promise.allSettled([spanTables, runs]);
    if (spanResult.status === "rejected") throw spanResult.reason;
    if (runResult.status === "rejected") throw runResult.reason;
    for (const row of runResult.value) this.#settled.push(row);
  }

  /**
   * Deletes the snapshots of runs that finished. Readers already skip a snapshot whose run has
   * a final row, so this only keeps `execution_states` small; it runs at most every
   * `stateCleanupIntervalMillis`, outside any write's acknowledgement, and on flush.
   */
  async #cleanUpStates(force: boolean): Promise<void> {
    if (this.#settled.length === 0) return;
    if (!force && performance.now() - this.#lastCleanup < this.#stateCleanupIntervalMillis) return;
    const settled = this.#settled;
    this.#settled = [];
    this.#lastCleanup = performance.now();
    try {
      await deleteSettledStates(this.#ch.runs, settled);
    } catch (error) {
      this.#onError(error);
      for (const row of settled) this.#settled.push(row);
    }
  }
}

/** A moving average that starts at the first value. */
function typical(average: number, value: number): number {
  return average === 0 ? value : 0.8 * average + 0.2 * value;
}

function mergeSpanRows(batch: readonly Item[]): SpanRows {
  if (batch.length === 1 && batch[0]!.spans) return batch[0]!.spans;
  const out = emptySpanRows();
  for (const item of batch) {
    const s = item.spans;
    if (!s) continue;
    for (const r of s.traces) out.traces.push(r);
    for (const r of s.executions) out.executions.push(r);
    for (const r of s.toolCalls) out.toolCalls.push(r);
    for (const r of s.interactions) out.interactions.push(r);
    for (const r of s.snapshots) out.snapshots.push(r);
  }
  return out;
}

function mergeMetricRows(batch: readonly Item[]): MetricRows {
  const out: MetricRows = { sums: [], gauges: [], histograms: [] };
  for (const item of batch) {
    const m = item.metrics;
    if (!m) continue;
    for (const r of m.sums) out.sums.push(r);
    for (const r of m.gauges) out.gauges.push(r);
    for (const r of m.histograms) out.histograms.push(r);
  }
  return out;
}

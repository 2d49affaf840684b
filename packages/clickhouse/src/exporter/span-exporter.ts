import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { spanInputFromReadable } from "./span-input-from-readable.ts";
import { WriterSink, type WriterSinkOptions } from "./writer-sink.ts";

export type ClickHouseSpanExporterOptions = WriterSinkOptions;

/**
 * An `@opentelemetry/sdk-trace-base` SpanExporter writing straight into runtrace's ClickHouse
 * tables (spans, runs, tool calls, interactions) through the batching writer. An export
 * succeeds once its spans are stored; invalid spans are dropped and reported, not retried.
 *
 * @example
 * const exporter = new ClickHouseSpanExporter({ clickhouse: await createClickHouse({ dataDir: "./data" }) });
 * provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 */
export class ClickHouseSpanExporter implements SpanExporter {
  readonly #sink: WriterSink;

  constructor(options: ClickHouseSpanExporterOptions) {
    this.#sink = new WriterSink(options);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#sink.export(
      () => this.#sink.writer.writeSpans(spans.map(spanInputFromReadable)),
      resultCallback,
    );
  }

  /** Writes every span accepted so far. */
  forceFlush(): Promise<void> {
    return this.#sink.forceFlush();
  }

  /** Flushes; closes the writer when this exporter created it. */
  shutdown(): Promise<void> {
    return this.#sink.shutdown();
  }
}

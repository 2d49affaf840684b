import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ClickHouse } from "../connection/client.ts";
import { BatchingWriter, type BatchingWriterOptions } from "../writer/batching-writer.ts";
import { spanInputFromReadable } from "./span-input-from-readable.ts";

export type ClickHouseSpanExporterOptions =
  | { writer: BatchingWriter }
  | { clickhouse: ClickHouse; writerOptions?: BatchingWriterOptions };

/**
 * An `@opentelemetry/sdk-trace-base` SpanExporter writing straight into runtrace's ClickHouse
 * tables (spans, runs, tool calls, interactions) through the batching writer. An export
 * succeeds once its spans are stored; invalid spans are dropped and reported, not retried.
 *
 * @example
 * const exporter = new ClickHouseSpanExporter({ clickhouse: await createClickHouse() });
 * provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 */
export class ClickHouseSpanExporter implements SpanExporter {
  readonly #writer: BatchingWriter;
  readonly #ownsWriter: boolean;
  #shutdown = false;

  constructor(options: ClickHouseSpanExporterOptions) {
    if ("writer" in options) {
      this.#writer = options.writer;
      this.#ownsWriter = false;
    } else {
      this.#writer = new BatchingWriter(options.clickhouse, options.writerOptions);
      this.#ownsWriter = true;
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error("Exporter has been shut down"),
      });
      return;
    }
    let inputs: ReturnType<typeof spanInputFromReadable>[];
    try {
      inputs = spans.map(spanInputFromReadable);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    this.#writer.writeSpans(inputs).then(
      (result) => {
        if (result.status === "stored") resultCallback({ code: ExportResultCode.SUCCESS });
        else resultCallback({ code: ExportResultCode.FAILED, error: new Error(result.message) });
      },
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  }

  /** Writes every span accepted so far. */
  forceFlush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Flushes; closes the writer when this exporter created it. */
  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdown = true;
    if (this.#ownsWriter) await this.#writer.close();
    else await this.#writer.flush();
  }
}

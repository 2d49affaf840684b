import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ClickHouse } from "../connection/client.ts";
import { BatchingWriter, type BatchingWriterOptions } from "../writer/batching-writer.ts";
import type { WriteResult } from "../writer/result.ts";

/** Either a shared writer, or a ClickHouse handle for a writer of the exporter's own. */
export type WriterSinkOptions =
  | { writer: BatchingWriter }
  | { clickhouse: ClickHouse; writerOptions?: BatchingWriterOptions };

/**
 * What the span and metric exporters share: the writer they write through, the mapping of a
 * write's outcome to an OTel ExportResult, and a once-only shutdown that closes the writer
 * only when the exporter created it.
 */
export class WriterSink {
  readonly writer: BatchingWriter;
  readonly #ownsWriter: boolean;
  #shutdown = false;

  constructor(options: WriterSinkOptions) {
    if ("writer" in options) {
      this.writer = options.writer;
      this.#ownsWriter = false;
    } else {
      this.writer = new BatchingWriter(options.clickhouse, options.writerOptions);
      this.#ownsWriter = true;
    }
  }

  get isShutdown(): boolean {
    return this.#shutdown;
  }

  /** Runs one export: never throws, always calls back once. */
  export(write: () => Promise<WriteResult>, resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error("Exporter has been shut down"),
      });
      return;
    }
    let pending: Promise<WriteResult>;
    try {
      pending = write();
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    pending.then(
      (result) => {
        if (result.status === "stored") resultCallback({ code: ExportResultCode.SUCCESS });
        else resultCallback({ code: ExportResultCode.FAILED, error: new Error(result.message) });
      },
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdown = true;
    if (this.#ownsWriter) await this.writer.close();
    else await this.writer.flush();
  }
}

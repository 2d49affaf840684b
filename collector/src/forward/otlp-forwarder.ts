/**
 * Fan-out: every OTLP request the collector stored is also sent, byte for byte, to a second
 * OTLP/HTTP endpoint (a Jaeger, another collector). It is a copy for convenience, never part
 * of ingest: it starts after the request is stored, is never retried, never waits in a queue,
 * and a slow or dead target costs at most the bounded bytes of the copies in flight.
 */

export type ForwardSignal = "traces" | "metrics";

export const FORWARD_SIGNALS: readonly ForwardSignal[] = ["traces", "metrics"];

export type ForwardResult = "ok" | "failed" | "dropped";

export interface OtlpForwarderOptions {
  /** Base URL; `/v1/traces` and `/v1/metrics` are appended, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Signals to pass on: a trace-only target (Jaeger) answers metrics with an error. */
  signals: readonly ForwardSignal[];
  /** Longest a copy may take, connection included. */
  timeoutMillis: number;
  /** Copies in flight beyond which a new one is dropped. */
  maxInFlight: number;
  /** Bytes (as received, compressed) of the copies in flight beyond which a new one is dropped. */
  maxInFlightBytes: number;
  /** Failures and drops are summed between log lines at least this far apart. @default 60000 */
  logIntervalMillis?: number;
  /** Where the summary lines go. @default console.warn */
  log?: (line: string) => void;
}

export interface ForwardHeaders {
  contentType: string;
  contentEncoding?: string | undefined;
}

/** Sends copies of accepted OTLP requests to another endpoint without ever holding up ingest. */
export class OtlpForwarder {
  readonly endpoint: string;
  readonly #urls: ReadonlyMap<ForwardSignal, string>;
  readonly #options: OtlpForwarderOptions;
  readonly #counts = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();
  #inFlight = 0;
  #inFlightBytes = 0;
  #lastLogAt: number | undefined;
  #failedSinceLog = 0;
  #droppedSinceLog = 0;

  constructor(options: OtlpForwarderOptions) {
    this.#options = options;
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.#urls = new Map(options.signals.map((s) => [s, `${this.endpoint}/v1/${s}`]));
    for (const signal of options.signals) {
      for (const result of ["ok", "failed", "dropped"] as const) {
        this.#counts.set(`${signal}\u0000${result}`, 0);
      }
    }
  }

  /** Copies a stored request to the target, unless its signal is not forwarded. Never throws. */
  forward(signal: ForwardSignal, body: Uint8Array, headers: ForwardHeaders): void {
    const url = this.#urls.get(signal);
    if (url === undefined) return;
    const { maxInFlight, maxInFlightBytes } = this.#options;
    if (this.#inFlight >= maxInFlight || this.#inFlightBytes + body.byteLength > maxInFlightBytes) {
      this.#count(signal, "dropped");
      this.#noteProblem(
        "dropped",
        `over the in-flight bound (${this.#inFlight} copies, ${this.#inFlightBytes} bytes in flight)`,
      );
      return;
    }
    this.#inFlight += 1;
    this.#inFlightBytes += body.byteLength;
    const sent = this.#send(url, body, headers).then(
      () => this.#count(signal, "ok"),
      (error: unknown) => {
        this.#count(signal, "failed");
        this.#noteProblem("failed", describe(error));
      },
    );
    const settled = sent.finally(() => {
      this.#inFlight -= 1;
      this.#inFlightBytes -= body.byteLength;
      this.#pending.delete(settled);
    });
    this.#pending.add(settled);
  }

  async #send(url: string, body: Uint8Array, headers: ForwardHeaders): Promise<void> {
    const sendHeaders: Record<string, string> = { "content-type": headers.contentType };
    if (headers.contentEncoding) sendHeaders["content-encoding"] = headers.contentEncoding;
    const response = await fetch(url, {
      method: "POST",
      headers: sendHeaders,
      body,
      signal: AbortSignal.timeout(this.#options.timeoutMillis),
    });
    // Reading the (small) answer lets the keep-alive connection be reused.
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  }

  #count(signal: ForwardSignal, result: ForwardResult): void {
    const key = `${signal}\u0000${result}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /**
   * A dead target fails every request: one line per request would flood the log, so the first
   * problem is logged at once and later ones are summed into a line at most once an interval.
   */
  #noteProblem(kind: "failed" | "dropped", reason: string): void {
    if (kind === "failed") this.#failedSinceLog += 1;
    else this.#droppedSinceLog += 1;
    const now = performance.now();
    const interval = this.#options.logIntervalMillis ?? 60_000;
    if (this.#lastLogAt !== undefined && now - this.#lastLogAt < interval) return;
    const log = this.#options.log ?? ((line: string) => console.warn(line));
    const since =
      this.#lastLogAt === undefined
        ? ""
        : ` in the last ${Math.round((now - this.#lastLogAt) / 1000)} s`;
    log(
      `collector: forwarding to ${this.endpoint}: ${this.#failedSinceLog} failed, ${this.#droppedSinceLog} dropped${since}; last: ${reason}. Ingest is not affected; counts in runtrace_forward_requests_total, logged at most every ${Math.round(interval / 1000)} s`,
    );
    this.#lastLogAt = now;
    this.#failedSinceLog = 0;
    this.#droppedSinceLog = 0;
  }

  /** Counts by signal and result, for /metrics. */
  counts(): { signal: ForwardSignal; result: ForwardResult; n: number }[] {
    return [...this.#counts].map(([key, n]) => {
      const [signal, result] = key.split("\u0000") as [ForwardSignal, ForwardResult];
      return { signal, result, n };
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get inFlightBytes(): number {
    return this.#inFlightBytes;
  }

  /** Waits for the copies in flight; each ends by its timeout at the latest. */
  async close(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return `no answer within the timeout (${error.message})`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

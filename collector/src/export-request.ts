import type { BatchingWriter } from "@runtrace/clickhouse";
import {
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
  OtlpDecodeError,
} from "@runtrace/otlp";
import { restrictMetricPoints, restrictSpans, scopeRejectMessage } from "./ingest-scopes.ts";
import type { IngestStats } from "./ingest-stats.ts";

/**
 * One OTLP export request, whichever transport brought it (HTTP or gRPC): decoded, written and
 * answered only once stored. The transports turn the outcome into their own answer.
 */

export type Signal = "traces" | "metrics";

export type ExportOutcome =
  /** Stored; `rejected` spans or points were refused (partial success), `message` says why. */
  | { kind: "stored"; rejected: number; message: string }
  /** Not stored, try again later: the queue is full (`saturated`) or ClickHouse is away. */
  | {
      kind: "retry";
      reason: "saturated" | "unavailable";
      message: string;
      retryAfterMillis: number;
    }
  /** Not stored and never will be: the payload is malformed. */
  | { kind: "invalid"; message: string };

export interface ExportDeps {
  writer: BatchingWriter;
  stats: IngestStats;
}

/** The queue cannot take a request now. */
export function queueFull(writer: BatchingWriter): ExportOutcome {
  return {
    kind: "retry",
    reason: "saturated",
    message: "the write queue is full; retry later",
    retryAfterMillis: writer.retryAfterMillis,
  };
}

function rejectMessage(reasons: Partial<Record<string, number>>): string {
  const parts = Object.entries(reasons)
    .filter(([, n]) => n)
    .map(([reason, n]) => `${n} ${reason.replaceAll("_", " ")}`);
  return parts.length > 0 ? `rejected spans: ${parts.join(", ")}` : "";
}

/** Two partial-success messages as one. */
function joined(a: string, b: string): string {
  return a && b ? `${a}; ${b}` : a || b;
}

/**
 * Decodes and writes one request body (already decompressed and within the size limit).
 * `scopes`: what the sender's token may write (`null`: every scope). `onStored` runs once it is
 * stored (the forwarder's copy).
 */
export async function exportRequest(
  deps: ExportDeps,
  signal: Signal,
  encoding: "protobuf" | "json",
  body: Buffer,
  scopes: readonly string[] | null,
  onStored: () => void,
): Promise<ExportOutcome> {
  // Checked again once read, before decoding: under overload a request refused only after
  // decoding and mapping cost that work for nothing (decoding and handing over are synchronous).
  if (!deps.writer.fits(body.length)) return queueFull(deps.writer);
  try {
    if (signal === "traces") {
      const decoded = encoding === "protobuf" ? decodeTracesProtobuf(body) : decodeTracesJson(body);
      const { kept, rejected } =
        scopes === null ? { kept: decoded, rejected: {} } : restrictSpans(decoded, scopes);
      const result = await deps.writer.writeSpans(kept, { bytes: body.length });
      if (result.status !== "stored") return notStored(result);
      onStored();
      deps.stats.spansAccepted += result.stored;
      deps.stats.countRejectedSpans(result.rejectReasons);
      deps.stats.countRejectedSpans(rejected);
      const refused = (rejected.scope_not_allowed ?? 0) + (rejected.scope_missing ?? 0);
      return {
        kind: "stored",
        rejected: result.rejected + refused,
        message: joined(rejectMessage(result.rejectReasons), scopeRejectMessage(rejected)),
      };
    }
    const decoded = encoding === "protobuf" ? decodeMetricsProtobuf(body) : decodeMetricsJson(body);
    const { kept, rejected } =
      scopes === null
        ? { kept: decoded.rows, rejected: {} }
        : restrictMetricPoints(decoded.rows, scopes);
    const result = await deps.writer.writeMetrics(kept, { bytes: body.length });
    if (result.status !== "stored") return notStored(result);
    onStored();
    const refused = rejected.scope_not_allowed ?? 0;
    deps.stats.pointsAccepted += result.stored;
    deps.stats.pointsRejected += decoded.rejectedPoints + refused;
    deps.stats.countRejectedPoints(rejected);
    return {
      kind: "stored",
      rejected: decoded.rejectedPoints + refused,
      message: joined(decoded.rejectMessage, scopeRejectMessage(rejected)),
    };
  } catch (error) {
    if (error instanceof OtlpDecodeError) return { kind: "invalid", message: error.message };
    throw error;
  }
}

function notStored(
  result: Exclude<Awaited<ReturnType<BatchingWriter["writeSpans"]>>, { status: "stored" }>,
): ExportOutcome {
  if (result.status === "retryable") {
    return {
      kind: "retry",
      reason: result.reason === "saturated" ? "saturated" : "unavailable",
      message: result.message,
      retryAfterMillis: result.retryAfterMillis,
    };
  }
  return { kind: "invalid", message: result.message };
}

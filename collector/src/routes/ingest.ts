import type { BatchingWriter, WriteResult } from "@runtrace/clickhouse";
import {
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
  OtlpDecodeError,
} from "@runtrace/otlp";
import type { Context, Hono } from "hono";
import { BodyError, checkDeclaredLength, readBody } from "../body.ts";
import type { OtlpForwarder } from "../forward/otlp-forwarder.ts";
import type { IngestStats } from "../ingest-stats.ts";
import { exportResponse, GRPC, statusResponse, type Wire, wireOf } from "../otlp-response.ts";

export interface IngestDeps {
  writer: BatchingWriter;
  stats: IngestStats;
  maxBodyBytes: number;
  forwarder?: OtlpForwarder | undefined;
}

type Signal = "traces" | "metrics";

/**
 * The request's body and encoding, or the response to send instead: 415 and 413 from its
 * headers, then 429 while the write queue is full, before the body is read.
 */
async function readRequest(
  c: Context,
  deps: IngestDeps,
): Promise<{ wire: Wire; body: Buffer; raw: Buffer } | Response> {
  const contentType = c.req.header("content-type");
  const wire = wireOf(contentType);
  if (!wire) {
    return statusResponse(
      "json",
      415,
      GRPC.INVALID_ARGUMENT,
      `unsupported Content-Type "${contentType ?? ""}": send application/x-protobuf or application/json`,
    );
  }
  try {
    checkDeclaredLength(c.req.raw, deps.maxBodyBytes);
    if (deps.writer.saturated) return queueFull(wire, deps.writer);
    return { wire, ...(await readBody(c.req.raw, deps.maxBodyBytes)) };
  } catch (error) {
    if (error instanceof BodyError)
      return statusResponse(wire, error.status, GRPC.INVALID_ARGUMENT, error.message);
    throw error;
  }
}

/** 429: the write queue cannot take this request now. */
function queueFull(wire: Wire, writer: BatchingWriter): Response {
  return notStored(wire, {
    status: "retryable",
    reason: "saturated",
    message: "the write queue is full; retry later",
    retryAfterMillis: writer.retryAfterMillis,
  });
}

/** The HTTP answer to a write that was not stored: the client retries 429 and 503. */
function notStored(wire: Wire, result: Exclude<WriteResult, { status: "stored" }>): Response {
  if (result.status === "retryable") {
    const retryAfter = String(Math.max(1, Math.ceil(result.retryAfterMillis / 1000)));
    return result.reason === "saturated"
      ? statusResponse(wire, 429, GRPC.RESOURCE_EXHAUSTED, result.message, {
          "retry-after": retryAfter,
        })
      : statusResponse(wire, 503, GRPC.UNAVAILABLE, result.message, { "retry-after": retryAfter });
  }
  return statusResponse(wire, 400, GRPC.INVALID_ARGUMENT, result.message);
}

function rejectMessage(reasons: Partial<Record<string, number>>): string {
  const parts = Object.entries(reasons)
    .filter(([, n]) => n)
    .map(([reason, n]) => `${n} ${reason.replaceAll("_", " ")}`);
  return parts.length > 0 ? `rejected spans: ${parts.join(", ")}` : "";
}

async function ingest(c: Context, deps: IngestDeps, signal: Signal): Promise<Response> {
  const request = await readRequest(c, deps);
  if (request instanceof Response) return request;
  const { wire, body, raw } = request;
  // Checked again once read, before decoding: under overload a request refused only after
  // decoding and mapping cost that work for nothing (decoding and handing over are synchronous).
  if (!deps.writer.fits(body.length)) return queueFull(wire, deps.writer);
  // Only what was stored is copied: a payload refused here (400) or to be retried (429, 503)
  // reaches the target once, with the retry that is stored.
  const forward = () =>
    deps.forwarder?.forward(signal, raw, {
      contentType: c.req.header("content-type") ?? "",
      contentEncoding: c.req.header("content-encoding"),
    });
  try {
    if (signal === "traces") {
      const spans = wire === "protobuf" ? decodeTracesProtobuf(body) : decodeTracesJson(body);
      const result = await deps.writer.writeSpans(spans, { bytes: body.length });
      if (result.status !== "stored") return notStored(wire, result);
      forward();
      deps.stats.spansAccepted += result.stored;
      deps.stats.countRejectedSpans(result.rejectReasons);
      return exportResponse(wire, "traces", result.rejected, rejectMessage(result.rejectReasons));
    }
    const decoded = wire === "protobuf" ? decodeMetricsProtobuf(body) : decodeMetricsJson(body);
    const result = await deps.writer.writeMetrics(decoded.rows, { bytes: body.length });
    if (result.status !== "stored") return notStored(wire, result);
    forward();
    deps.stats.pointsAccepted += result.stored;
    deps.stats.pointsRejected += decoded.rejectedPoints;
    return exportResponse(wire, "metrics", decoded.rejectedPoints, decoded.rejectMessage);
  } catch (error) {
    if (error instanceof OtlpDecodeError) {
      return statusResponse(wire, 400, GRPC.INVALID_ARGUMENT, error.message);
    }
    throw error;
  }
}

/** `POST /v1/traces`, `/v1/metrics` (OTLP/HTTP), and `/v1/logs`, which runtrace does not store. */
export function ingestRoutes(app: Hono, deps: IngestDeps): void {
  for (const signal of ["traces", "metrics"] as const) {
    app.post(`/v1/${signal}`, async (c) => {
      const response = await ingest(c, deps, signal);
      deps.stats.countRequest(signal, response.status);
      return response;
    });
  }
  app.post("/v1/logs", (c) => {
    deps.stats.countRequest("logs", 501);
    return statusResponse(
      wireOf(c.req.header("content-type")) ?? "json",
      501,
      GRPC.UNIMPLEMENTED,
      "runtrace stores traces and metrics, not logs: point your logs exporter elsewhere (OTEL_LOGS_EXPORTER=none to stop sending them)",
    );
  });
}

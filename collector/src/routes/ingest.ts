import type { BatchingWriter } from "@runtrace/clickhouse";
import type { TokenScopes } from "@runtrace/config";
import type { Context, Hono } from "hono";
import { BodyError, checkDeclaredLength, readBody } from "../body.ts";
import { type ExportOutcome, exportRequest, queueFull, type Signal } from "../export-request.ts";
import type { OtlpForwarder } from "../forward/otlp-forwarder.ts";
import { scopesOfToken } from "../ingest-scopes.ts";
import type { IngestStats } from "../ingest-stats.ts";
import { exportResponse, GRPC, statusResponse, type Wire, wireOf } from "../otlp-response.ts";

export interface IngestDeps {
  writer: BatchingWriter;
  stats: IngestStats;
  maxBodyBytes: number;
  forwarder?: OtlpForwarder | undefined;
  /** The ingest tokens and their scopes; unset: every request writes every scope. */
  ingestTokens?: TokenScopes | undefined;
}

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
    if (deps.writer.saturated) return answer(wire, "traces", queueFull(deps.writer));
    return { wire, ...(await readBody(c.req.raw, deps.maxBodyBytes)) };
  } catch (error) {
    if (error instanceof BodyError)
      return statusResponse(wire, error.status, GRPC.INVALID_ARGUMENT, error.message);
    throw error;
  }
}

/** The HTTP answer to an export: 200 (partial success), 429 / 503 with Retry-After, or 400. */
function answer(wire: Wire, signal: Signal, outcome: ExportOutcome): Response {
  switch (outcome.kind) {
    case "stored":
      return exportResponse(wire, signal, outcome.rejected, outcome.message);
    case "retry": {
      const retryAfter = String(Math.max(1, Math.ceil(outcome.retryAfterMillis / 1000)));
      return outcome.reason === "saturated"
        ? statusResponse(wire, 429, GRPC.RESOURCE_EXHAUSTED, outcome.message, {
            "retry-after": retryAfter,
          })
        : statusResponse(wire, 503, GRPC.UNAVAILABLE, outcome.message, {
            "retry-after": retryAfter,
          });
    }
    case "invalid":
      return statusResponse(wire, 400, GRPC.INVALID_ARGUMENT, outcome.message);
  }
}

async function ingest(c: Context, deps: IngestDeps, signal: Signal): Promise<Response> {
  const request = await readRequest(c, deps);
  if (request instanceof Response) return request;
  const { wire, body, raw } = request;
  // Only what was stored is copied: a payload refused here (400) or to be retried (429, 503)
  // reaches the target once, with the retry that is stored.
  const forward = () =>
    deps.forwarder?.forward(signal, raw, {
      contentType: c.req.header("content-type") ?? "",
      contentEncoding: c.req.header("content-encoding"),
    });
  // The token was checked before the route; here it says which scopes this request may write.
  const found = deps.ingestTokens
    ? scopesOfToken(c.req.header("authorization"), deps.ingestTokens)
    : null;
  // (undefined cannot happen past the check; an empty list would then write nothing.)
  const scopes = found === undefined ? [] : found;
  return answer(wire, signal, await exportRequest(deps, signal, wire, body, scopes, forward));
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

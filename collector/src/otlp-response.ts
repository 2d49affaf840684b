import {
  encodeExportMetricsResponse,
  encodeExportTraceResponse,
  encodeStatus,
} from "@runtrace/otlp";

/** The two OTLP/HTTP encodings; a response uses the request's. */
export type Wire = "protobuf" | "json";

const CONTENT_TYPES: Record<Wire, string> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};

/** The encoding a Content-Type names, or undefined for any other type. */
export function wireOf(contentType: string | undefined): Wire | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return undefined;
}

/** google.rpc.Code values used here. */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** An error answer: a google.rpc.Status in the request's encoding. */
export function statusResponse(
  wire: Wire,
  httpStatus: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body =
    wire === "protobuf" ? encodeStatus(code, message) : JSON.stringify({ code, message });
  return new Response(body, {
    status: httpStatus,
    headers: { "content-type": CONTENT_TYPES[wire], ...headers },
  });
}

/**
 * A 200 answer: an empty Export*ServiceResponse, or one with `partialSuccess` when some
 * spans or points were rejected.
 */
export function exportResponse(
  wire: Wire,
  signal: "traces" | "metrics",
  rejected: number,
  message: string,
): Response {
  let body: Uint8Array | string;
  if (wire === "protobuf") {
    body =
      signal === "traces"
        ? encodeExportTraceResponse(rejected, message)
        : encodeExportMetricsResponse(rejected, message);
  } else if (rejected === 0 && message === "") {
    body = "{}";
  } else {
    // proto3 JSON writes int64 as a decimal string.
    const key = signal === "traces" ? "rejectedSpans" : "rejectedDataPoints";
    body = JSON.stringify({ partialSuccess: { [key]: String(rejected), errorMessage: message } });
  }
  return new Response(body, { status: 200, headers: { "content-type": CONTENT_TYPES[wire] } });
}

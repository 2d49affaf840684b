/*
 * The protobuf bodies the collector answers with. Zero-valued fields are omitted (proto3),
 * so full success is an empty body, which the OTLP exporters accept.
 */

const utf8 = new TextEncoder();

/** A varint of an integer (negative ones as 10-byte two's complement, as int32/int64 are). */
function varint(value: number, out: number[]): void {
  if (value < 0 || !Number.isSafeInteger(value)) {
    let big = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    while (big >= 0x80n) {
      out.push(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    out.push(Number(big));
    return;
  }
  let n = value;
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function lengthDelimited(field: number, bytes: ArrayLike<number>, out: number[]): void {
  out.push((field << 3) | 2);
  varint(bytes.length, out);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

/** A message of an integer field 1 and a string field 2, each omitted when zero/empty. */
function countAndMessage(count: number, message: string): number[] {
  const out: number[] = [];
  if (count !== 0) {
    out.push(1 << 3);
    varint(count, out);
  }
  if (message !== "") lengthDelimited(2, utf8.encode(message), out);
  return out;
}

/** `{partial_success(1): {rejected(1), error_message(2)}}`; empty when there is nothing to say. */
function partialSuccessResponse(rejected: number, errorMessage: string): Uint8Array {
  if (rejected === 0 && errorMessage === "") return new Uint8Array(0);
  const out: number[] = [];
  lengthDelimited(1, countAndMessage(rejected, errorMessage), out);
  return Uint8Array.from(out);
}

/** ExportTraceServiceResponse{partial_success: ExportTracePartialSuccess{rejected_spans, error_message}}. */
export function encodeExportTraceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  return partialSuccessResponse(rejectedSpans, errorMessage);
}

/** ExportMetricsServiceResponse{partial_success: ExportMetricsPartialSuccess{rejected_data_points, error_message}}. */
export function encodeExportMetricsResponse(
  rejectedDataPoints: number,
  errorMessage: string,
): Uint8Array {
  return partialSuccessResponse(rejectedDataPoints, errorMessage);
}

/** google.rpc.Status{code(1) int32, message(2) string}; the error body of OTLP/HTTP. */
export function encodeStatus(code: number, message: string): Uint8Array {
  return Uint8Array.from(countAndMessage(code | 0, message));
}

const RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

/**
 * google.rpc.Status{code, message, details: [Any{RetryInfo{retry_delay: Duration}}]}: what an
 * OTLP/gRPC server sends (as `grpc-status-details-bin`) with RESOURCE_EXHAUSTED or UNAVAILABLE
 * to say when to retry; without RetryInfo a client must not retry RESOURCE_EXHAUSTED.
 */
export function encodeStatusWithRetryDelay(
  code: number,
  message: string,
  retryDelayMillis: number,
): Uint8Array {
  const ms = Math.max(0, Math.trunc(retryDelayMillis));
  const duration: number[] = [];
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  if (seconds !== 0) {
    duration.push(1 << 3);
    varint(seconds, duration);
  }
  if (nanos !== 0) {
    duration.push(2 << 3);
    varint(nanos, duration);
  }
  const retryInfo: number[] = [];
  lengthDelimited(1, duration, retryInfo);
  const any: number[] = [];
  lengthDelimited(1, utf8.encode(RETRY_INFO_TYPE), any);
  lengthDelimited(2, retryInfo, any);
  const out = countAndMessage(code | 0, message);
  lengthDelimited(3, any, out);
  return Uint8Array.from(out);
}

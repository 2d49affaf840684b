import {
  type handleUnaryCall,
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { TokenScopes } from "@runtrace/config";
import {
  encodeExportMetricsResponse,
  encodeExportTraceResponse,
  encodeStatusWithRetryDelay,
} from "@runtrace/otlp";
import {
  type ExportDeps,
  type ExportOutcome,
  exportRequest,
  queueFull,
  type Signal,
} from "../export-request.ts";
import type { OtlpForwarder } from "../forward/otlp-forwarder.ts";
import { scopesOfToken } from "../ingest-scopes.ts";

/**
 * OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export` and the metrics
 * service's, with the same decoder, writer and guarantees as OTLP/HTTP — answered only once
 * stored; RESOURCE_EXHAUSTED (queue full) or UNAVAILABLE (ClickHouse away) with a RetryInfo
 * detail saying when to retry; INVALID_ARGUMENT for a malformed message; partial success in the
 * response. grpc-js checks the message size (after gzip decompression) before the handler
 * runs, and answers RESOURCE_EXHAUSTED above `maxMessageBytes`.
 */

export interface GrpcReceiverOptions extends ExportDeps {
  /** Largest message accepted, after decompression (the HTTP body limit). */
  maxMessageBytes: number;
  /** When set, calls need `authorization: Bearer <token>` metadata of one of these, and write only its scopes. */
  ingestTokens?: TokenScopes | undefined;
  /** Receives a copy of every stored request (as OTLP/HTTP protobuf). */
  forwarder?: OtlpForwarder | undefined;
}

const SERVICES: Record<Signal, string> = {
  traces: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
  metrics: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
};

/** The request and response stay bytes: runtrace's own decoder reads them. */
const identity = (bytes: Buffer) => bytes;

/**
 * The service of one signal (`Export`, request and response kept as protobuf bytes): what the
 * receiver serves, and what a raw client (`makeGenericClientConstructor`) calls.
 */
export function otlpServiceDefinition(signal: Signal) {
  return {
    Export: {
      path: SERVICES[signal],
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

/** The scopes the call's bearer token may write (`null`: all), or undefined for none. */
function scopesOfCall(
  metadata: Metadata,
  tokens: TokenScopes | undefined,
): readonly string[] | null | undefined {
  if (!tokens) return null;
  const header = metadata.get("authorization")[0];
  return scopesOfToken(typeof header === "string" ? header : undefined, tokens);
}

/** A gRPC error, with RetryInfo in `grpc-status-details-bin` when the client should retry. */
function failure(code: status, message: string, retryAfterMillis?: number) {
  const metadata = new Metadata();
  if (retryAfterMillis !== undefined) {
    metadata.set(
      "grpc-status-details-bin",
      Buffer.from(encodeStatusWithRetryDelay(code, message, retryAfterMillis)),
    );
  }
  return { code, details: message, metadata };
}

function reply(signal: Signal, outcome: ExportOutcome, callback: sendUnaryData<Buffer>): void {
  switch (outcome.kind) {
    case "stored": {
      const encode = signal === "traces" ? encodeExportTraceResponse : encodeExportMetricsResponse;
      callback(null, Buffer.from(encode(outcome.rejected, outcome.message)));
      return;
    }
    case "retry":
      callback(
        failure(
          outcome.reason === "saturated" ? status.RESOURCE_EXHAUSTED : status.UNAVAILABLE,
          outcome.message,
          Math.max(1_000, outcome.retryAfterMillis),
        ),
      );
      return;
    case "invalid":
      callback(failure(status.INVALID_ARGUMENT, outcome.message));
      return;
  }
}

function exportHandler(
  signal: Signal,
  options: GrpcReceiverOptions,
): handleUnaryCall<Buffer, Buffer> {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
    const answer = (code: number) => options.stats.countRequest(signal, code, "grpc");
    const done: sendUnaryData<Buffer> = (error, value) => {
      answer(error ? (error.code ?? status.UNKNOWN) : status.OK);
      callback(error, value);
    };
    const scopes = scopesOfCall(call.metadata, options.ingestTokens);
    if (scopes === undefined) {
      done(
        failure(
          status.UNAUTHENTICATED,
          "missing or wrong bearer token: send authorization: Bearer <a token of RUNTRACE_INGEST_TOKEN or RUNTRACE_INGEST_TOKENS> metadata",
        ),
      );
      return;
    }
    if (options.writer.saturated) {
      reply(signal, queueFull(options.writer), done);
      return;
    }
    const body = call.request;
    const forward = () =>
      options.forwarder?.forward(signal, body, { contentType: "application/x-protobuf" });
    exportRequest(options, signal, "protobuf", body, scopes, forward).then(
      (outcome) => reply(signal, outcome, done),
      (error: unknown) => {
        console.error("collector: unexpected error (gRPC)", error);
        done(failure(status.INTERNAL, "internal error"));
      },
    );
  };
}

export interface GrpcListening {
  /** `host:port`, with the port actually bound. */
  address: string;
  port: number;
  /** Stops taking calls and resolves once the calls in flight are answered. */
  close(): Promise<void>;
}

/** Serves OTLP/gRPC (plaintext) on `host:port` (port 0 picks a free one). */
export function listenGrpc(
  options: GrpcReceiverOptions,
  port: number,
  host: string,
): Promise<GrpcListening> {
  const server = new Server({
    "grpc.max_receive_message_length": options.maxMessageBytes,
  });
  for (const signal of ["traces", "metrics"] as const) {
    const implementation: UntypedServiceImplementation = {
      Export: exportHandler(signal, options),
    };
    server.addService(otlpServiceDefinition(signal), implementation);
  }
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) {
        reject(error);
        return;
      }
      const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
      let closing: Promise<void> | undefined;
      resolve({
        address: `${shownHost}:${bound}`,
        port: bound,
        close() {
          closing ??= new Promise<void>((done) => server.tryShutdown(() => done()));
          return closing;
        },
      });
    });
  });
}

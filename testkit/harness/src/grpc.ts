/**
 * A raw OTLP/gRPC client for tests and benchmarks: the trace service's `Export` with request
 * bytes the caller encoded, answered with the status and the response bytes as they came.
 */
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { otlpServiceDefinition } from "@runtrace/collector";

const TraceService = makeGenericClientConstructor(otlpServiceDefinition("traces"), "TraceService");

export interface GrpcAnswer {
  error: ServiceError | null;
  response: Buffer | undefined;
}

export interface OtlpGrpcClient {
  /** One `TraceService/Export` call; `token` goes in the `authorization` metadata. */
  exportTraces(body: Uint8Array, token?: string | null): Promise<GrpcAnswer>;
  close(): void;
}

/**
 * The RetryInfo delay (ms) of a gRPC error's `grpc-status-details-bin`, if it carries one:
 * google.rpc.Status{details: Any{type_url "….RetryInfo", value(2): RetryInfo{retry_delay(1):
 * Duration{seconds(1) varint}}}}, as the receiver encodes it (whole seconds under 128).
 */
export function retryDelayMillis(error: ServiceError): number | undefined {
  const details = error.metadata.get("grpc-status-details-bin")[0];
  if (!(details instanceof Buffer)) return undefined;
  const name = Buffer.from("google.rpc.RetryInfo");
  const at = details.indexOf(name);
  if (at < 0) return undefined;
  const tail = details.subarray(at + name.length);
  return tail[0] === 0x12 && tail[2] === 0x0a && tail[4] === 0x08 ? tail[5]! * 1000 : undefined;
}

export function otlpGrpcClient(address: string, options: { gzip?: boolean } = {}): OtlpGrpcClient {
  const client = new TraceService(address, credentials.createInsecure(), {
    "grpc.max_send_message_length": -1,
    ...(options.gzip ? { "grpc.default_compression_algorithm": 2 } : {}),
  });
  const call = client as unknown as {
    Export(
      body: Buffer,
      metadata: Metadata,
      options: { deadline: number },
      callback: (error: ServiceError | null, response?: Buffer) => void,
    ): void;
  };
  return {
    exportTraces(body, token) {
      const metadata = new Metadata();
      if (token) metadata.set("authorization", `Bearer ${token}`);
      return new Promise((resolve) =>
        call.Export(
          Buffer.from(body),
          metadata,
          { deadline: Date.now() + 120_000 },
          (error, response) => resolve({ error, response }),
        ),
      );
    },
    close: () => client.close(),
  };
}

/**
 * @module
 * runtrace's OTLP collector: `POST /v1/traces` and `/v1/metrics` (protobuf or JSON, gzip or
 * deflate) over HTTP, and the trace and metrics services' `Export` over gRPC (`listenGrpc`),
 * acknowledged once stored in ClickHouse.
 */
export { type CollectorAppOptions, createCollectorApp } from "./app.ts";
export { type Collector, createCollector } from "./collector.ts";
export { type CollectorConfig, parseForwardEndpoint, resolveCollectorConfig } from "./config.ts";
export {
  type ForwardResult,
  type ForwardSignal,
  OtlpForwarder,
  type OtlpForwarderOptions,
} from "./forward/otlp-forwarder.ts";
export {
  type GrpcListening,
  type GrpcReceiverOptions,
  listenGrpc,
  otlpServiceDefinition,
} from "./grpc/server.ts";
export { type Listening, listen } from "./server.ts";

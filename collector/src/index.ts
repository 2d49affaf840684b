/**
 * @module
 * runtrace's OTLP/HTTP collector: `POST /v1/traces` and `/v1/metrics` (protobuf or JSON,
 * gzip or deflate) acknowledged once stored in ClickHouse.
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
export { type Listening, listen } from "./server.ts";

/**
 * @module
 * OTLP fixtures: seeded random requests as protobufjs objects, the OTLP schema for protobufjs
 * (written from opentelemetry-proto's field numbers, independently of the decoder), their
 * JSON and shuffled-protobuf encodings, and the row model each request should decode to.
 */
export * from "./encodings.ts";
export * from "./proto.ts";
export * from "./random-requests.ts";
export * from "./reference.ts";

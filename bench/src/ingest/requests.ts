/**
 * @module
 * The pre-encoded OTLP requests the load generator posts.
 */
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { generateSpans } from "../realistic-spans.ts";
import type { Options } from "./options.ts";

// --- requests --------------------------------------------------------------------------------

export interface Requests {
  bodies: Buffer[];
  spans: number;
  seconds: number;
  executions: number;
}

/**
 * Encodes `count` requests of `batch` spans with the OTel exporter's own serializer. Spans are
 * generated a few dozen requests at a time (different seeds, so distinct executions, and the
 * SDK's random span ids), so only the encoded bytes stay in memory.
 */
export function encodeRequests(options: Options): Requests {
  const started = performance.now();
  const bodies: Buffer[] = [];
  const chunkRequests = 50;
  let carry: ReturnType<typeof generateSpans>["spans"] = [];
  let executions = 0;
  for (let seed = 1; bodies.length < options.requests; seed++) {
    const want = Math.min(chunkRequests, options.requests - bodies.length) * options.batch;
    const gen = generateSpans({
      spans: Math.max(1, want - carry.length),
      seed,
      codeBytes: options.codeBytes,
      resultBytes: options.resultBytes,
    });
    executions += gen.executions;
    const spans = carry.concat(gen.spans);
    let at = 0;
    for (; at + options.batch <= spans.length && bodies.length < options.requests; ) {
      const body = ProtobufTraceSerializer.serializeRequest(spans.slice(at, at + options.batch));
      if (!body) throw new Error("ProtobufTraceSerializer returned nothing");
      bodies.push(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      at += options.batch;
    }
    carry = spans.slice(at);
  }
  return {
    bodies,
    spans: bodies.length * options.batch,
    seconds: (performance.now() - started) / 1000,
    executions,
  };
}

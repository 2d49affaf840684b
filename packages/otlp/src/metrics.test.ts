import {
  encodeShuffled,
  expectedMetrics,
  randomMetricsRequest,
  toOtlpJson,
  type,
  unpackedRoot,
} from "@runtrace/testkit/otlp";
import { SeededRandom } from "@runtrace/testkit/random";
import { describe, expect, it } from "vitest";
import { decodeMetricsJson, decodeMetricsProtobuf } from "./index.ts";

const MESSAGES = 600;
const SEED = 0x3e7;
const Packed = type("otlp.ExportMetricsServiceRequest");
const Unpacked = type("otlp.ExportMetricsServiceRequest", unpackedRoot);

function message(rejectedPoints: number): string {
  return rejectedPoints === 0
    ? ""
    : `exponential histogram and summary points are not supported: ${rejectedPoints} rejected`;
}

describe("decodeMetricsProtobuf against protobufjs", () => {
  it(`decodes ${MESSAGES} random requests, packed and unpacked, to the reference model`, () => {
    const rng = new SeededRandom(SEED);
    const seen = { sums: 0, gauges: 0, histograms: 0, rejected: 0, unpackedBuckets: 0 };
    for (let i = 0; i < MESSAGES; i++) {
      const request = randomMetricsRequest(rng);
      const packed = rng.chance(0.5);
      const body = (packed ? Packed : Unpacked).encode(request as never).finish();
      const decoded = decodeMetricsProtobuf(body);
      const { rows, rejectedPoints } = expectedMetrics(request);
      expect(decoded, `message ${i} (seed ${SEED})`).toEqual({
        rows,
        rejectedPoints,
        rejectMessage: message(rejectedPoints),
      });
      seen.sums += rows.sums.length;
      seen.gauges += rows.gauges.length;
      seen.histograms += rows.histograms.length;
      seen.rejected += rejectedPoints;
      if (!packed)
        seen.unpackedBuckets += rows.histograms.filter((h) => h.bucketCounts.length > 1).length;
    }
    for (const [kind, n] of Object.entries(seen)) expect(n, kind).toBeGreaterThan(50);
  });

  it("decodes the same with fields in any order and unknown fields in every message", () => {
    const rng = new SeededRandom(SEED + 1);
    for (let i = 0; i < MESSAGES; i++) {
      const request = randomMetricsRequest(rng);
      const body = encodeShuffled(rng.chance(0.5) ? Packed : Unpacked, request as never, rng);
      const { rows, rejectedPoints } = expectedMetrics(request);
      expect(decodeMetricsProtobuf(body), `message ${i}`).toEqual({
        rows,
        rejectedPoints,
        rejectMessage: message(rejectedPoints),
      });
    }
  });
});

describe("decodeMetricsJson", () => {
  it(`decodes the OTLP/JSON form of ${MESSAGES} random requests like the protobuf form`, () => {
    const rng = new SeededRandom(SEED + 2);
    for (let i = 0; i < MESSAGES; i++) {
      const request = randomMetricsRequest(rng);
      const json = JSON.stringify(toOtlpJson(request, rng));
      const fromJson = decodeMetricsJson(rng.chance(0.5) ? json : new TextEncoder().encode(json));
      const fromProtobuf = decodeMetricsProtobuf(Packed.encode(request as never).finish());
      expect(fromJson, `message ${i}: ${json.slice(0, 200)}`).toEqual(fromProtobuf);
    }
  });
});

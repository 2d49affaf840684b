import { protobuf, randomMetricsRequest, randomTracesRequest, type } from "@runtrace/testkit/otlp";
import { SeededRandom } from "@runtrace/testkit/random";
import { describe, expect, it } from "vitest";
import {
  decodeMetricsJson,
  decodeMetricsProtobuf,
  decodeTracesJson,
  decodeTracesProtobuf,
  OtlpDecodeError,
} from "./index.ts";

const TraceRequest = type("otlp.ExportTraceServiceRequest");
const MetricsRequest = type("otlp.ExportMetricsServiceRequest");

function thrown(decode: () => unknown): unknown {
  try {
    decode();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Wraps `span` (Span field bytes) in request → ResourceSpans → ScopeSpans → Span. */
function traceBody(span: number[]): Uint8Array {
  const w = protobuf.Writer.create();
  const scopeSpans = protobuf.Writer.create().uint32(0x12).bytes(Uint8Array.from(span)).finish();
  const resourceSpans = protobuf.Writer.create().uint32(0x12).bytes(scopeSpans).finish();
  return w.uint32(0x0a).bytes(resourceSpans).finish();
}

function protobufError(decode: () => unknown): string {
  const error = thrown(decode);
  expect(error).toBeInstanceOf(OtlpDecodeError);
  return (error as Error).message;
}

describe("malformed protobuf", () => {
  it("every prefix either decodes or throws OtlpDecodeError, exactly when protobufjs fails", () => {
    const rng = new SeededRandom(0x5eed);
    const cases: [protobuf.Type, (body: Uint8Array) => unknown, Uint8Array][] = [];
    while (cases.length < 60) {
      const traces = TraceRequest.encode(randomTracesRequest(rng) as never).finish();
      if (traces.length < 4000) cases.push([TraceRequest, decodeTracesProtobuf, traces]);
      const metrics = MetricsRequest.encode(randomMetricsRequest(rng) as never).finish();
      if (metrics.length < 4000) cases.push([MetricsRequest, decodeMetricsProtobuf, metrics]);
    }
    let prefixes = 0;
    let failures = 0;
    for (const [schema, decode, body] of cases) {
      for (let n = 0; n < body.length; n++) {
        const prefix = body.subarray(0, n);
        const ours = thrown(() => decode(prefix));
        const theirs = thrown(() => schema.decode(prefix));
        if (ours !== undefined) expect(ours, `prefix ${n}`).toBeInstanceOf(OtlpDecodeError);
        expect(ours !== undefined, `prefix ${n} of ${body.length}: ${ours}`).toBe(
          theirs !== undefined,
        );
        prefixes++;
        if (ours) failures++;
      }
    }
    expect(prefixes).toBeGreaterThan(20_000);
    expect(failures).toBeGreaterThan(prefixes / 2);
  });

  it("corrupted bodies decode or throw OtlpDecodeError, never another error", () => {
    const rng = new SeededRandom(0xbad);
    for (let i = 0; i < 3000; i++) {
      const traces = i % 2 === 0;
      const body = traces
        ? TraceRequest.encode(randomTracesRequest(rng) as never).finish()
        : MetricsRequest.encode(randomMetricsRequest(rng) as never).finish();
      if (body.length === 0) continue;
      for (let flips = rng.below(4) + 1; flips > 0; flips--)
        body[rng.below(body.length)] = rng.below(256);
      const error = thrown(() =>
        traces ? decodeTracesProtobuf(body) : decodeMetricsProtobuf(body),
      );
      if (error !== undefined) expect(error, `body ${i}`).toBeInstanceOf(OtlpDecodeError);
    }
  });

  it("names the field, the message and the offset of a length that runs past its message", () => {
    // Span{span_id (2): length 900, but only 3 bytes follow}
    const message = protobufError(() =>
      decodeTracesProtobuf(traceBody([0x12, 0x84, 0x07, 1, 2, 3])),
    );
    expect(message).toBe(
      "invalid protobuf: field 2 of Span: length 900 runs past the end of the message (offset 7)",
    );
  });

  it("reports a wrong wire type for a known field", () => {
    // Span.start_time_unix_nano (7) is fixed64; here a varint.
    expect(protobufError(() => decodeTracesProtobuf(traceBody([0x38, 0x01])))).toBe(
      "invalid protobuf: field 7 of Span: wire type 0 (varint), expected 1 (fixed64) (offset 7)",
    );
    // Span.name (5) as fixed32.
    expect(protobufError(() => decodeTracesProtobuf(traceBody([0x2d, 1, 2, 3, 4])))).toMatch(
      /field 5 of Span: wire type 5 \(fixed32\), expected 2 \(length-delimited\)/,
    );
    // A resource_spans (1) that is a varint.
    expect(protobufError(() => decodeTracesProtobuf(Uint8Array.of(0x08, 0x01)))).toMatch(
      /field 1 of ExportTraceServiceRequest: wire type 0 \(varint\), expected 2/,
    );
  });

  it("reports groups, field number 0, overlong varints and torn packed arrays", () => {
    expect(protobufError(() => decodeTracesProtobuf(traceBody([0x5b])))).toMatch(
      /field 11 of Span: unsupported wire type 3 \(start group\)/,
    );
    expect(protobufError(() => decodeTracesProtobuf(Uint8Array.of(0x02, 0x00)))).toMatch(
      /ExportTraceServiceRequest: field number 0 is invalid \(offset 0\)/,
    );
    const overlong = [0x50, ...new Array(10).fill(0xff), 0x01]; // dropped_attributes_count
    expect(protobufError(() => decodeTracesProtobuf(traceBody(overlong)))).toMatch(
      /field 10 of Span: malformed varint: more than 10 bytes/,
    );
    // HistogramDataPoint.bucket_counts (6) packed, 12 bytes: not whole fixed64s.
    const point = [0x32, 12, ...new Array(12).fill(0)];
    const histogram = [0x0a, point.length, ...point];
    const metric = [0x4a, histogram.length, ...histogram];
    const scope = [0x12, metric.length, ...metric];
    const resource = [0x12, scope.length, ...scope];
    const body = Uint8Array.of(0x0a, resource.length, ...resource);
    expect(protobufError(() => decodeMetricsProtobuf(body))).toMatch(
      /field 6 of HistogramDataPoint: packed length 12 is not a multiple of 8/,
    );
  });

  it("refuses arrays nested without bound instead of overflowing the stack", () => {
    // AnyValue{array_value{values[AnyValue{array_value{...}}]}}, 5000 levels, built inside out.
    let value: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 5000; i++) {
      const array = protobuf.Writer.create().uint32(0x0a).bytes(value).finish();
      value = protobuf.Writer.create().uint32(0x2a).bytes(array).finish();
    }
    const kv = protobuf.Writer.create()
      .uint32(0x0a)
      .string("deep")
      .uint32(0x12)
      .bytes(value)
      .finish();
    const span = protobuf.Writer.create().uint32(0x4a).bytes(kv).finish();
    expect(protobufError(() => decodeTracesProtobuf(traceBody([...span])))).toMatch(
      /arrays and maps nested more than 100 levels deep/,
    );
  });
});

function jsonError(decode: () => unknown): string {
  const error = thrown(decode);
  expect(error).toBeInstanceOf(OtlpDecodeError);
  expect((error as Error).name).toBe("OtlpDecodeError");
  return (error as Error).message;
}

function spanAt(span: unknown): string {
  return JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [] }, { spans: [{}, {}, {}, span] }] }],
  });
}

describe("malformed JSON", () => {
  it("reports text that is not JSON", () => {
    expect(jsonError(() => decodeTracesJson('{"resourceSpans": ['))).toMatch(/^invalid JSON: /);
    expect(jsonError(() => decodeTracesJson(""))).toBe("invalid JSON: the body is empty");
    expect(jsonError(() => decodeMetricsJson(Uint8Array.of(0x7b)))).toMatch(/^invalid JSON: /);
  });

  it("reports a top level that is not an object", () => {
    expect(jsonError(() => decodeTracesJson("[1, 2]"))).toBe(
      "invalid OTLP/JSON: expected an object at the top level, got an array",
    );
    expect(jsonError(() => decodeMetricsJson("null"))).toMatch(/got null/);
  });

  it("names the path of a field with the wrong type", () => {
    expect(jsonError(() => decodeTracesJson('{"resourceSpans": {}}'))).toBe(
      "invalid OTLP/JSON: resourceSpans: expected an array, got an object",
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ startTimeUnixNano: "soon" })))).toBe(
      'invalid OTLP/JSON: resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected an integer, got "soon"',
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ endTimeUnixNano: 1.5 })))).toMatch(
      /spans\[3\]\.endTimeUnixNano: expected an integer, got 1\.5$/,
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ traceId: 12 })))).toMatch(
      /spans\[3\]\.traceId: expected a hex string, got 12$/,
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ kind: "SERVER" })))).toMatch(
      /spans\[3\]\.kind: expected an integer or one of SPAN_KIND_UNSPECIFIED, .*, got "SERVER"$/,
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ status: { code: true } })))).toMatch(
      /spans\[3\]\.status\.code: expected an integer or one of STATUS_CODE_UNSET/,
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ flags: -1 })))).toMatch(
      /spans\[3\]\.flags: expected an unsigned 32-bit integer, got -1$/,
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ events: [{ name: 5 }] })))).toMatch(
      /spans\[3\]\.events\[0\]\.name: expected a string, got 5$/,
    );
    expect(jsonError(() => decodeTracesJson(spanAt({ links: [null] })))).toMatch(
      /spans\[3\]\.links\[0\]: expected an object, got null$/,
    );
    const attributes = [
      { key: "ok", value: { stringValue: "x" } },
      { key: "nested", value: { arrayValue: { values: [{ intValue: 1 }, { intValue: "x" }] } } },
    ];
    expect(jsonError(() => decodeTracesJson(spanAt({ attributes })))).toBe(
      'invalid OTLP/JSON: resourceSpans[0].scopeSpans[1].spans[3].attributes[1].value.arrayValue.values[1].intValue: expected an integer, got "x"',
    );
    expect(
      jsonError(() =>
        decodeTracesJson(spanAt({ attributes: [{ key: "b", value: { boolValue: "yes" } }] })),
      ),
    ).toMatch(/attributes\[0\]\.value\.boolValue: expected true or false, got "yes"$/);
    expect(
      jsonError(() =>
        decodeTracesJson(
          spanAt({ attributes: [{ key: "i", value: { intValue: "9223372036854775808" } }] }),
        ),
      ),
    ).toMatch(/intValue: expected a signed 64-bit integer/);
  });

  it("names the path in metrics too", () => {
    const body = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { name: "h", histogram: { dataPoints: [{ bucketCounts: [1, "2", "three"] }] } },
              ],
            },
          ],
        },
      ],
    };
    expect(jsonError(() => decodeMetricsJson(JSON.stringify(body)))).toBe(
      'invalid OTLP/JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[2]: expected an integer, got "three"',
    );
    const sum = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ sum: { isMonotonic: 1 } }] }] }],
    };
    expect(jsonError(() => decodeMetricsJson(JSON.stringify(sum)))).toMatch(
      /metrics\[0\]\.sum\.isMonotonic: expected true or false, got 1$/,
    );
  });

  it("refuses arrays nested without bound", () => {
    // 5000 levels: written as text, as JSON.stringify itself would overflow the stack.
    const deep = `${'{"arrayValue":{"values":['.repeat(5000)}{"stringValue":"leaf"}${"]}}".repeat(5000)}`;
    const body = spanAt({ attributes: [{ key: "deep", value: "DEEP" }] }).replace('"DEEP"', deep);
    const message = jsonError(() => decodeTracesJson(body));
    expect(message).toMatch(
      /attributes\[0\]\.value(\.arrayValue\.values\[0\]){100}\.arrayValue: arrays and maps nested more than 100 levels deep$/,
    );
  });

  it("ignores unknown fields and accepts nulls for absent ones", () => {
    const spans = decodeTracesJson(
      spanAt({ name: "n", futureField: { x: [1] }, traceState: null, attributes: null }),
    );
    expect(spans).toHaveLength(4);
    expect(spans[3]).toMatchObject({ name: "n", traceState: "" });
  });
});

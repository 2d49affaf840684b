import {
  type Attributes,
  SPAN_KIND_NAMES,
  type SpanInput,
  STATUS_CODE_NAMES,
} from "@runtrace/model";
import {
  encodeShuffled,
  expectedSpans,
  randomTracesRequest,
  toOtlpJson,
  type,
} from "@runtrace/testkit/otlp";
import { SeededRandom } from "@runtrace/testkit/random";
import { describe, expect, it } from "vitest";
import { decodeTracesJson, decodeTracesProtobuf } from "./index.ts";

const MESSAGES = 600;
const SEED = 0x07e1;
const Request = type("otlp.ExportTraceServiceRequest");

/** What the decoded spans exercised, to keep the generator honest. */
function features(spans: readonly SpanInput[], seen: Set<string>): void {
  const attributes = (a: Attributes): void => {
    for (const [key, value] of Object.entries(a.values)) {
      const type = Object.hasOwn(a.types, key) ? a.types[key]! : "string";
      seen.add(type);
      if (key === "__proto__") seen.add("__proto__ key");
      if (type === "int" && value.startsWith("-")) seen.add("negative int");
      if (type === "int" && (BigInt(value) > 2n ** 53n || BigInt(value) < -(2n ** 53n))) {
        seen.add("int beyond 2^53");
      }
      if ((type === "array" || type === "kvlist") && /[[{].*[[{]/.test(value.slice(1))) {
        seen.add("nested array/kvlist");
      }
      if (Buffer.byteLength(value) > value.length) seen.add("multi-byte string");
      if (value === "") seen.add("empty value");
    }
  };
  for (const span of spans) {
    attributes(span.attributes);
    attributes(span.resource.attributes);
    for (const e of span.events) attributes(e.attributes);
    for (const l of span.links) attributes(l.attributes);
    if (span.events.length > 0) seen.add("events");
    if (span.links.length > 0) seen.add("links");
    seen.add(span.statusCode);
    seen.add(span.kind);
    if (span.traceId.length === 6) seen.add("3-byte trace id");
    if (span.startNs > 2n ** 63n) seen.add("time beyond 2^63");
  }
}

/** Same resource object for every span of one ResourceSpans. */
function resourceGroups(spans: readonly SpanInput[]): number {
  return new Set(spans.map((s) => s.resource)).size;
}

describe("decodeTracesProtobuf against protobufjs", () => {
  it(`decodes ${MESSAGES} random requests to the reference model`, () => {
    const rng = new SeededRandom(SEED);
    const seen = new Set<string>();
    let spans = 0;
    for (let i = 0; i < MESSAGES; i++) {
      const request = randomTracesRequest(rng);
      const body = Request.encode(request as never).finish();
      const decoded = decodeTracesProtobuf(body);
      const expected = expectedSpans(request);
      expect(decoded, `message ${i} (seed ${SEED})`).toEqual(expected);
      expect(resourceGroups(decoded)).toBeLessThanOrEqual(request.resourceSpans.length);
      spans += decoded.length;
      features(decoded, seen);
    }
    expect(spans).toBeGreaterThan(MESSAGES);
    expect([...seen].sort()).toEqual(
      [
        "string",
        "int",
        "double",
        "bool",
        "bytes",
        "array",
        "kvlist",
        "__proto__ key",
        "negative int",
        "int beyond 2^53",
        "nested array/kvlist",
        "multi-byte string",
        "empty value",
        "events",
        "links",
        ...STATUS_CODE_NAMES,
        ...SPAN_KIND_NAMES,
        "3-byte trace id",
        "time beyond 2^63",
      ].sort(),
    );
  });

  it("decodes the same with fields in any order and unknown fields in every message", () => {
    const rng = new SeededRandom(SEED + 1);
    for (let i = 0; i < MESSAGES; i++) {
      const request = randomTracesRequest(rng);
      const body = encodeShuffled(Request, request as never, rng);
      expect(decodeTracesProtobuf(body), `message ${i}`).toEqual(expectedSpans(request));
    }
  });

  it("shares one resource object among the spans of a ResourceSpans", () => {
    const rng = new SeededRandom(SEED + 2);
    const request = randomTracesRequest(rng);
    request.resourceSpans = [
      { ...request.resourceSpans[0]!, scopeSpans: request.resourceSpans[0]!.scopeSpans },
    ];
    const decoded = decodeTracesProtobuf(Request.encode(request as never).finish());
    for (const span of decoded) expect(span.resource).toBe(decoded[0]!.resource);
  });

  it("keeps semantically invalid spans for the mapper to reject", () => {
    const body = Request.encode({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Uint8Array.of(1, 2, 0xab) }] }] }],
    } as never).finish();
    const [span] = decodeTracesProtobuf(body);
    expect(span).toMatchObject({
      traceId: "0102ab",
      spanId: "",
      name: "",
      startNs: 0n,
      endNs: 0n,
      kind: "SPAN_KIND_UNSPECIFIED",
      statusCode: "STATUS_CODE_UNSET",
      resource: { serviceName: "" },
      scope: { name: "", version: "" },
    });
  });

  it("decodes an empty body as no spans", () => {
    expect(decodeTracesProtobuf(new Uint8Array(0))).toEqual([]);
  });

  it("decodes strings with invalid UTF-8 leniently", () => {
    const name = Uint8Array.of(0x61, 0xff, 0xc3); // "a", a stray byte, a cut 2-byte sequence
    const span = concatBytes([0x2a, name.length], name); // Span.name (field 5)
    const scopeSpans = concatBytes([0x12, span.length], span);
    const resourceSpans = concatBytes([0x12, scopeSpans.length], scopeSpans);
    const body = concatBytes([0x0a, resourceSpans.length], resourceSpans);
    expect(decodeTracesProtobuf(body)[0]?.name).toBe("a\ufffd\ufffd");
  });
});

function concatBytes(head: number[], tail: Uint8Array): Uint8Array {
  return Uint8Array.of(...head, ...tail);
}

describe("decodeTracesJson", () => {
  it(`decodes the OTLP/JSON form of ${MESSAGES} random requests like the protobuf form`, () => {
    const rng = new SeededRandom(SEED + 3);
    for (let i = 0; i < MESSAGES; i++) {
      const request = randomTracesRequest(rng);
      const json = JSON.stringify(toOtlpJson(request, rng));
      const fromJson = decodeTracesJson(rng.chance(0.5) ? json : new TextEncoder().encode(json));
      const fromProtobuf = decodeTracesProtobuf(Request.encode(request as never).finish());
      expect(fromJson, `message ${i}: ${json.slice(0, 200)}`).toEqual(fromProtobuf);
      expect(fromJson).toEqual(expectedSpans(request));
    }
  });

  it("accepts the spec's upper-case hex ids and enum names", () => {
    const [span] = decodeTracesJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "5B8EFFF798038103D269B633813FC60C",
                    spanId: "EEE19B7EC3C1B174",
                    kind: "SPAN_KIND_SERVER",
                    status: { code: "STATUS_CODE_ERROR" },
                    startTimeUnixNano: 1544712660000000000,
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(span).toMatchObject({
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      kind: "SPAN_KIND_SERVER",
      statusCode: "STATUS_CODE_ERROR",
      startNs: 1544712660000000000n,
    });
  });
});

import { type } from "@runtrace/testkit/otlp";
import { describe, expect, it } from "vitest";
import { encodeTracesData, type OtlpTracesData } from "./traces-encode.ts";
import { decodeTracesProtobuf } from "./traces-protobuf.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";

/** A trace that exercises every AnyValue member, events, links, status, flags and long values. */
function sample(): OtlpTracesData {
  const long = "x".repeat(20_000); // a length that needs a three-byte varint
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "sandbox" } },
            { key: "host.cpus", value: { intValue: "2" } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "runtrace-test", version: "1.2.3" },
            spans: [
              {
                traceId: TRACE,
                spanId: "b7ad6b7169203331",
                name: "execution",
                kind: 2,
                startTimeUnixNano: "1795487906951000000",
                endTimeUnixNano: "1795487907179000000",
                attributes: [
                  { key: "s", value: { stringValue: "" } },
                  { key: "i", value: { intValue: "-42" } },
                  { key: "big", value: { intValue: "9007199254740993" } },
                  { key: "d", value: { doubleValue: 0 } },
                  { key: "inf", value: { doubleValue: "-Infinity" } },
                  { key: "b", value: { boolValue: false } },
                  {
                    key: "bytes",
                    value: { bytesValue: Buffer.from([1, 2, 255]).toString("base64") },
                  },
                  {
                    key: "arr",
                    value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: 7 }] } },
                  },
                  {
                    key: "kv",
                    value: { kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] } },
                  },
                  { key: "code", value: { stringValue: long } },
                ],
                events: [
                  {
                    timeUnixNano: "1795487907000000000",
                    name: "log",
                    attributes: [{ key: "log.message", value: { stringValue: "hi" } }],
                  },
                ],
                links: [{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes: [] }],
                status: { code: 2, message: "boom" },
                flags: 1,
              },
              {
                traceId: TRACE,
                spanId: "00f067aa0ba902b7",
                parentSpanId: "b7ad6b7169203331",
                name: "tool_call",
                kind: 1,
                startTimeUnixNano: "1795487907000000001",
                endTimeUnixNano: "1795487907100000000",
                attributes: [],
                events: [],
                links: [],
                status: { code: 0 },
              },
            ],
          },
        ],
      },
    ],
  };
}

describe("encodeTracesData", () => {
  it("writes protobuf that protobufjs, from the spec's field numbers, reads back field for field", () => {
    const bytes = encodeTracesData(sample());
    // ExportTraceServiceRequest and TracesData share field 1 (repeated ResourceSpans).
    const decoded = type("ExportTraceServiceRequest").toObject(
      type("ExportTraceServiceRequest").decode(bytes),
      { longs: String, bytes: String, defaults: false, oneofs: false },
    );
    const rs = decoded.resourceSpans[0];
    expect(rs.resource.attributes).toEqual([
      { key: "service.name", value: { stringValue: "sandbox" } },
      { key: "host.cpus", value: { intValue: "2" } },
    ]);
    const ss = rs.scopeSpans[0];
    expect(ss.scope).toEqual({ name: "runtrace-test", version: "1.2.3" });
    const [root, child] = ss.spans;
    expect(Buffer.from(root.traceId, "base64").toString("hex")).toBe(TRACE);
    expect(Buffer.from(root.spanId, "base64").toString("hex")).toBe("b7ad6b7169203331");
    expect(root.parentSpanId).toBeUndefined();
    expect(root.name).toBe("execution");
    expect(root.kind).toBe(2);
    expect(root.startTimeUnixNano).toBe("1795487906951000000");
    expect(root.endTimeUnixNano).toBe("1795487907179000000");
    expect(root.flags).toBe(1);
    expect(root.status).toEqual({ code: 2, message: "boom" });
    const attrs = Object.fromEntries(
      root.attributes.map((a: { key: string; value: unknown }) => [a.key, a.value]),
    );
    // Zero values inside AnyValue's oneof are written, so their type survives.
    expect(attrs.s).toEqual({ stringValue: "" });
    expect(attrs.i).toEqual({ intValue: "-42" });
    expect(attrs.big).toEqual({ intValue: "9007199254740993" });
    expect(attrs.d).toEqual({ doubleValue: 0 });
    // proto3 JSON's spelling of a non-finite double is written as that double.
    expect(attrs.inf).toEqual({ doubleValue: Number.NEGATIVE_INFINITY });
    expect(attrs.b).toEqual({ boolValue: false });
    expect(Buffer.from(attrs.bytes.bytesValue, "base64")).toEqual(Buffer.from([1, 2, 255]));
    expect(attrs.arr).toEqual({
      arrayValue: { values: [{ stringValue: "a" }, { intValue: "7" }] },
    });
    expect(attrs.kv).toEqual({
      kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] },
    });
    expect(attrs.code.stringValue).toHaveLength(20_000);
    expect(root.events).toEqual([
      {
        timeUnixNano: "1795487907000000000",
        name: "log",
        attributes: [{ key: "log.message", value: { stringValue: "hi" } }],
      },
    ]);
    expect(Buffer.from(root.links[0].spanId, "base64").toString("hex")).toBe("00f067aa0ba902b7");
    expect(Buffer.from(child.parentSpanId, "base64").toString("hex")).toBe("b7ad6b7169203331");
    expect(child.kind).toBe(1);
    expect(child.status).toEqual({});
  });

  it("is read back by runtrace's own decoder into the same spans", () => {
    const spans = decodeTracesProtobuf(encodeTracesData(sample()));
    expect(spans.map((s) => [s.spanId, s.parentSpanId, s.name])).toEqual([
      ["b7ad6b7169203331", "", "execution"],
      ["00f067aa0ba902b7", "b7ad6b7169203331", "tool_call"],
    ]);
  });
});

import { type } from "@runtrace/testkit/otlp";
import { describe, expect, it } from "vitest";
import { encodeExportMetricsResponse, encodeExportTraceResponse, encodeStatus } from "./index.ts";

const TraceResponse = type("otlp.ExportTraceServiceResponse");
const MetricsResponse = type("otlp.ExportMetricsServiceResponse");
const Status = type("google.rpc.Status");

function decoded(t: ReturnType<typeof type>, body: Uint8Array): unknown {
  return t.toObject(t.decode(body), { longs: Number, defaults: false });
}

describe("responses", () => {
  it("encodes full success as an empty body", () => {
    expect(encodeExportTraceResponse(0, "")).toEqual(new Uint8Array(0));
    expect(encodeExportMetricsResponse(0, "")).toEqual(new Uint8Array(0));
  });

  it("matches the bytes protobufjs writes for a partial success", () => {
    // From the protocols reference: {partialSuccess:{rejectedSpans:3,errorMessage:'dropped'}}.
    expect(Buffer.from(encodeExportTraceResponse(3, "dropped")).toString("hex")).toBe(
      "0a0b0803120764726f70706564",
    );
  });

  it("round-trips through protobufjs", () => {
    for (const [rejected, message] of [
      [3, "dropped"],
      [0, "a warning only"],
      [1, ""],
      [300, "rejected spans: 2 invalid trace id, 298 past retention — ü 中 😀"],
      [2 ** 40 + 7, "x".repeat(200)],
    ] as const) {
      const partialSuccess: Record<string, unknown> = {};
      if (rejected) partialSuccess.rejectedSpans = rejected;
      if (message) partialSuccess.errorMessage = message;
      expect(decoded(TraceResponse, encodeExportTraceResponse(rejected, message))).toEqual({
        partialSuccess,
      });
      const metrics: Record<string, unknown> = {};
      if (rejected) metrics.rejectedDataPoints = rejected;
      if (message) metrics.errorMessage = message;
      expect(decoded(MetricsResponse, encodeExportMetricsResponse(rejected, message))).toEqual({
        partialSuccess: metrics,
      });
    }
  });

  it("encodes google.rpc.Status", () => {
    expect(decoded(Status, encodeStatus(3, "invalid protobuf: …"))).toEqual({
      code: 3,
      message: "invalid protobuf: …",
    });
    expect(decoded(Status, encodeStatus(14, ""))).toEqual({ code: 14 });
    expect(decoded(Status, encodeStatus(0, "ok"))).toEqual({ message: "ok" });
    expect(decoded(Status, encodeStatus(-1, "negative int32"))).toEqual({
      code: -1,
      message: "negative int32",
    });
  });
});

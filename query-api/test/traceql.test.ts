import { describe, expect, it } from "vitest";
import { isTraceIdQuery, parseTraceQl, TraceQlError } from "../src/tempo/traceql.ts";

describe("TraceQL subset", () => {
  it("reads {} and an empty query as every span", () => {
    expect(parseTraceQl("{}")).toEqual([]);
    expect(parseTraceQl("  { }  ")).toEqual([]);
    expect(parseTraceQl("")).toEqual([]);
  });

  it("reads the conditions Grafana's search builder writes", () => {
    const q =
      '{resource.service.name="sandbox" && name="tool_call" && span.http.status_code>=500 && status=error && duration>1.5ms && kind=server && .executor.tool.path=~"github\\\\..*"}';
    expect(parseTraceQl(q)).toEqual([
      {
        field: { kind: "attribute", scope: "resource", name: "service.name" },
        op: "=",
        value: { type: "string", value: "sandbox" },
      },
      {
        field: { kind: "intrinsic", name: "name" },
        op: "=",
        value: { type: "string", value: "tool_call" },
      },
      {
        field: { kind: "attribute", scope: "span", name: "http.status_code" },
        op: ">=",
        value: { type: "number", value: 500 },
      },
      {
        field: { kind: "intrinsic", name: "status" },
        op: "=",
        value: { type: "status", value: "error" },
      },
      {
        field: { kind: "intrinsic", name: "duration" },
        op: ">",
        value: { type: "duration", nanos: 1_500_000n },
      },
      {
        field: { kind: "intrinsic", name: "kind" },
        op: "=",
        value: { type: "kind", value: "server" },
      },
      {
        field: { kind: "attribute", scope: "any", name: "executor.tool.path" },
        op: "=~",
        value: { type: "string", value: "github\\..*" },
      },
    ]);
  });

  it("reads every duration unit and boolean values", () => {
    const nanos = ["7ns", "7us", "7µs", "7ms", "7s", "7m", "7h"].map((d) => {
      const [c] = parseTraceQl(`{duration<${d}}`);
      return c!.value.type === "duration" ? c!.value.nanos : undefined;
    });
    expect(nanos).toEqual([
      7n,
      7_000n,
      7_000n,
      7_000_000n,
      7_000_000_000n,
      420_000_000_000n,
      25_200_000_000_000n,
    ]);
    expect(parseTraceQl("{span.retry=true}")[0]!.value).toEqual({ type: "bool", value: true });
  });

  it("reads traceDuration, a condition on the whole trace", () => {
    expect(parseTraceQl("{traceDuration>=2.5s}")).toEqual([
      {
        field: { kind: "intrinsic", name: "traceDuration" },
        op: ">=",
        value: { type: "duration", nanos: 2_500_000_000n },
      },
    ]);
    expect(() => parseTraceQl('{traceDuration>"long"}')).toThrow(/traceDuration compares with/);
  });

  it("refuses what it does not support with a message that says what is supported", () => {
    for (const q of [
      "{a=1}",
      '{span.x="a"} | count() > 2',
      '{span.x="a" || span.y="b"}',
      '{span.x="a"} && {span.y="b"}',
      "{status=500}",
      '{duration>"slow"}',
      "{span.x=}",
      '{span.x="open',
      "{kind>server}",
      "rate()",
      "{duration>3parsecs}",
    ]) {
      expect(() => parseTraceQl(q), q).toThrow(TraceQlError);
    }
    expect(() => parseTraceQl("{status=500}")).toThrow(/supported TraceQL: \{\}/);
  });

  it("tells a trace id query from TraceQL as Grafana does", () => {
    expect(isTraceIdQuery("0af7651916cd43dd8448eb211c80319c")).toBe(true);
    expect(isTraceIdQuery("{}")).toBe(false);
  });
});

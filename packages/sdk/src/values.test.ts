import { describe, expect, it } from "vitest";
import { encodeLogLines } from "./prior-logs.ts";
import { encodeJson, errorType, toJson, truncateUtf8 } from "./values.ts";

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

describe("truncateUtf8", () => {
  it("keeps values within the limit untouched", () => {
    expect(truncateUtf8("abc", 3)).toEqual({ value: "abc", truncated: false });
    expect(truncateUtf8("€€", 6)).toEqual({ value: "€€", truncated: false });
    expect(truncateUtf8("", 1)).toEqual({ value: "", truncated: false });
  });

  it("cuts at the byte limit without splitting a multi-byte character", () => {
    // "€" is 3 bytes: 9 ASCII bytes + "€" = 12 > 10, and the euro sign must not be half-kept.
    expect(truncateUtf8("abcdefghi€", 10)).toEqual({ value: "abcdefghi", truncated: true });
    expect(truncateUtf8("héllo wörld", 10)).toEqual({ value: "héllo wö", truncated: true });
    expect(utf8Bytes("héllo wö")).toBe(10);
  });

  it("never splits a surrogate pair (4-byte emoji)", () => {
    expect(truncateUtf8("aaaaaaa😀b", 10)).toEqual({ value: "aaaaaaa", truncated: true });
    expect(truncateUtf8("aaaaaa😀b", 10)).toEqual({ value: "aaaaaa😀", truncated: true });
  });
});

describe("toJson / encodeJson", () => {
  it("serializes plain values as JSON", () => {
    expect(toJson({ a: [1, "x", null] })).toBe('{"a":[1,"x",null]}');
    expect(toJson("s")).toBe('"s"');
    expect(toJson(null)).toBe("null");
  });

  it("treats undefined and functions as no value / their string form", () => {
    expect(toJson(undefined)).toBeUndefined();
    expect(encodeJson(undefined, 10)).toBeUndefined();
    expect(toJson(() => 1)).toBe("() => 1");
  });

  it("falls back to String() for cycles and BigInt instead of throwing", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(toJson(cyclic)).toBe("[object Object]");
    expect(toJson(10n)).toBe("10");
    expect(toJson({ n: 1n })).toBe("[object Object]");
    expect(toJson(Object.create(null))).toBe("{}");
    const hostile = Object.create(null) as Record<string, unknown>;
    hostile.toJSON = () => {
      throw new Error("no");
    };
    expect(toJson(hostile)).toBe("[unserializable]");
  });

  it("cuts the JSON text and flags it", () => {
    expect(encodeJson("ééééé", 10)).toEqual({ value: '"éééé', truncated: true });
  });
});

describe("errorType", () => {
  it("uses the error's name, else Error", () => {
    expect(errorType(new SyntaxError("x"))).toBe("SyntaxError");
    expect(errorType({ name: "Custom" })).toBe("Custom");
    expect(errorType("text")).toBe("Error");
    expect(errorType(null)).toBe("Error");
  });
});

describe("encodeLogLines", () => {
  const lines = [
    { time: 1, severity: "info", message: "first" },
    { time: 2, severity: "warn", message: "second" },
    { time: 3, severity: "error", message: "third" },
  ];

  it("keeps every line when they fit", () => {
    const encoded = encodeLogLines(lines, 1000);
    expect(encoded.truncated).toBe(false);
    expect(JSON.parse(encoded.value)).toEqual(lines);
  });

  it("drops the oldest whole lines to stay valid JSON within the limit", () => {
    const one = JSON.stringify(lines[2]);
    const two = `[${JSON.stringify(lines[1])},${one}]`;
    const encoded = encodeLogLines(lines, utf8Bytes(two));
    expect(encoded).toEqual({ value: two, truncated: true });
    expect(encodeLogLines(lines, 5)).toEqual({ value: "[]", truncated: true });
  });
});

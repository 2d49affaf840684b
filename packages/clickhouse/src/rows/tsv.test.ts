import { describe, expect, it } from "vitest";
import { millisText, nanosText, quoted, tsvMap, tsvString } from "./tsv.ts";

describe("TabSeparated text", () => {
  it("escapes the characters that would break a field or a row", () => {
    expect(tsvString("a\tb\nc\\d\re")).toBe("a\\tb\\nc\\\\d\\re");
    expect(tsvString("plain 'quotes' stay")).toBe("plain 'quotes' stay");
  });

  it("quotes strings inside maps with their own escapes", () => {
    expect(quoted("it's a\\b\tc")).toBe("'it\\'s a\\\\b\\tc'");
    expect(tsvMap({ "k'1": "v\n1", k2: "" })).toBe("{'k\\'1':'v\\n1','k2':''}");
  });

  it("writes times as decimal seconds", () => {
    expect(nanosText(1_700_000_000_123_456_789n)).toBe("1700000000.123456789");
    expect(nanosText(5n)).toBe("0.000000005");
    expect(millisText(1_700_000_000_007)).toBe("1700000000.007");
  });
});

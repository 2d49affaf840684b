import { describe, expect, it } from "vitest";
import { integerText, monthText } from "./format.ts";

describe("counts and months without Intl", () => {
  it("writes integers as toLocaleString('en') does", () => {
    const values = [0, 1, -1, 9, 10, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -987_654_321];
    for (let k = 0; k < 16; k++) values.push(10 ** k - 1, 10 ** k, 7 * 10 ** k + 3);
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5, 1234.5678);
    for (const n of values) expect(integerText(n), String(n)).toBe(n.toLocaleString("en"));
  });

  it("names each month as toLocaleString('en', { month: 'short' }) does", () => {
    for (let m = 0; m < 12; m++) {
      const d = new Date(2026, m, 15);
      expect(monthText(d)).toBe(d.toLocaleString("en", { month: "short" }));
    }
  });
});

import { describe, expect, it } from "vitest";
import { expandMacros } from "./grafana-macros.ts";

// 2023-11-14T22:13:20.250Z and 22:23:20.999Z.
const range = { fromMs: 1_700_000_000_250, toMs: 1_700_000_600_999, intervalMs: 2_500 };

describe("expandMacros (the ClickHouse data source's macros)", () => {
  it("expands filters to whole seconds and their _ms forms to milliseconds", () => {
    expect(expandMacros("WHERE $__timeFilter(t)", range)).toBe(
      "WHERE t >= toDateTime(1700000000) AND t <= toDateTime(1700000600)",
    );
    expect(expandMacros("WHERE $__timeFilter_ms( t )", range)).toBe(
      "WHERE t >= fromUnixTimestamp64Milli(1700000000250) AND t <= fromUnixTimestamp64Milli(1700000600999)",
    );
    expect(expandMacros("$__fromTime $__toTime $__fromTime_ms $__toTime_ms", range)).toBe(
      "toDateTime(1700000000) toDateTime(1700000600) fromUnixTimestamp64Milli(1700000000250) fromUnixTimestamp64Milli(1700000600999)",
    );
  });

  it("buckets by the panel interval, at least one second (or millisecond)", () => {
    expect(expandMacros("$__timeInterval(t)", range)).toBe(
      "toStartOfInterval(toDateTime(t), INTERVAL 2 second)",
    );
    expect(expandMacros("$__timeInterval_ms(t)", range)).toBe(
      "toStartOfInterval(toDateTime64(t, 3), INTERVAL 2500 millisecond)",
    );
    expect(expandMacros("$__timeInterval(t) $__interval_s", { ...range, intervalMs: 10 })).toBe(
      "toStartOfInterval(toDateTime(t), INTERVAL 1 second) 1",
    );
  });

  it("refuses what it cannot expand instead of leaving it in the SQL", () => {
    expect(() => expandMacros("$__dateFilter(d)", range)).toThrow(/unknown macro/);
    expect(() => expandMacros("$__timeFilter", range)).toThrow(/needs arguments/);
    expect(() => expandMacros("$__timeFilter(a, b)", range)).toThrow(/one column/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana template variable, not JS.
    expect(() => expandMacros("WHERE scope_id = '${scope}'", range)).toThrow(/template variable/);
    expect(() => expandMacros("WHERE scope_id = $scope", range)).toThrow(/template variable/);
  });
});

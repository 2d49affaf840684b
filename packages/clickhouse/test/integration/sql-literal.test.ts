import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  briefError,
  type ClickHouse,
  inlineParams,
  quoteString,
  sqlLiteral,
} from "../../src/index.ts";
import { HOSTILE } from "../hostile-strings.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

async function roundTrip(type: string, value: unknown): Promise<unknown> {
  const [row] = await ch.select<{ v: unknown }>(`SELECT ${sqlLiteral(type, value)} AS v`);
  return row?.v;
}

describe("SQL literals: values written into the SQL text", () => {
  it("every hostile string comes back as itself", async () => {
    for (const s of HOSTILE) expect(await roundTrip("String", s)).toBe(s);
  });

  it("as an array, and inside IN, they still mean themselves", async () => {
    expect(await roundTrip("Array(String)", HOSTILE)).toEqual(HOSTILE);
    for (const s of HOSTILE.slice(0, 12)) {
      const [row] = await ch.select<{ hit: number; miss: number }>(
        `SELECT ${sqlLiteral("String", s)} IN ${sqlLiteral("Array(String)", [s, "other"])} AS hit,
           ${sqlLiteral("String", `${s}x`)} IN ${sqlLiteral("Array(String)", [s])} AS miss`,
      );
      expect(row).toEqual({ hit: 1, miss: 0 });
    }
  });

  it("gives the same answer as a server-side parameter", async () => {
    for (const s of HOSTILE) {
      const params = { needle: s, list: [s, "z"] };
      const sql =
        "SELECT length({needle:String}) AS n, has({list:Array(String)}, {needle:String}) AS found";
      // ch.select inlines on embedded ClickHouse: the engine binds these itself.
      const rs = await ch.reader.query({ query: sql, query_params: params, format: "JSONEachRow" });
      const bound = await rs.json();
      const inlined = await ch.select(inlineParams(sql, params));
      expect(bound).toHaveLength(1);
      expect(inlined).toEqual(bound);
    }
  });

  it("numbers and booleans keep their types and extremes", async () => {
    expect(await roundTrip("Int64", -9_007_199_254_740_991)).toBe(-9_007_199_254_740_991);
    const [ext] = await ch.select<{ lo: string; hi: string; t: string }>(
      `SELECT toString(${sqlLiteral("Int64", -(2n ** 63n))}) AS lo,
         toString(${sqlLiteral("UInt64", "18446744073709551615")}) AS hi,
         toTypeName(${sqlLiteral("UInt32", 7)}) AS t`,
    );
    expect(ext).toEqual({ lo: "-9223372036854775808", hi: "18446744073709551615", t: "UInt32" });
    expect(await roundTrip("Float64", 0.1)).toBe(0.1);
    expect(await roundTrip("Bool", true)).toBe(true);
    expect(await roundTrip("Nullable(String)", null)).toBe(null);
  });

  it("refuses values that do not fit their type, and unknown types", () => {
    expect(() => sqlLiteral("Int64", "1; DROP TABLE x")).toThrow(/as Int64: expected an integer/);
    expect(() => sqlLiteral("Int64", 1.5)).toThrow(/expected an integer/);
    expect(() => sqlLiteral("Int64", 2 ** 60)).toThrow(/expected an integer/);
    expect(() => sqlLiteral("UInt32", -1)).toThrow(/unsigned/);
    expect(() => sqlLiteral("String", 5)).toThrow(/expected a string/);
    expect(() => sqlLiteral("Array(String)", "a")).toThrow(/expected an array/);
    expect(() => sqlLiteral("Bool", "true")).toThrow(/expected a boolean/);
    expect(() => sqlLiteral("DateTime64(3)", 1)).toThrow(/not a type values are inlined for/);
    expect(() => sqlLiteral("String') --", "a")).toThrow(/not a type name/);
    expect(() => inlineParams("SELECT {missing:String}", {})).toThrow(/missing/);
  });

  it("quotes control characters as escapes, so the SQL text holds none", () => {
    expect(quoteString("a'b\\c\u0000\n")).toBe("'a\\'b\\\\c\\x00\\x0a'");
  });
});

describe("statements whose inlined values are large", () => {
  it("run on every embedded connection, past the parser's default 256 KiB", async () => {
    // A writer's look-up of a 20 000-row batch names every id (≈ 800 KB of SQL once inlined).
    const ids = Array.from({ length: 20_000 }, (_, i) => `0b9c2e57-batch-${i}-${"x".repeat(16)}`);
    const sql = `SELECT toUInt32(countIf(id IN {ids:Array(String)})) AS n
      FROM (SELECT arrayJoin({probe:Array(String)}) AS id)`;
    const params = { ids, probe: [ids[0]!, ids[19_999]!, "absent"] };
    expect(await ch.selectForWrite(sql, params)).toEqual([{ n: 2 }]);
    expect(await ch.runs.selectForWrite(sql, params)).toEqual([{ n: 2 }]);
    expect(await ch.select(sql, params)).toEqual([{ n: 2 }]);
  });
});

describe("engine errors handed back or logged", () => {
  it("leave out the statement, whose inlined values may be other requests' ids", async () => {
    const secret = "other-tenant-run-42";
    const error = await ch
      .select(`SELECT * FROM no_such_table WHERE id IN {ids:Array(String)}`, { ids: [secret] })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain(secret);
    const brief = briefError(error);
    expect(brief).toMatch(/no_such_table/);
    expect(brief).not.toContain(secret);
    expect(briefError(new Error("x".repeat(1_000)), 50)).toBe(`${"x".repeat(50)}…`);
  });
});

import { maskErrorMessage } from "@runtrace/testkit/error-mask";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickHouse, errorPatternSql } from "../../src/index.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

/** Messages and the pattern each must give, written out by hand. */
const CASES: [string, string][] = [
  ["upstream answered 502 Bad Gateway", "upstream answered <n> Bad Gateway"],
  [
    "timeout after 30s (2.5ms spent, 10MB read, retried 3x)",
    "timeout after <n> (<n> spent, <n> read, retried <n>)",
  ],
  ["job-12abc lost; job-1a2b lost; job42 lost", "<id> lost; <id> lost; <id> lost"],
  [`user 'alice' not found in "db 7"`, `user '?' not found in "?"`],
  ["can't open 'x'", "can'?'x'"],
  ["run 4f1c9e2a-11aa-4b2c-9d3e-0a1b2c3d4e5f gone", "run <id> gone"],
  ["  tabs\tand\nnew\r\nlines  ", "tabs and new lines"],
  [
    "vertical\u000btab and\u00a0no-break space stay",
    "vertical\u000btab and\u00a0no-break space stay",
  ],
  ["TypeError: x.y is not a function", "TypeError: x.y is not a function"],
  ["", ""],
];

describe("the error-group mask", () => {
  it("gives the documented pattern, in SQL and in the tests' JavaScript alike", async () => {
    const long = `${"é".repeat(150)} ${"😀".repeat(80)} 12`;
    const messages = [...CASES.map(([m]) => m), long];
    const rows = await ch.select<{ m: string; p: string }>(
      `SELECT m, ${errorPatternSql("m")} AS p FROM (SELECT arrayJoin({m:Array(String)}) AS m)`,
      { m: messages },
    );
    expect(rows).toHaveLength(messages.length);
    for (const [i, [message, pattern]] of CASES.entries()) {
      expect(rows[i]!.p, JSON.stringify(message)).toBe(pattern);
      expect(maskErrorMessage(message), JSON.stringify(message)).toBe(pattern);
    }
    // 200 code points, cut inside the emoji without splitting one.
    const cut = rows.at(-1)!.p;
    expect(Array.from(cut)).toHaveLength(200);
    expect(cut.endsWith("😀")).toBe(true);
    expect(maskErrorMessage(long)).toBe(cut);
  });
});

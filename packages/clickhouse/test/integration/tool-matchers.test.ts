import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClickHouse,
  exactMatcher,
  namespaceMatcher,
  runToolMatchers,
} from "../../src/index.ts";
import { toolMatchersSql } from "../../src/rows/tool-matchers.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

const PATHS = [
  "fetch",
  "github.issues.create",
  "github.repos.get",
  "a..b",
  "a.",
  ".a",
  "",
  "x.*",
  "ünï.cödé",
  "slack.chat.postMessage",
];

/** The tool filter's meaning, written out: a run matches an exact path or a namespace. */
function matches(paths: string[], value: { exact?: string; namespace?: string }): boolean {
  if (value.exact !== undefined) return paths.includes(value.exact);
  const ns = value.namespace as string;
  return paths.some((p) => p === ns || p.startsWith(`${ns}.`));
}

describe("tool-filter values of a run's paths", () => {
  it("the SQL of the rollup's view gives what the writer computes, for odd paths too", async () => {
    for (const paths of [PATHS, [], ["a.b", "a.b", "a.c"], PATHS.slice(1, 3)]) {
      const [row] = await ch.select<{ m: string[] }>(
        `SELECT ${toolMatchersSql("{paths:Array(String)}")} AS m`,
        { paths },
      );
      expect([...(row?.m ?? [])].sort()).toEqual(runToolMatchers(paths).sort());
    }
  });

  it("a run answers a value exactly when the filter would match it", () => {
    const runs = [
      ["github.issues.create"],
      ["github"],
      ["githubx.y"],
      ["fetch", "slack.chat.post"],
    ];
    const values = [
      { exact: "github.issues.create" },
      { exact: "github" },
      { namespace: "github" },
      { namespace: "github.issues" },
      { namespace: "githu" },
      { namespace: "slack.chat" },
      { exact: "fetch" },
      { namespace: "fetch" },
    ];
    for (const paths of runs) {
      const answered = new Set(runToolMatchers(paths));
      for (const v of values) {
        const key = v.exact !== undefined ? exactMatcher(v.exact) : namespaceMatcher(v.namespace!);
        expect(answered.has(key), `${paths} / ${key}`).toBe(matches(paths, v));
      }
    }
  });
});

/**
 * `GET /v1/executions/errors` and the `errorGroup=` filter: failed runs grouped by error type and
 * message pattern (numbers, ids and quoted values masked), with count, first and last seen; a
 * group's id filters the list, the numbers and the export to exactly its runs. Expected groups
 * come from the fixture's record, masked here by a mask written out independently of the SQL.
 */
import { maskErrorMessage } from "@runtrace/testkit/error-mask";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";
import { type RecordedRun, RunFixture } from "./fixture.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field.
type Body = any;

let fixture: RunFixture;
let app: ReturnType<typeof createQueryApiApp>;
const RUNS = 400;
const now = Date.now();
const from = now - 3 * 3_600_000;

beforeAll(async () => {
  fixture = await RunFixture.start();
  for (let i = 0; i < RUNS; i++) await fixture.run(i, from + 60_000 + i * 20_000);
  await fixture.flush();
  app = createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: fixture.collector.ch });
}, 240_000);

afterAll(async () => {
  await fixture?.stop();
});

interface Expected {
  errorType: string;
  pattern: string;
  runs: RecordedRun[];
}

/** The recorded failed runs the keep function selects, grouped by type and masked message. */
function expectedGroups(keep: (r: RecordedRun) => boolean): Expected[] {
  const groups = new Map<string, Expected>();
  for (const run of fixture.runs.values()) {
    if (run.status !== "failed" || !keep(run)) continue;
    const key = `${run.errorType}\u0000${maskErrorMessage(run.error!)}`;
    const group = groups.get(key) ?? {
      errorType: run.errorType!,
      pattern: maskErrorMessage(run.error!),
      runs: [],
    };
    group.runs.push(run);
    groups.set(key, group);
  }
  return [...groups.values()];
}

async function get(path: string): Promise<Body> {
  const response = await app.request(path);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

/** Every group of the answer is one expected group: same runs' count, times, type and pattern. */
function expectGroups(body: Body, want: Expected[]): void {
  expect(body.failed).toBe(want.reduce((n, g) => n + g.runs.length, 0));
  expect(body.groupCount).toBe(want.length);
  const byKey = new Map(want.map((g) => [`${g.errorType}\u0000${g.pattern}`, g]));
  expect(body.groups).toHaveLength(Math.min(20, want.length));
  for (const g of body.groups) {
    const w = byKey.get(`${g.errorType}\u0000${g.pattern}`);
    expect(w, `${g.errorType}: ${g.pattern}`).toBeDefined();
    expect(g.count).toBe(w!.runs.length);
    expect(g.firstSeen).toBe(Math.min(...w!.runs.map((r) => r.createdAt)));
    expect(g.lastSeen).toBe(Math.max(...w!.runs.map((r) => r.createdAt)));
    // The example is the message of the group's newest run.
    const newest = w!.runs.filter((r) => r.createdAt === g.lastSeen).map((r) => r.error);
    expect(newest).toContain(g.example);
  }
  const counts = body.groups.map((g: Body) => g.count);
  expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
}

describe("GET /v1/executions/errors", () => {
  it("groups the range's failed runs by type and masked message", async () => {
    const want = expectedGroups((r) => r.createdAt >= from);
    expect(want.length).toBeGreaterThan(4);
    const body = await get(`/v1/executions/errors?from=${from}`);
    expectGroups(body, want);
    // Values that differ only in numbers, ids and quotes share a group.
    expect(body.groups.map((g: Body) => g.pattern).sort()).toEqual(
      expect.arrayContaining(["boom <n>", "user '?' not found", "upstream answered <n> after <n>"]),
    );
  });

  it("follows the other filters: scope, trigger, tool, code", async () => {
    expectGroups(
      await get(`/v1/executions/errors?from=${from}&scope=scope-a&trigger=cli,http`),
      expectedGroups((r) => r.scope === "scope-a" && ["cli", "http"].includes(r.trigger ?? "")),
    );
    expectGroups(
      await get(`/v1/executions/errors?from=${from}&tool=github.*`),
      expectedGroups((r) => r.tools.some((t) => t.path.startsWith("github."))),
    );
    expectGroups(
      await get(`/v1/executions/errors?from=${from}&code=marker2_value`),
      expectedGroups((r) => r.code.includes("Marker2_Value")),
    );
    expect(await get(`/v1/executions/errors?from=${from}&status=completed`)).toEqual({
      failed: 0,
      groupCount: 0,
      groups: [],
      partial: null,
    });
  });

  it("errorGroup= filters the list, its counts, the numbers and the export to the group's runs", async () => {
    const body = await get(`/v1/executions/errors?from=${from}`);
    const want = expectedGroups(() => true);
    expect(body.groups.length).toBeGreaterThan(4);
    for (const g of body.groups as Body[]) {
      const runs = want.find((w) => w.errorType === g.errorType && w.pattern === g.pattern)!.runs;
      const ids = runs
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map((r) => r.id);
      const list = await get(`/v1/executions?from=${from}&errorGroup=${g.errorGroup}&limit=200`);
      expect(list.executions.map((e: Body) => e.id)).toEqual(ids);
      expect(list.meta.filterRowCount).toBe(runs.length);
      expect(list.meta.statusCounts.find((s: Body) => s.status === "failed").count).toBe(
        runs.length,
      );
      const numbers = await get(`/v1/executions/numbers?from=${from}&errorGroup=${g.errorGroup}`);
      expect({ runs: numbers.runs, failed: numbers.failed }).toEqual({
        runs: runs.length,
        failed: runs.length,
      });
      const exported = await app.request(
        `/v1/executions/export?from=${from}&errorGroup=${g.errorGroup}&format=jsonl`,
      );
      const lines = (await exported.text()).trim().split("\n");
      expect(lines.map((l) => JSON.parse(l).id)).toEqual(ids);
      // The error groups of that filter: the group alone (the page asks for them once a group
      // is picked, and sends them with its first screen for a URL that names one).
      const alone = await get(`/v1/executions/errors?from=${from}&errorGroup=${g.errorGroup}`);
      expectGroups(alone, [
        want.find((w) => w.errorType === g.errorType && w.pattern === g.pattern)!,
      ]);
      expect(alone.groups[0].errorGroup).toBe(g.errorGroup);
    }
  });

  it("a bad group id is a 400 that names errorGroup", async () => {
    for (const value of ["xyz", "123", "0123456789ABCDEF"]) {
      const response = await app.request(`/v1/executions?errorGroup=${value}`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain("errorGroup");
    }
  });
});

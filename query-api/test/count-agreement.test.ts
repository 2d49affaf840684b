import { rmSync } from "node:fs";
import type { ClickHouse } from "@runtrace/clickhouse";
import { type Collector, createCollector, type Listening, listen } from "@runtrace/collector";
import { openMigrated, tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";

/**
 * One truth per number: a run's tool-call and interaction counts are the same in the list, the
 * detail, `/tool-calls` and the detail's interactions, for finished and unfinished runs, however
 * its spans arrived; and a tool facet's `runs` is what filtering by that tool lists. The runs
 * are OTLP/JSON written by hand (a runtime without our SDK) and delivered the hard way: root
 * spans first, their tool spans in later requests, some twice.
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field.
type Body = any;

const dataDir = tempDataDir("runtrace-agree-");
let ch: ClickHouse;
let collector: Collector;
let ingest: Listening;
let api: Listening;

beforeAll(async () => {
  ch = await openMigrated(dataDir);
  collector = createCollector(ch, { port: 0, host: "127.0.0.1" });
  ingest = await listen(collector.app, 0, "127.0.0.1");
  api = await listen(
    createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: ch }),
    0,
    "127.0.0.1",
  );
});
afterAll(async () => {
  await api?.close();
  await ingest?.close();
  await collector?.close();
  await ch?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const SCOPE = "agree";
const T0 = Date.now() - 30 * 60_000;
let spanSeq = 0;
const spanId = () => (++spanSeq).toString(16).padStart(16, "0");
const traceOf = (n: number) => (n + 1).toString(16).padStart(32, "a");

type Attr = string | number | boolean;
function attrs(values: Record<string, Attr>) {
  return Object.entries(values).map(([key, v]) => ({
    key,
    value:
      typeof v === "number"
        ? { intValue: String(v) }
        : typeof v === "boolean"
          ? { boolValue: v }
          : { stringValue: v },
  }));
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: ReturnType<typeof attrs>;
  status?: { code: number; message?: string };
}

function jsonSpan(
  n: number,
  name: string,
  startMs: number,
  endMs: number,
  values: Record<string, Attr>,
  parent?: string,
): JsonSpan {
  return {
    traceId: traceOf(n),
    spanId: spanId(),
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind: 1,
    startTimeUnixNano: `${startMs}000000`,
    endTimeUnixNano: `${endMs}000000`,
    attributes: attrs(values),
  };
}

async function post(spans: JsonSpan[]): Promise<void> {
  const res = await fetch(`${ingest.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: attrs({ "service.name": "hand-written" }) },
          scopeSpans: [{ scope: { name: "by-hand" }, spans }],
        },
      ],
    }),
  });
  expect(res.status, await res.text()).toBe(200);
}

async function get(path: string): Promise<Body> {
  const res = await fetch(`${api.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.json();
}

interface Planned {
  id: string;
  /** finished runs end; the others stay running or waiting. */
  state: "completed" | "failed" | "running" | "waiting_for_interaction";
  tools: string[];
  interactions: number;
}

const PATHS = ["github.issues.create", "github.repos.get", "slack.post", "db.query"];

const planned: Planned[] = Array.from({ length: 16 }, (_, n) => ({
  id: `agree-${n}`,
  state: (["completed", "failed", "running", "waiting_for_interaction"] as const)[n % 4]!,
  tools: Array.from({ length: n % 5 }, (_, k) => PATHS[(n + k) % PATHS.length]!),
  interactions: n % 3 === 0 ? 1 : 0,
}));

describe("counts agree wherever they appear", () => {
  beforeAll(async () => {
    const roots: JsonSpan[] = [];
    const children: JsonSpan[] = [];
    planned.forEach((run, n) => {
      const start = T0 + n * 60_000;
      const final = run.state === "completed" || run.state === "failed";
      const root = final
        ? jsonSpan(n, "executor.execution", start, start + 5_000, {
            "executor.execution.id": run.id,
            "executor.scope.id": SCOPE,
            "executor.execution.status": run.state,
            "executor.execution.created_at": start,
            "executor.execution.code": `run ${n}`,
            // A claim that disagrees with what arrives: the spans stored are what counts.
            "executor.execution.tool_call_count": 99,
          })
        : jsonSpan(n, "executor.execution.state", start, start, {
            "executor.execution.id": run.id,
            "executor.scope.id": SCOPE,
            "executor.execution.status": run.state,
            "executor.execution.created_at": start,
            "executor.execution.seq": 2,
            "executor.execution.code": `run ${n}`,
            ...(run.state === "waiting_for_interaction"
              ? { "executor.interaction.id": `ask-${n}`, "executor.interaction.kind": "form" }
              : {}),
          });
      roots.push(root);
      run.tools.forEach((path, k) => {
        children.push(
          jsonSpan(
            n,
            `executor.tool.${path}`,
            start + 100 + k * 50,
            start + 120 + k * 50,
            // No scope on the tool spans: they take their run's.
            { "executor.tool.path": path, "executor.execution.id": run.id },
            root.spanId,
          ),
        );
      });
      for (let k = 0; k < run.interactions; k++) {
        children.push(
          jsonSpan(
            n,
            "executor.interaction",
            start + 1_000,
            start + 2_000,
            {
              "executor.execution.id": run.id,
              "executor.interaction.id": `done-${n}-${k}`,
              "executor.interaction.kind": "url",
              "executor.interaction.status": "resolved",
            },
            root.spanId,
          ),
        );
      }
    });
    // The roots first, then the children three at a time, one request twice.
    await post(roots);
    for (let i = 0; i < children.length; i += 3) await post(children.slice(i, i + 3));
    await post(children.slice(0, 3));
  });

  it("list, detail, tool calls and interactions give the same numbers", async () => {
    const list = await get(`/v1/executions?scope=${SCOPE}&limit=200`);
    expect(list.executions).toHaveLength(planned.length);
    for (const run of planned) {
      const row = list.executions.find((r: Body) => r.id === run.id);
      const detail = await get(`/v1/executions/${run.id}`);
      const calls = await get(`/v1/executions/${run.id}/tool-calls`);
      const numbers = {
        status: row.status,
        listCalls: row.toolCallCount,
        detailCalls: detail.toolCallCount,
        toolCalls: calls.toolCalls.length,
        listInteractions: row.interactionCount,
        detailInteractions: detail.interactionCount,
        interactions: detail.interactions.length,
        elicitation: row.hadElicitation,
      };
      expect(numbers, run.id).toEqual({
        status: run.state,
        listCalls: run.tools.length,
        detailCalls: run.tools.length,
        toolCalls: run.tools.length,
        listInteractions: run.interactions,
        detailInteractions: run.interactions,
        interactions: run.interactions,
        elicitation: run.interactions > 0 || run.state === "waiting_for_interaction",
      });
      expect(calls.toolCalls.map((c: Body) => c.toolPath)).toEqual(run.tools);
      if (run.state === "completed" || run.state === "failed") {
        expect(detail.reportedToolCallCount).toBe(99);
      }
    }
  });

  it("a filter on what a late span changed lists the run as it is now, in every sort", async () => {
    // The interactions arrived after their runs' roots: those runs' first rows said "no
    // elicitation"; their current rows say yes.
    const without = planned.filter(
      (r) => r.interactions === 0 && r.state !== "waiting_for_interaction",
    );
    const withIt = planned.filter((r) => !without.includes(r));
    for (const sort of ["createdAt,desc", "createdAt,asc", "durationMs,desc", "durationMs,asc"]) {
      for (const [value, want] of [
        ["false", without],
        ["true", withIt],
      ] as const) {
        const page = await get(
          `/v1/executions?scope=${SCOPE}&elicitation=${value}&sort=${sort}&limit=200`,
        );
        expect(page.executions.map((r: Body) => r.id).sort(), `${value} ${sort}`).toEqual(
          want.map((r) => r.id).sort(),
        );
        expect(page.meta.filterRowCount, `${value} ${sort} count`).toBe(want.length);
      }
    }
  });

  it("a tool facet's runs are what filtering by that tool lists; its calls, theirs", async () => {
    const { meta } = await get(`/v1/executions?scope=${SCOPE}`);
    expect(meta.toolFacets.map((f: Body) => f.toolPath).sort()).toEqual([...PATHS].sort());
    for (const facet of meta.toolFacets) {
      const filtered = await get(
        `/v1/executions?scope=${SCOPE}&tool=${encodeURIComponent(facet.toolPath)}&limit=200`,
      );
      expect(facet.runs, facet.toolPath).toBe(filtered.meta.filterRowCount);
      expect(facet.runs, facet.toolPath).toBe(filtered.executions.length);
      let calls = 0;
      for (const row of filtered.executions) {
        const { toolCalls } = await get(`/v1/executions/${row.id}/tool-calls`);
        calls += toolCalls.filter((c: Body) => c.toolPath === facet.toolPath).length;
      }
      expect({ count: facet.count, calls: facet.calls }, facet.toolPath).toEqual({
        count: calls,
        calls,
      });
      const wanted = planned.filter((r) => r.tools.includes(facet.toolPath));
      expect(filtered.executions.map((r: Body) => r.id).sort()).toEqual(
        wanted.map((r) => r.id).sort(),
      );
    }
  });
});

describe("a page sorted by duration lists each run once, however many versions it has", () => {
  const VERSIONED = "versions";
  // Runs of distinct durations, longest first; each of the first three has a version per tool
  // span (its root came first, then one tool span per request): more replaced versions ahead
  // of the first page than a page reads as candidates.
  const runs = Array.from({ length: 12 }, (_, n) => ({
    id: `versions-${n}`,
    durationMs: 60_000 - n * 1_000,
    tools: n < 3 ? 45 : n % 3,
  }));

  beforeAll(async () => {
    const roots = runs.map((run, k) =>
      jsonSpan(100 + k, "executor.execution", T0 + k * 1_000, T0 + k * 1_000 + run.durationMs, {
        "executor.execution.id": run.id,
        "executor.scope.id": VERSIONED,
        "executor.execution.status": "completed",
        "executor.execution.created_at": T0 + k * 1_000,
        "executor.execution.code": `versions ${k}`,
      }),
    );
    await post(roots);
    // Round c brings the c-th tool span of every run that has one: a new version each.
    for (let c = 0; c < Math.max(...runs.map((r) => r.tools)); c++) {
      const spans = runs.flatMap((run, k) =>
        c < run.tools
          ? [
              jsonSpan(
                100 + k,
                "executor.tool.db.query",
                T0 + k * 1_000 + 10 + c,
                T0 + k * 1_000 + 11 + c,
                { "executor.tool.path": "db.query", "executor.execution.id": run.id },
                roots[k]!.spanId,
              ),
            ]
          : [],
      );
      await post(spans);
    }
  }, 120_000);

  it("pages of every size, both directions, give every run once in duration order", async () => {
    const longestFirst = runs.map((r) => r.id);
    for (const limit of [1, 2, 5, 50]) {
      for (const [dir, want] of [
        ["desc", longestFirst],
        ["asc", [...longestFirst].reverse()],
      ] as const) {
        const seen: Body[] = [];
        let cursor: string | null = null;
        do {
          const page: Body = await get(
            `/v1/executions?scope=${VERSIONED}&sort=durationMs,${dir}&limit=${limit}&meta=false${
              cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
            }`,
          );
          seen.push(...page.executions);
          cursor = page.nextCursor;
        } while (cursor);
        expect(
          seen.map((r) => r.id),
          `limit ${limit} ${dir}`,
        ).toEqual(want);
        for (const row of seen) {
          const run = runs.find((r) => r.id === row.id)!;
          expect(row.toolCallCount, row.id).toBe(run.tools);
        }
      }
    }
  });
});

import type { SpanInput } from "@runtrace/model";
import { SeededRandom } from "@runtrace/testkit/random";
import { openMigrated, tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchingWriter,
  type ClickHouse,
  createClickHouse,
  currentVersion,
} from "../../src/index.ts";
import { hexId, span } from "../span-builder.ts";

/**
 * Two writers (two collectors, each with its own ClickHouse clients) receive the same runs at
 * the same time, in different orders and groupings, every span of a run possibly in another
 * batch than its root: what is stored must be what the runs' spans give, exactly once.
 */

const dataDir = tempDataDir("runtrace-race-");
let a: ClickHouse;
let b: ClickHouse;
beforeAll(async () => {
  a = await openMigrated(dataDir);
  // A second handle on the same engine: its own writer clients, so statements really overlap.
  b = await createClickHouse({ dataDir, url: undefined });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

interface Expected {
  id: string;
  status: "completed" | "failed";
  calls: string[];
  interactions: number;
}

const PATHS = ["github.issues.create", "slack.post", "db.query"];

function runSpans(rnd: () => number, scope: string, n: number): [Expected, SpanInput[]] {
  const id = `${scope}-run-${n}`;
  const traceId = hexId(16);
  const start = Date.now() - 3_600_000 + n * 1_000;
  const status = rnd() < 0.3 ? "failed" : "completed";
  const calls = Array.from({ length: Math.floor(rnd() * 5) }, () => PATHS[Math.floor(rnd() * 3)]!);
  const interactions = rnd() < 0.3 ? 1 : 0;
  const root = span({
    name: "executor.execution",
    traceId,
    startMs: start,
    durationMs: 500,
    attributes: {
      "executor.execution.id": id,
      "executor.scope.id": scope,
      "executor.execution.status": status,
      "executor.execution.created_at": start,
      "executor.execution.seq": 3,
      "executor.trigger.kind": "cli",
    },
  });
  const state = span({
    name: "executor.execution.state",
    traceId,
    parentSpanId: root.spanId,
    startMs: start,
    durationMs: 0,
    attributes: {
      "executor.execution.id": id,
      "executor.scope.id": scope,
      "executor.execution.status": "running",
      "executor.execution.created_at": start,
      "executor.execution.seq": 1,
    },
  });
  const children = calls.map((path, i) =>
    span({
      name: `execute_tool ${path}`,
      traceId,
      parentSpanId: root.spanId,
      startMs: start + 10 + i * 20,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "executor.tool.path": path,
        "executor.execution.id": id,
        // Half of them name no scope, as a runtime other than ours would.
        ...(rnd() < 0.5 ? { "executor.scope.id": scope } : {}),
      },
    }),
  );
  const asks = Array.from({ length: interactions }, () =>
    span({
      name: "executor.interaction",
      traceId,
      parentSpanId: root.spanId,
      startMs: start + 200,
      attributes: { "executor.execution.id": id, "executor.interaction.kind": "form" },
    }),
  );
  return [{ id, status, calls, interactions }, [root, state, ...children, ...asks]];
}

function shuffled<T>(rnd: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Sends the spans in random batches of 1–8, several writes in flight at once. */
async function deliver(rnd: () => number, writer: BatchingWriter, spans: readonly SpanInput[]) {
  const pending: Promise<unknown>[] = [];
  let i = 0;
  while (i < spans.length) {
    const size = 1 + Math.floor(rnd() * 8);
    const batch = spans.slice(i, i + size);
    i += size;
    pending.push(
      writer.writeSpans(batch).then((r) => expect(r.status, JSON.stringify(r)).toBe("stored")),
    );
    if (rnd() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(rnd() * 15)));
  }
  await Promise.all(pending);
}

async function num(sql: string, params: Record<string, unknown>): Promise<number> {
  const [row] = await a.select<{ n: number }>(sql, params);
  return Number(row?.n ?? 0);
}

describe("two writers on the same runs at once", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`stores each run once with every span it has (seed ${seed})`, async () => {
      // Seeded, so a failure can be replayed by its seed.
      const rng = new SeededRandom(seed);
      const rnd = () => rng.next();
      const scope = `race-${seed}`;
      const runs = Array.from({ length: 30 }, (_, n) => runSpans(rnd, scope, n));
      const spans = runs.flatMap(([, s]) => s);
      const w1 = new BatchingWriter(a, { flushIntervalMillis: 2, stateCleanupIntervalMillis: 0 });
      const w2 = new BatchingWriter(b, { flushIntervalMillis: 3, stateCleanupIntervalMillis: 0 });
      // Both get every span (a client retrying against a second collector), in other orders.
      await Promise.all([
        deliver(rnd, w1, shuffled(rnd, spans)),
        deliver(rnd, w2, shuffled(rnd, spans)),
      ]);
      await Promise.all([w1.close(), w2.close()]);

      const current = await a.select<{
        execution_id: string;
        status: string;
        tool_call_count: number;
        tool_paths: string[];
        tool_path_calls: number[];
        interaction_count: number;
        has_elicitation: boolean;
      }>(
        `SELECT execution_id, status, tool_call_count, tool_paths, tool_path_calls,
           interaction_count, has_elicitation
         FROM executions WHERE scope_id = {scope:String}
           AND ${currentVersion("scope_id = {scope:String}")}
         ORDER BY execution_id`,
        { scope },
      );
      const byId = new Map(current.map((r) => [r.execution_id, r]));
      expect(current.length, "one current row per run").toBe(runs.length);
      for (const [want] of runs) {
        const got = byId.get(want.id)!;
        const perPath = new Map<string, number>();
        for (const p of want.calls) perPath.set(p, (perPath.get(p) ?? 0) + 1);
        expect(
          {
            status: got.status,
            calls: got.tool_call_count,
            paths: Object.fromEntries(got.tool_paths.map((p, i) => [p, got.tool_path_calls[i]])),
            interactions: got.interaction_count,
            elicitation: Boolean(got.has_elicitation),
          },
          want.id,
        ).toEqual({
          status: want.status,
          calls: want.calls.length,
          paths: Object.fromEntries(perPath),
          interactions: want.interactions,
          elicitation: want.interactions > 0,
        });
      }
      // No unfinished snapshot outlives its run's final row.
      const unfinished = await num(
        `SELECT count() AS n FROM execution_states FINAL
         WHERE scope_id = {scope:String} AND status NOT IN ('completed', 'failed', 'cancelled')`,
        { scope },
      );
      expect(unfinished).toBe(0);

      // The rollups count each run once and each call once (the repeats counted back).
      const counted = await a.select<{ status: string; n: number }>(
        `SELECT status, sum(runs) AS n FROM run_counts WHERE scope_id = {scope:String}
         GROUP BY status HAVING n != 0 ORDER BY status`,
        { scope },
      );
      const wantStatus = new Map<string, number>();
      for (const [r] of runs) wantStatus.set(r.status, (wantStatus.get(r.status) ?? 0) + 1);
      expect(Object.fromEntries(counted.map((r) => [r.status, Number(r.n)]))).toEqual(
        Object.fromEntries([...wantStatus].sort()),
      );
      const tools = await a.select<{ tool_path: string; calls: number; runs: number }>(
        `SELECT tool_path, sum(calls) AS calls, sum(runs) AS runs FROM tool_counts
         WHERE scope_id = {scope:String}
         GROUP BY tool_path HAVING calls != 0 OR runs != 0 ORDER BY tool_path`,
        { scope },
      );
      const wantCalls = new Map<string, { calls: number; runs: number }>();
      for (const [r] of runs) {
        for (const p of r.calls) {
          const e = wantCalls.get(p) ?? { calls: 0, runs: 0 };
          e.calls++;
          wantCalls.set(p, e);
        }
        for (const p of new Set(r.calls)) wantCalls.get(p)!.runs++;
      }
      expect(
        Object.fromEntries(
          tools.map((t) => [t.tool_path, { calls: Number(t.calls), runs: Number(t.runs) }]),
        ),
      ).toEqual(Object.fromEntries([...wantCalls].sort()));

      // The duration rollups (schema 11, repeats counted back by INSERT … SELECT): each run's
      // status once, each call once, by hour and by day.
      for (const width of ["hours", "days"]) {
        const durations = await a.select<{ status: string; n: number }>(
          `SELECT status, sum(runs) AS n FROM run_duration_${width} WHERE scope_id = {scope:String}
           GROUP BY status HAVING n != 0 ORDER BY status`,
          { scope },
        );
        expect(Object.fromEntries(durations.map((r) => [r.status, Number(r.n)])), width).toEqual(
          Object.fromEntries([...wantStatus].sort()),
        );
        for (const table of [`tool_call_${width}`, `tool_duration_${width}`]) {
          const calls = await a.select<{ tool_path: string; calls: number }>(
            `SELECT tool_path, sum(calls) AS calls FROM ${table} WHERE scope_id = {scope:String}
             GROUP BY tool_path HAVING calls != 0 ORDER BY tool_path`,
            { scope },
          );
          expect(
            Object.fromEntries(calls.map((t) => [t.tool_path, Number(t.calls)])),
            table,
          ).toEqual(Object.fromEntries([...wantCalls].sort().map(([p, c]) => [p, c.calls])));
        }
      }

      // Runs per tool-filter value: each run once under every value its calls answer.
      const matches = await a.select<{ matcher: string; runs: number }>(
        `SELECT matcher, sum(runs) AS runs FROM tool_match_counts WHERE scope_id = {scope:String}
         GROUP BY matcher HAVING runs != 0 ORDER BY matcher`,
        { scope },
      );
      const wantMatches = new Map<string, number>();
      for (const [r] of runs) {
        const values = new Set<string>();
        for (const p of r.calls) {
          values.add(p);
          const parts = p.split(".");
          for (let k = 1; k <= parts.length; k++) values.add(`${parts.slice(0, k).join(".")}.*`);
        }
        for (const v of values) wantMatches.set(v, (wantMatches.get(v) ?? 0) + 1);
      }
      expect(Object.fromEntries(matches.map((m) => [m.matcher, Number(m.runs)]))).toEqual(
        Object.fromEntries([...wantMatches].sort()),
      );
      // The same runs' durations per value (schema 13), by hour and by day.
      for (const width of ["hours", "days"]) {
        const durations = await a.select<{ matcher: string; runs: number }>(
          `SELECT matcher, sum(runs) AS runs FROM run_duration_match_${width}
           WHERE scope_id = {scope:String} GROUP BY matcher HAVING runs != 0 ORDER BY matcher`,
          { scope },
        );
        expect(
          Object.fromEntries(durations.map((m) => [m.matcher, Number(m.runs)])),
          width,
        ).toEqual(Object.fromEntries([...wantMatches].sort()));
      }

      const superseded = await num(
        "SELECT count() AS n FROM superseded_executions WHERE scope_id = {scope:String}",
        { scope },
      );
      const repeated = await num(
        "SELECT count() AS n FROM superseded_repeats WHERE scope_id = {scope:String}",
        { scope },
      );
      console.log(`seed ${seed}: ${superseded} superseded rows recorded, ${repeated} repeats`);
    });
  }
});

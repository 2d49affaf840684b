/**
 * Epoch-ms attributes a runtime got wrong (seconds, a date string, the far future) are ignored
 * and the span's own times used, the rest of the request stored: before, a `created_at` in
 * seconds made ClickHouse refuse the whole batch and the collector answer 400.
 */
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createQueryApiApp } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector?.stop();
});

const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

it("ignores time attributes outside epoch milliseconds and keeps every run of the request", async () => {
  const now = Date.now();
  const startMs = now - 10_000;
  const endMs = now - 2_000;
  const runs = [
    {
      id: "t-seconds",
      created: int("executor.execution.created_at", Math.trunc(startMs / 1000)),
      expected: startMs,
    },
    {
      id: "t-text",
      created: text("executor.execution.created_at", "2026-12-06T10:00:00Z"),
      expected: startMs,
    },
    {
      id: "t-future",
      created: int("executor.execution.created_at", 10_000_000_000_000),
      expected: startMs,
    },
    {
      id: "t-good",
      created: int("executor.execution.created_at", startMs - 500),
      expected: startMs - 500,
    },
  ];
  const spans = runs.map((run, i) => ({
    traceId: `${"a".repeat(31)}${i}`,
    spanId: `${"b".repeat(15)}${i}`,
    name: "executor.execution",
    kind: 1,
    startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(BigInt(endMs) * 1_000_000n),
    attributes: [
      text("executor.execution.id", run.id),
      text("executor.scope.id", "ws_t"),
      text("executor.execution.status", "completed"),
      int("executor.execution.completed_at", Math.trunc(endMs / 1000)),
      run.created,
    ],
  }));
  const response = await fetch(`${collector.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }],
    }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({});

  const app = createQueryApiApp({ clickhouse: collector.ch, checkAnswer: contractCheck() });
  const answer = await app.request(`/v1/executions?scope=ws_t&from=${startMs - 60_000}`);
  const { executions } = (await answer.json()) as {
    executions: { id: string; createdAt: number; completedAt: number }[];
  };
  const byId = new Map(executions.map((e) => [e.id, e]));
  for (const run of runs) {
    expect(byId.get(run.id)?.createdAt, run.id).toBe(run.expected);
    // completed_at in seconds: the span's end instead.
    expect(byId.get(run.id)?.completedAt, run.id).toBe(endMs);
  }
});

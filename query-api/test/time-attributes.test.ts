/**
 * Attributes a runtime got wrong never cost the rest of its request. Epoch-ms times in seconds,
 * as date strings or past 2286 are ignored and the span's own times used (before, a
 * `created_at` in seconds made ClickHouse refuse the whole batch: a 400); counts, segments and
 * sequence numbers too large for their columns are bounded (or, for a sequence number past
 * 2^53, not recorded) instead of refused.
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

it("bounds what its columns cannot hold, and keeps the request", async () => {
  const now = Date.now();
  const startMs = now - 5_000;
  const huge = "100000000000000000000000"; // 1e23: prints as 1e+23, past every integer column
  const span = (i: number, name: string, attributes: object[]) => ({
    traceId: `${"c".repeat(31)}${i}`,
    spanId: `${"d".repeat(15)}${i}`,
    name,
    kind: 1,
    startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(BigInt(startMs + 1_000) * 1_000_000n),
    attributes,
  });
  const spans = [
    span(0, "executor.execution", [
      text("executor.execution.id", "big-numbers"),
      text("executor.scope.id", "ws_big"),
      text("executor.execution.status", "completed"),
      { key: "executor.execution.seq", value: { stringValue: huge } },
      { key: "executor.execution.segment", value: { stringValue: "70000" } },
      { key: "executor.execution.tool_call_count", value: { stringValue: huge } },
      { key: "executor.execution.interaction_count", value: { stringValue: "-3" } },
    ]),
    span(1, "executor.execution.state", [
      text("executor.execution.id", "big-numbers-state"),
      text("executor.scope.id", "ws_big"),
      text("executor.execution.status", "running"),
      { key: "executor.execution.seq", value: { stringValue: "9007199254740993" } },
      text("executor.execution.started_at", String(Math.trunc(startMs / 1000))),
    ]),
    span(2, "executor.interaction", [
      text("executor.execution.id", "big-numbers"),
      text("executor.scope.id", "ws_big"),
      text("executor.interaction.kind", "form"),
      text("executor.interaction.status", "resolved"),
      int("executor.interaction.created_at", Math.trunc(startMs / 1000)),
    ]),
  ];
  const response = await fetch(`${collector.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }],
    }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(await response.json()).toEqual({});

  const app = createQueryApiApp({ clickhouse: collector.ch, checkAnswer: contractCheck() });
  const detail = (await (await app.request("/v1/executions/big-numbers")).json()) as {
    status: string;
    reportedToolCallCount: number;
    interactions: { createdAt: number }[];
  };
  expect(detail.status).toBe("completed");
  expect(detail.reportedToolCallCount).toBe(4_294_967_295);
  // The interaction's created_at in seconds: its span's start instead.
  expect(detail.interactions.map((i) => i.createdAt)).toEqual([startMs]);
  const list = (await (
    await app.request(`/v1/executions?scope=ws_big&from=${startMs - 60_000}`)
  ).json()) as { executions: { id: string; status: string; startedAt: number }[] };
  const state = list.executions.find((e) => e.id === "big-numbers-state");
  expect(state?.status).toBe("running");
  // started_at in seconds: the run's created_at (the span's start) instead.
  expect(state?.startedAt).toBe(startMs);
});

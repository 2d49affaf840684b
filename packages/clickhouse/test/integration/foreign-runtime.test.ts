import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder } from "@runtrace/sdk";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchingWriter,
  type ClickHouse,
  ClickHouseSpanExporter,
  selectRuns,
} from "../../src/index.ts";

/**
 * A runtime that does not use @runtrace/sdk but follows the span model with the seed's own
 * names (`executor.tool.<path>`, `executor.runtime.<name>`, trigger `unknown`, the
 * elicitation kind annotated on the root span) yields the same run rows as our SDK.
 */

let ch: ClickHouse;
let writer: BatchingWriter;
beforeAll(async () => {
  ch = await openMigrated();
  writer = new BatchingWriter(ch, { flushIntervalMillis: 5 });
});
afterAll(async () => {
  await writer.close();
  await ch.close();
});

function provider() {
  return new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new ClickHouseSpanExporter({ writer }))],
  });
}

const CODE =
  "const r = await tools.github.issues.list({}); await tools.slack.post({ text: r.length })";

/** The seed engine's spans (v192), written with the plain OpenTelemetry API. */
async function seedRuntime(id: string, scopeId: string, fail: boolean) {
  const p = provider();
  const tracer = p.getTracer("executor-engine");
  const t0 = Date.now() - 10_000;
  const root = tracer.startSpan("executor.execution", {
    startTime: t0,
    attributes: {
      "executor.execution.id": id,
      "executor.scope.id": scopeId,
      "executor.trigger.kind": "unknown",
      "executor.execution.code": CODE,
      "executor.runtime": "quickjs",
    },
  });
  const ctx = trace.setSpan(context.active(), root);
  const runtimeSpan = tracer.startSpan("executor.runtime.quickjs", { startTime: t0 + 1 }, ctx);
  const tool = (path: string, start: number, error?: string) => {
    const span = tracer.startSpan(
      `executor.tool.${path}`,
      {
        startTime: start,
        attributes: {
          "executor.tool.path": path,
          "executor.tool.namespace": path.split(".")[0]!,
          "executor.execution.id": id,
        },
      },
      ctx,
    );
    if (error) {
      span.setAttribute("executor.tool.error", error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    } else {
      span.setAttribute("executor.tool.result_size", 2);
    }
    span.end(start + 40);
  };
  tool("github.issues.list", t0 + 10);
  tool("slack.post", t0 + 60, fail ? "channel_not_found" : undefined);
  root.setAttribute("executor.interaction.kind", "form");
  runtimeSpan.end(t0 + 200);
  root.setAttribute("executor.execution.status", fail ? "failed" : "completed");
  root.setAttribute("executor.execution.tool_call_count", 2);
  if (fail) {
    root.setAttribute("executor.execution.error", "channel_not_found");
    root.setStatus({ code: SpanStatusCode.ERROR, message: "channel_not_found" });
  }
  root.end(t0 + 250);
  await p.shutdown();
}

/** The same run through @runtrace/sdk. */
async function sdkRuntime(id: string, scopeId: string, fail: boolean) {
  const p = provider();
  let clock = Date.now() - 10_000;
  const recorder = createExecutionRecorder({
    tracer: p.getTracer("sdk"),
    now: () => clock,
    runtime: "quickjs",
  });
  await recorder
    .run({ scopeId, code: CODE, id, trigger: { kind: "unknown" } }, async (execution) => {
      clock += 10;
      await execution.toolCall({ path: "github.issues.list" }, () => {
        clock += 40;
        return [];
      });
      const ask = execution.interaction({ kind: "form" });
      ask.resolve({ action: "accept" });
      clock += 10;
      const posted = execution.toolCall({ path: "slack.post" }, () => {
        clock += 40;
        if (fail) throw new Error("channel_not_found");
      });
      await posted.finally(() => {
        clock += 150;
      });
    })
    .catch(() => undefined);
  await p.shutdown();
}

const COMPARED = [
  "status",
  "trigger_kind",
  "runtime",
  "code",
  "error",
  "tool_call_count",
  "tool_paths",
  "tool_path_calls",
  "has_elicitation",
  "duration_ms",
  "final",
] as const;

describe("a runtime following the span model without our SDK", () => {
  for (const fail of [false, true]) {
    it(`produces the same run and tool-call rows as the SDK (${fail ? "failed" : "completed"} run)`, async () => {
      const suffix = fail ? "f" : "c";
      await seedRuntime(`seed-${suffix}`, "foreign", fail);
      await sdkRuntime(`sdk-${suffix}`, "foreign", fail);
      const runs = await selectRuns(ch, { scopeId: "foreign" });
      const seed = runs.find((r) => r.execution_id === `seed-${suffix}`)!;
      const sdk = runs.find((r) => r.execution_id === `sdk-${suffix}`)!;
      expect(seed).toBeDefined();
      expect(sdk).toBeDefined();
      for (const key of COMPARED) expect(seed[key], key).toEqual(sdk[key]);
      expect(seed).toMatchObject({
        status: fail ? "failed" : "completed",
        trigger_kind: "",
        tool_call_count: 2,
        // Derived from its stored tool-call spans, as for every runtime.
        tool_paths: ["github.issues.list", "slack.post"],
        tool_path_calls: [1, 1],
        duration_ms: 250,
      });
      const calls = await ch.select<{
        execution_id: string;
        scope_id: string;
        tool_path: string;
        namespace: string;
        status: string;
        error: string;
      }>(
        "SELECT execution_id, scope_id, tool_path, namespace, status, error FROM tool_calls WHERE execution_id IN {ids:Array(String)} ORDER BY execution_id, started_at",
        { ids: [`seed-${suffix}`, `sdk-${suffix}`] },
      );
      const shape = (id: string) =>
        calls
          .filter((c) => c.execution_id === id)
          .map(({ execution_id, scope_id, ...rest }) => rest);
      expect(shape(`seed-${suffix}`)).toEqual(shape(`sdk-${suffix}`));
      // The seed's tool spans name no scope: stored without one, they belong to their run's.
      expect(
        calls.filter((c) => c.execution_id === `seed-${suffix}`).map((c) => c.scope_id),
      ).toEqual(["", ""]);
      expect(shape(`seed-${suffix}`)).toEqual([
        {
          tool_path: "github.issues.list",
          namespace: "github",
          status: "completed",
          error: "",
        },
        {
          tool_path: "slack.post",
          namespace: "slack",
          status: fail ? "failed" : "completed",
          error: fail ? "channel_not_found" : "",
        },
      ]);
    });
  }
});

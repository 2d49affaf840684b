import { MAX_RECORDED_TOOL_PATHS } from "@runtrace/semconv";
import type { WriteLane } from "../connection/client.ts";
import type { ExecutionRow, ToolCallRow } from "../rows/rows.ts";

interface Call {
  executionId: string;
  spanId: string;
  toolPath: string;
  startedUs: number;
}

/**
 * Fills in the tool paths of runs whose spans did not list them (runtimes without our SDK)
 * from their tool calls: those stored before (a primary-key read: scope, then calls started
 * since the earliest of these runs) and those in this batch. Tool-call spans end before
 * their run's, so by the time a run's final row is written its calls are normally here.
 */
export async function fillToolPaths(
  ch: WriteLane,
  rows: readonly ExecutionRow[],
  batchCalls: readonly ToolCallRow[],
): Promise<void> {
  const missing = rows.filter((r) => !r.toolPathsRecorded);
  if (missing.length === 0) return;
  const scopes = [...new Set(missing.map((r) => r.scopeId))];
  const ids = [...new Set(missing.map((r) => r.executionId))];
  const fromMs = Math.floor(Math.min(...missing.map((r) => r.createdAt)));
  const stored = await ch.selectForWrite<{
    execution_id: string;
    span_id: string;
    tool_path: string;
    started_us: number;
  }>(
    `SELECT execution_id, span_id, tool_path, toUnixTimestamp64Micro(started_at) AS started_us
     FROM tool_calls WHERE scope_id IN {scopes:Array(String)}
       AND started_at >= fromUnixTimestamp64Milli({fromMs:Int64})
       AND execution_id IN {ids:Array(String)}`,
    { scopes, fromMs, ids },
  );
  const wanted = new Set(ids);
  const calls = new Map<string, Call>();
  for (const c of stored) {
    calls.set(c.span_id, {
      executionId: c.execution_id,
      spanId: c.span_id,
      toolPath: c.tool_path,
      startedUs: Number(c.started_us),
    });
  }
  for (const c of batchCalls) {
    if (!wanted.has(c.executionId)) continue;
    calls.set(c.spanId, {
      executionId: c.executionId,
      spanId: c.spanId,
      toolPath: c.toolPath,
      startedUs: c.startedAtUs,
    });
  }
  const byRun = new Map<string, Call[]>();
  for (const c of calls.values()) {
    const list = byRun.get(c.executionId) ?? [];
    list.push(c);
    byRun.set(c.executionId, list);
  }
  for (const row of missing) {
    const runCalls = (byRun.get(row.executionId) ?? []).sort((a, b) => a.startedUs - b.startedUs);
    const counts = new Map<string, number>();
    for (const c of runCalls) {
      if (counts.has(c.toolPath) || counts.size < MAX_RECORDED_TOOL_PATHS) {
        counts.set(c.toolPath, (counts.get(c.toolPath) ?? 0) + 1);
      }
    }
    row.toolPaths = [...counts.keys()];
    row.toolPathCalls = [...counts.values()];
    row.toolCallCount = Math.max(row.toolCallCount, runCalls.length);
  }
}

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { removeDir, tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ClickHouse,
  createClickHouse,
  durationBucket,
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
  selectRuns,
} from "../../src/index.ts";

const TSX = join(process.cwd(), "node_modules", ".bin", "tsx");
const CHILD = join(import.meta.dirname, "..", "fixtures", "child-process.ts");
const dataDir = tempDataDir("runtrace-migrate-");
let ch: ClickHouse | undefined;

function child(mode: string): Record<string, unknown> {
  const out = execFileSync(TSX, ["--conditions=runtrace-source", CHILD, mode, dataDir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const last = out.trim().split("\n").pop()!;
  return JSON.parse(last) as Record<string, unknown>;
}

afterAll(async () => {
  await ch?.close();
  removeDir(dataDir);
});

describe("migrations and persistence", () => {
  let traceIds: string[] = [];

  it("a separate process writes a data directory at schema version 1 and exits", () => {
    traceIds = child("write-v1").traceIds as string[];
    expect(traceIds).toHaveLength(2);
  });

  it("upgrades that directory in place to the current version, with its data intact", async () => {
    ch = await createClickHouse({ dataDir, url: undefined });
    expect(await schemaVersion(ch)).toBe(1);
    const result = await migrate(ch);
    expect(result.from).toBe(1);
    expect(result.applied).toEqual(MIGRATION_VERSIONS_AFTER_1);
    expect(await schemaVersion(ch)).toBe(SCHEMA_VERSION);
    const runs = await selectRuns(ch, { scopeId: "upgrade" });
    expect(runs.map((r) => [r.execution_id, r.status, r.code])).toEqual(
      expect.arrayContaining([
        ["v1-run-a", "completed", 'return "v1-run-a"'],
        ["v1-run-b", "completed", 'return "v1-run-b"'],
        ["v1-run-c", "running", 'return "v1-run-c"'],
      ]),
    );
    expect(runs).toHaveLength(3);
    const spans = await ch.select<{ n: number }>("SELECT count() AS n FROM otel_traces");
    expect(spans[0]!.n).toBe(2);
    // Version 2's lookup tables were back-filled from the rows version 1 stored.
    const ids = await ch.select<{ execution_id: string }>(
      "SELECT DISTINCT execution_id FROM execution_ids ORDER BY execution_id",
    );
    expect(ids.map((r) => r.execution_id)).toEqual(["v1-run-a", "v1-run-b", "v1-run-c"]);
    const traces = await ch.select<{ TraceId: string }>(
      "SELECT DISTINCT TraceId FROM otel_traces_trace_id_ts ORDER BY TraceId",
    );
    expect(traces.map((r) => r.TraceId)).toEqual([...traceIds].sort());
    // Version 3 put each run's tool paths on its row (first call first), dropped the snapshot
    // of the run that had finished, and counted the stored runs and calls.
    const paths = await ch.select<{
      execution_id: string;
      tool_paths: string[];
      tool_path_calls: number[];
    }>(
      `SELECT * FROM (
         SELECT execution_id, tool_paths, tool_path_calls FROM executions
         UNION ALL SELECT execution_id, tool_paths, tool_path_calls FROM execution_states
       ) ORDER BY execution_id`,
    );
    expect(paths).toEqual([
      {
        execution_id: "v1-run-a",
        tool_paths: ["slack.chat.postMessage", "github.issues.create"],
        tool_path_calls: [2, 1],
      },
      { execution_id: "v1-run-b", tool_paths: [], tool_path_calls: [] },
      { execution_id: "v1-run-c", tool_paths: ["github.issues.list"], tool_path_calls: [1] },
    ]);
    const counted = await ch.select<{ status: string; n: number }>(
      "SELECT status, toUInt32(sum(runs)) AS n FROM run_counts WHERE scope_id = 'upgrade' GROUP BY status",
    );
    expect(counted).toEqual([{ status: "completed", n: 2 }]);
    const tools = await ch.select<{ tool_path: string; n: number }>(
      "SELECT tool_path, toUInt32(sum(calls)) AS n FROM tool_counts GROUP BY tool_path ORDER BY tool_path",
    );
    expect(tools).toEqual([
      { tool_path: "github.issues.create", n: 1 },
      { tool_path: "slack.chat.postMessage", n: 2 },
    ]);
    // Version 11 gave the stored runs their calls by outcome and duration bucket, and counted
    // the finished runs' durations and calls into its rollups.
    const stats = await ch.select<{ execution_id: string; paths: string[]; calls: number }>(
      `SELECT execution_id, arrayMap(t -> t.path, tool_call_stats) AS paths,
         toUInt32(arraySum(arrayMap(t -> t.calls, tool_call_stats))) AS calls
       FROM (SELECT execution_id, tool_call_stats FROM executions
             UNION ALL SELECT execution_id, tool_call_stats FROM execution_states)
       ORDER BY execution_id`,
    );
    expect(stats).toEqual([
      {
        execution_id: "v1-run-a",
        paths: ["github.issues.create", "slack.chat.postMessage"],
        calls: 3,
      },
      { execution_id: "v1-run-b", paths: [], calls: 0 },
      { execution_id: "v1-run-c", paths: ["github.issues.list"], calls: 1 },
    ]);
    for (const width of ["hours", "days"]) {
      const durations = await ch.select<{ bucket: number; n: number }>(
        `SELECT bucket, toUInt32(sum(runs)) AS n FROM run_duration_${width} WHERE scope_id = 'upgrade' GROUP BY bucket`,
      );
      expect(durations).toEqual([{ bucket: durationBucket(1_500_000), n: 2 }]);
      for (const table of [`tool_call_${width}`, `tool_duration_${width}`]) {
        const toolCalls = await ch.select<{ tool_path: string; n: number }>(
          `SELECT tool_path, toUInt32(sum(calls)) AS n FROM ${table} GROUP BY tool_path ORDER BY tool_path`,
        );
        expect(toolCalls, table).toEqual([
          { tool_path: "github.issues.create", n: 1 },
          { tool_path: "slack.chat.postMessage", n: 2 },
        ]);
      }
      // Version 13 counted the finished runs' durations under every tool-filter value their
      // paths answer (the run without calls under none).
      const matched = await ch.select<{ matcher: string; bucket: number; n: number }>(
        `SELECT matcher, bucket, toUInt32(sum(runs)) AS n FROM run_duration_match_${width}
         WHERE scope_id = 'upgrade' GROUP BY matcher, bucket ORDER BY matcher`,
      );
      expect(matched, width).toEqual(
        [
          "github.*",
          "github.issues.*",
          "github.issues.create",
          "github.issues.create.*",
          "slack.*",
          "slack.chat.*",
          "slack.chat.postMessage",
          "slack.chat.postMessage.*",
        ].map((matcher) => ({ matcher, bucket: durationBucket(1_500_000), n: 1 })),
      );
    }
  });

  it("version 9 made the wide tables merge column by column from their first merge", async () => {
    const rows = await ch!.select<{ name: string; engine_full: string }>(
      "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('otel_traces', 'executions', 'execution_states', 'tool_calls', 'interactions') ORDER BY name",
    );
    expect(rows.map((r) => r.name)).toEqual([
      "execution_states",
      "executions",
      "interactions",
      "otel_traces",
      "tool_calls",
    ]);
    for (const row of rows) {
      expect(row.engine_full).toContain("vertical_merge_algorithm_min_rows_to_activate = 1");
    }
  });

  it("running the migrations again changes nothing", async () => {
    const again = await migrate(ch!);
    expect(again.applied).toEqual([]);
    expect(again.from).toBe(SCHEMA_VERSION);
    const rows = await ch!.select<{ n: number }>("SELECT count() AS n FROM schema_migrations");
    expect(rows[0]!.n).toBe(SCHEMA_VERSION);
  });

  it("another process opening the live directory gets an error that names it", () => {
    const outcome = child("open");
    expect(outcome.opened).toBe(false);
    expect(outcome.name).toBe("DataDirectoryLockedError");
    expect(outcome.path).toBe(dataDir);
    expect(outcome.message).toContain(dataDir);
    expect(outcome.message).toContain("in use by another process");
  });

  it("a changed retention takes effect at the next start", async () => {
    const rows = await ch!.select<{ engine_full: string }>(
      "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'executions'",
    );
    expect(rows[0]!.engine_full).toContain("toIntervalDay(30)");
    await ch!.close();
    ch = await createClickHouse({ dataDir, url: undefined, retentionDays: 7 });
    const result = await migrate(ch);
    expect(result.retentionChanged).toEqual(
      expect.arrayContaining(["executions", "otel_traces", "tool_calls"]),
    );
    const after = await ch.select<{ engine_full: string }>(
      "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'executions'",
    );
    expect(after[0]!.engine_full).toContain("toIntervalDay(7)");
  });
});

const MIGRATION_VERSIONS_AFTER_1 = Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => i + 2);

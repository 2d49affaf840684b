import { monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import { readConfig } from "@runtrace/cli";
import { type ClickHouse, createClickHouse, migrate, type WriteLane } from "@runtrace/clickhouse";
import { createCollector, listen, listenGrpc } from "@runtrace/collector";

/**
 * `runtrace collector` (cli/src/commands/serve.ts, collector only) with the writer's
 * ClickHouse calls timed, for `npm run bench -- ingest --instrumented`. `GET /bench/times`
 * answers the running totals: per-table insert time, look-ups, deletes, main-thread
 * utilization and GC pauses. Run with `node --conditions=runtrace-source --import tsx`
 * (the workspaces' sources, as everywhere in this repository).
 */

export interface CallTotals {
  ms: number;
  calls: number;
  chars: number;
}

export interface CollectorTimes {
  inserts: Record<string, CallTotals>;
  lookups: CallTotals;
  deletes: CallTotals;
  /** Main-thread event-loop utilization since start: busy and idle milliseconds. */
  loopActiveMs: number;
  loopIdleMs: number;
  gcMs: number;
  gcCount: number;
  /** Event-loop delay percentiles (ms) since start. */
  loopDelayP50: number;
  loopDelayP99: number;
  /** Peaks since the previous `GET /bench/times`. */
  memory: MemoryPeaks;
}

/**
 * In MB: the V8 heap used and reserved, memory outside it (Buffers), and the engine's own
 * accounting (`MemoryTracking` in `system.metrics`).
 */
export interface MemoryPeaks {
  heapUsed: number;
  heapTotal: number;
  external: number;
  engineTracked: number;
}

const totals = (): CallTotals => ({ ms: 0, calls: 0, chars: 0 });

const noPeaks = (): MemoryPeaks => ({ heapUsed: 0, heapTotal: 0, external: 0, engineTracked: 0 });
let peaks = noPeaks();
function peak(key: keyof MemoryPeaks, bytes: number): void {
  peaks[key] = Math.max(peaks[key], bytes / 1e6);
}
setInterval(() => {
  const m = process.memoryUsage();
  peak("heapUsed", m.heapUsed);
  peak("heapTotal", m.heapTotal);
  peak("external", m.external);
}, 200).unref();

const times: Omit<
  CollectorTimes,
  "loopActiveMs" | "loopIdleMs" | "loopDelayP50" | "loopDelayP99" | "memory"
> = {
  inserts: {},
  lookups: totals(),
  deletes: totals(),
  gcMs: 0,
  gcCount: 0,
};

async function timed<T>(into: CallTotals, chars: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    into.ms += performance.now() - started;
    into.calls++;
    into.chars += chars;
  }
}

/** A write lane whose calls are timed from the call itself (inserts per table). */
function instrumentLane<L extends WriteLane>(lane: L): L {
  return {
    ...lane,
    insertTsv: (table, columns, body, token) => {
      times.inserts[table] ??= totals();
      return timed(times.inserts[table]!, body.length, () =>
        lane.insertTsv(table, columns, body, token),
      );
    },
    insertNative: (table, columns, body, token) => {
      times.inserts[table] ??= totals();
      return timed(times.inserts[table]!, body.length, () =>
        lane.insertNative(table, columns, body, token),
      );
    },
    selectForWrite: (sql, params) =>
      timed(times.lookups, 0, () => lane.selectForWrite(sql, params)),
    // The writer's only statements are the deletes of settled snapshots.
    command: (sql, params) => timed(times.deletes, 0, () => lane.command(sql, params)),
  };
}

/** The same connection with both write lanes timed: the span tables' and the run tables'. */
function instrument(ch: ClickHouse): ClickHouse {
  return { ...instrumentLane(ch), runs: instrumentLane(ch.runs) };
}

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    times.gcMs += entry.duration;
    times.gcCount++;
  }
}).observe({ entryTypes: ["gc"] });
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const eluStart = performance.eventLoopUtilization();

// Configured as `runtrace collector` is: from this process's environment, read once.
const config = readConfig(process.env, { collector: true, queryApi: false });
const ch = await createClickHouse(config.clickhouse);
const migrated = await migrate(ch);
console.log(
  `runtrace: ${ch.kind} ClickHouse, data in ${ch.location} (schema version ${migrated.to}), instrumented`,
);
const collector = createCollector(instrument(ch), config.collector);
// The engine's memory as it accounts for it, on a reader client (never in the writer's way).
setInterval(() => {
  ch.select<{ value: number }>("SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'")
    .then((rows) => {
      for (const { value } of rows) peak("engineTracked", Number(value));
    })
    .catch(() => undefined);
}, 500).unref();
collector.app.get("/bench/times", (c) => {
  const elu = performance.eventLoopUtilization(eluStart);
  const body: CollectorTimes = {
    ...times,
    loopActiveMs: elu.active,
    loopIdleMs: elu.idle,
    loopDelayP50: loopDelay.percentile(50) / 1e6,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
    memory: peaks,
  };
  peaks = noPeaks();
  return c.json(body);
});
const server = await listen(collector.app, collector.config.port, collector.config.host);
console.log(`runtrace: OTLP/HTTP collector on ${server.url} (POST /v1/traces, /v1/metrics)`);
const grpc =
  collector.config.grpcPort === null
    ? undefined
    : await listenGrpc(collector.grpc, collector.config.grpcPort, collector.config.host);
if (grpc) console.log(`runtrace: OTLP/gRPC collector on ${grpc.address}`);

const signal = await new Promise<string>((resolve) => {
  process.once("SIGTERM", () => resolve("SIGTERM"));
  process.once("SIGINT", () => resolve("SIGINT"));
});
console.log(`runtrace: ${signal}: draining`);
await server.close();
await grpc?.close();
await collector.close();
await ch.close();
console.log("runtrace: stopped; everything accepted was written");

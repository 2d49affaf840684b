import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { readConfig } from "@runtrace/cli";
import { createClickHouse, retentionCutoffMs } from "@runtrace/clickhouse";
import { formatProfileSummary, summarizeCpuProfile } from "./cpu-profile.ts";
import { truncateRunTables } from "./exporter.ts";
import { type Collector, startCollector } from "./ingest/collector-process.ts";
import { fmt, kb, mb, sleep } from "./ingest/format.ts";
import {
  describePhase,
  type Phase,
  type Pool,
  percentile,
  runPhase,
  verifyCounters,
} from "./ingest/load.ts";
import { parseOptions } from "./ingest/options.ts";
import { encodeRequests } from "./ingest/requests.ts";
import { type Expected, planRaw, spanStorage, verifyStored } from "./ingest/stored.ts";

/**
 * How many realistic spans/s does the collector store when OTLP/HTTP clients post to it, and
 * what does it do under overload? The collector runs alone in its own process on embedded
 * ClickHouse (`runtrace collector`); this process pre-encodes OTLP protobuf requests and posts
 * them as exporters would, then checks that every acknowledged span is stored exactly once and
 * measures the engine's raw insert rate for the same rows.
 */

function newestProfile(dir: string, pid: number): string | undefined {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
  const files = readdirSync(dir).filter(
    (f) => f.includes(`.${pid}.0.`) && f.endsWith(".cpuprofile"),
  );
  return files.length > 0 ? join(dir, files.sort().at(-1)!) : undefined;
}

export async function runIngestBenchmark(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const dataDir = mkdtempSync(join(tmpdir(), "runtrace-ingest-"));
  let collector: Collector | undefined;
  try {
    console.log(
      `encoding ${options.requests} OTLP protobuf requests of ${options.batch} spans ` +
        `(code ${options.codeBytes.join("-")} B, tool results ${options.resultBytes.join("-")} B)...`,
    );
    const encoded = encodeRequests(options);
    const bytes = encoded.bodies.reduce((sum, b) => sum + b.length, 0);
    const perRequest = bytes / encoded.bodies.length;
    const requestsLine =
      `requests: ${encoded.bodies.length} × ${options.batch} spans ` +
      `(${fmt(encoded.spans / 1000)}k spans, ${encoded.executions} executions), ` +
      `${kb(perRequest)} protobuf each (${fmt(perRequest / options.batch)} B/span; code ` +
      `${options.codeBytes.join("-")} B, tool results ${options.resultBytes.join("-")} B); ` +
      `generated in ${encoded.seconds.toFixed(1)} s`;
    console.log(requestsLine);

    collector = await startCollector(dataDir, options);
    const idleRss = collector.samples[0]?.rss ?? 0;
    console.log(
      `collector pid ${collector.pid} on ${collector.url.origin}, RSS ${mb(idleRss)} when ready, ` +
        `data in ${dataDir}` +
        (options.collectorCpuProf ? `, profiling into ${options.collectorCpuProf}` : ""),
    );
    const pool: Pool = {
      bodies: encoded.bodies,
      batch: options.batch,
      next: 0,
      acknowledged: [],
      acknowledgedSpans: 0,
      acknowledgedRequests: 0,
    };
    const phases: Phase[] = [];
    const plan: [string, number, number][] = [
      ...options.concurrency.map(
        (c) => [`phase A (${c} in flight)`, c, options.phaseSeconds] as [string, number, number],
      ),
      [
        `phase B (overload, ${options.overload} in flight)`,
        options.overload,
        options.overloadSeconds,
      ],
    ];
    for (const [label, concurrency, seconds] of plan) {
      if (pool.next >= pool.bodies.length) {
        console.log(`  ${label}: skipped, every request was sent already`);
        continue;
      }
      const phase = await runPhase(
        options.transport,
        collector,
        pool,
        label,
        concurrency,
        seconds,
        options.warmupSeconds,
      );
      phases.push(phase);
      console.log(describePhase(phase));
      console.log(`    verified: ${await verifyCounters(collector, pool)}`);
    }

    const stopped = await collector.stop();
    const hwm = collector.hwm;
    const pid = collector.pid;
    collector = undefined;
    if (stopped.code !== 0) throw new Error(`collector exited with ${stopped.code}`);
    console.log(`collector stopped (SIGTERM) in ${stopped.seconds.toFixed(1)} s; VmHWM ${mb(hwm)}`);

    // The collector's settings (the same environment), on its data directory.
    const ch = await createClickHouse({
      ...readConfig(process.env).clickhouse,
      dataDir,
      url: undefined,
    });
    const raws: { batchRows: number; inserts: number; seconds: number }[] = [];
    let expected: Expected | undefined;
    let version = "?";
    const spanFormat = ch.config.insertFormat;
    try {
      const [v] = await ch.select<{ v: string }>("SELECT version() AS v");
      version = v?.v ?? "?";
      const cutoffMs = retentionCutoffMs(ch.config.retentionDays);
      for (const batchRows of options.rawBatchRows) {
        const t0 = performance.now();
        const planned = planRaw(pool, cutoffMs, batchRows, spanFormat);
        const planSeconds = (performance.now() - t0) / 1000;
        if (!expected) {
          expected = planned.expected;
          console.log(`stored by the collector: ${await verifyStored(ch, expected, true)}`);
          console.log(await spanStorage(ch, expected.spans));
        }
        await truncateRunTables(ch);
        const tsvBytes = planned.inserts.reduce((sum, i) => sum + i.body.length, 0);
        let seconds = 0;
        for (const insert of planned.inserts) {
          const t = performance.now();
          await (insert.native
            ? ch.insertNative(insert.table, insert.columns, insert.body as Buffer)
            : ch.insertTsv(insert.table, insert.columns, insert.body));
          seconds += (performance.now() - t) / 1000;
        }
        raws.push({ batchRows, inserts: planned.inserts.length, seconds });
        console.log(
          `raw, ${batchRows}-row batches: decoded, mapped and serialized in ${planSeconds.toFixed(1)} s ` +
            `(not timed); ${planned.inserts.length} inserts (${fmt(tsvBytes / 1e6)} MB; spans as ${spanFormat}) in ` +
            `${seconds.toFixed(1)} s = ${fmt(expected.spans / seconds)} spans/s; ` +
            `${await verifyStored(ch, expected, false)}`,
        );
      }
    } finally {
      await ch.close();
    }
    if (!expected) throw new Error("nothing was verified");

    let profileText: string | undefined;
    if (options.collectorCpuProf) {
      const file = newestProfile(options.collectorCpuProf, pid);
      profileText = file
        ? `collector CPU profile ${file}\n${formatProfileSummary(summarizeCpuProfile(file))}`
        : `no CPU profile of pid ${pid} in ${options.collectorCpuProf}`;
    }

    console.log("");
    console.log(
      `ingest benchmark (OTLP/${options.transport === "grpc" ? "gRPC" : "HTTP"} protobuf to a collector process on embedded ClickHouse ${version}, ` +
        `node ${process.version}, ${availableParallelism()} CPUs)`,
    );
    console.log(requestsLine);
    for (const p of phases) {
      const ms = (x: number) => `${fmt(x)} ms`;
      const overload = p.concurrency === options.overload;
      const retried = overload
        ? `429: ${p.statuses.get("429") ?? 0} (resent after Retry-After), 503: ${p.statuses.get("503") ?? 0}`
        : `200: ${p.statuses.get("200") ?? 0}, 429: ${p.statuses.get("429") ?? 0}, 503: ${p.statuses.get("503") ?? 0}`;
      console.log(
        `${p.label}: ${fmt(p.sustained)} spans/s sustained over ${p.windowSeconds.toFixed(0)} s; ` +
          `latency p50 ${ms(percentile(p.latencies, 50))}, p99 ${ms(percentile(p.latencies, 99))}; ` +
          `${retried}; collector ${p.collectorCores.toFixed(2)} cores, RSS peak ${mb(p.peakRss)}` +
          (overload ? ` (writer queue max ${fmt(p.maxQueueRows)} rows)` : ""),
      );
    }
    console.log(
      `verified: ${pool.acknowledgedSpans} spans acknowledged, ${expected.traces} otel_traces ` +
        `rows + ${expected.spans - expected.traces} state spans stored once ` +
        `(${expected.executions} executions, ${expected.toolCalls} tool calls); ` +
        `collector RSS ${mb(idleRss)} when ready, VmHWM ${mb(hwm)}`,
    );
    console.log(
      `raw engine rate of the same rows (spans as ${spanFormat}, the rest TSV, one insert at a time): ` +
        raws
          .map(
            (r) =>
              `${fmt(expected!.spans / r.seconds)} spans/s in ${fmt(r.batchRows / 1000)}k-row batches`,
          )
          .join(", "),
    );
    if (profileText) console.log(`\n${profileText}`);
  } finally {
    if (collector) {
      collector.child.kill("SIGKILL");
      await sleep(200);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

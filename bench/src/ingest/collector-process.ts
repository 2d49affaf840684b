/**
 * @module
 * `runtrace collector` in a process of its own: start, memory, CPU, metrics.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./format.ts";
import { type Options, REPO } from "./options.ts";

// --- the collector process ---------------------------------------------------------------------

let clockTicks: number | undefined;

export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** RSS and peak RSS (KiB) of a process, from /proc. */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1]);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds per group of threads of a process: the main (JavaScript) thread, Node's other
 * threads (V8 GC and compiler helpers, libuv pool), and the embedded engine's threads by name.
 */
export function threadCpuOf(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
      const group =
        tid === String(pid)
          ? "JS main thread"
          : comm === "node"
            ? "node helpers (GC, libuv)"
            : `ClickHouse ${comm}`;
      out.set(group, (out.get(group) ?? 0) + seconds);
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

/** Whole-machine CPU jiffies: busy, iowait and total. */
export function machineCpu(): { busy: number; iowait: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, iowait: iowait!, total: busy + idle! + iowait! };
}

export interface Collector {
  child: ChildProcess;
  instrumented: boolean;
  pid: number;
  url: URL;
  /** `host:port` of its OTLP/gRPC receiver. */
  grpcAddress: string;
  samples: { at: number; rss: number }[];
  hwm: number;
  stop(): Promise<{ code: number | null; seconds: number }>;
}

export async function startCollector(dataDir: string, options: Options): Promise<Collector> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNTRACE_DATA_DIR: dataDir,
    RUNTRACE_COLLECTOR_PORT: "0",
    RUNTRACE_GRPC_PORT: "0",
    RUNTRACE_HOST: "127.0.0.1",
  };
  // Embedded ClickHouse, no auth, the collector's own queue bound unless asked otherwise.
  delete env.CLICKHOUSE_URL;
  delete env.RUNTRACE_INGEST_TOKEN;
  delete env.RUNTRACE_MAX_QUEUE_ROWS;
  if (options.maxQueueRows) env.RUNTRACE_MAX_QUEUE_ROWS = options.maxQueueRows;
  const profile = options.collectorCpuProf
    ? ["--cpu-prof", `--cpu-prof-dir=${options.collectorCpuProf}`]
    : [];
  // `runtrace collector` itself, or the same collector with its ClickHouse calls timed.
  const command = options.instrumented
    ? [
        "--conditions=runtrace-source",
        "--import",
        "tsx",
        ...profile,
        join(REPO, "bench/src/instrumented-collector.ts"),
      ]
    : [...profile, join(REPO, "cli/bin/runtrace.js"), "collector"];
  const child = spawn(process.execPath, command, {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the collector");
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    for (const line of text.split("\n")) if (line) console.error(`  [collector] ${line}`);
  });
  child.stdout!.setEncoding("utf8");
  let log = "";
  const [url, grpcAddress] = await new Promise<[URL, string]>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`collector did not start:\n${log}`)), 60_000);
    child.stdout!.on("data", (text: string) => {
      log += text;
      const http = /OTLP\/HTTP collector on (http:\/\/\S+)/.exec(log);
      const grpc = /OTLP\/gRPC collector on (\S+)/.exec(log);
      if (http && grpc) {
        clearTimeout(timer);
        ok([new URL(http[1]!), grpc[1]!]);
      }
    });
    void exited.then((code) => fail(new Error(`collector exited (${code}):\n${log}`)));
  });
  for (;;) {
    const res = await fetch(new URL("/readyz", url)).catch(() => undefined);
    if (res?.ok) break;
    await sleep(100);
  }
  const collector: Collector = {
    child,
    instrumented: options.instrumented,
    pid,
    url,
    grpcAddress,
    samples: [],
    hwm: 0,
    async stop() {
      clearInterval(sampler);
      const started = performance.now();
      child.kill("SIGTERM");
      const code = await exited;
      return { code, seconds: (performance.now() - started) / 1000 };
    },
  };
  const sample = () => {
    const m = memoryOf(pid);
    if (!m) return;
    collector.samples.push({ at: performance.now(), rss: m.rss });
    collector.hwm = m.hwm;
  };
  sample();
  const sampler = setInterval(sample, 200);
  return collector;
}

/** The collector's Prometheus counters (unlabelled samples and labelled ones by full name). */
export async function scrape(collector: Collector): Promise<Map<string, number>> {
  const text = await (await fetch(new URL("/metrics", collector.url))).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

export function sumMatching(metrics: Map<string, number>, prefix: string): number {
  let n = 0;
  for (const [name, value] of metrics) if (name.startsWith(prefix)) n += value;
  return n;
}

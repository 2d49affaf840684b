import { readFileSync } from "node:fs";

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the process's main thread
 * spent its time, by kind of work and by function.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Kinds of work, tried from the sampled frame towards the root; the first match wins. */
const CATEGORIES: readonly [name: string, test: (f: CallFrame) => boolean][] = [
  ["GC", (f) => f.functionName === "(garbage collector)"],
  ["idle", (f) => f.functionName === "(idle)"],
  ["unattributed native (program)", (f) => f.functionName === "(program)"],
  ["OTLP protobuf decode", (f) => f.url.includes("/packages/otlp/src/")],
  [
    "TSV serialization",
    (f) =>
      f.url.includes("/rows/tables.ts") ||
      f.url.includes("/rows/tsv.ts") ||
      f.url.includes("/rows/metric-rows.ts") ||
      (f.url.includes("/writer/batching-writer.ts") && f.functionName === "join"),
  ],
  [
    "span → rows mapping",
    (f) => f.url.includes("/rows/span-to-rows.ts") || f.url.includes("/rows/"),
  ],
  ["writer (dedup, merge, look-up results)", (f) => f.url.includes("/writer/")],
  [
    "ClickHouse client + engine calls",
    (f) =>
      f.url.includes("@clickhouse/client") ||
      f.url.includes("/chdb/") ||
      f.url.includes("/connection/client.ts"),
  ],
  [
    "HTTP (node:http, streams, Hono, body read)",
    (f) =>
      f.url.includes("hono") ||
      f.url.includes("/collector/src/") ||
      f.url.startsWith("node:_http") ||
      f.url === "node:net" ||
      f.url.startsWith("node:internal/webstreams") ||
      f.url.startsWith("node:internal/streams") ||
      f.url === "node:stream" ||
      f.url.startsWith("node:internal/http") ||
      f.url === "node:internal/stream_base_commons",
  ],
  ["tsx / module loading", (f) => f.url.includes("/tsx/") || f.url.includes("esbuild")],
];

export interface ProfileSummary {
  totalMs: number;
  categories: { name: string; ms: number }[];
  top: { name: string; ms: number }[];
}

function frameName(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\/.*?\/(node_modules|packages|collector)\//, "$1/");
  // Sources that tsx compiled report line 1 for everything: only JavaScript files get a line.
  const line = file.endsWith(".ts") ? "" : `:${f.lineNumber + 1}`;
  const where = file ? ` ${file}${line}` : "";
  return `${f.functionName || "(anonymous)"}${where}`;
}

export function summarizeCpuProfile(path: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfMicros = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const categoryOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      for (const [name, test] of CATEGORIES) if (test(frame)) return name;
    }
    return "other";
  };
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    total += micros;
    const category = categoryOf(id);
    categories.set(category, (categories.get(category) ?? 0) + micros);
    const name = frameName(byId.get(id)!.callFrame);
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].map(([name, micros]) => ({ name, ms: micros / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: total / 1000,
    categories: sorted(categories),
    top: sorted(functions).slice(0, topN),
  };
}

/** The summary as text, percentages of the time the thread was not idle. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const idle = summary.categories.find((c) => c.name === "idle")?.ms ?? 0;
  const busy = summary.totalMs - idle;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)}%`;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `main thread: ${s(summary.totalMs)} profiled, ${s(busy)} busy, ${s(idle)} idle`,
    "by kind of work (share of busy time; a sample goes to the nearest frame of a known kind):",
  ];
  for (const c of summary.categories) {
    if (c.name !== "idle")
      lines.push(`  ${pct(c.ms).padStart(6)}  ${s(c.ms).padStart(7)}  ${c.name}`);
  }
  lines.push("top self time:");
  for (const f of summary.top) {
    if (f.name.startsWith("(idle)")) continue;
    lines.push(`  ${pct(f.ms).padStart(6)}  ${s(f.ms).padStart(7)}  ${f.name}`);
  }
  return lines.join("\n");
}

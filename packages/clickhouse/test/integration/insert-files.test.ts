import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResourceInput, SpanInput } from "@runtrace/model";
import { openMigrated, removeDir, tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertFolder } from "../../src/connection/insert-files.ts";
import { type ClickHouse, createClickHouse, quoteString } from "../../src/index.ts";
import { otelTracesNative } from "../../src/rows/otel-traces-native.ts";
import { OTEL_TRACES_COLUMNS, otelTracesLine } from "../../src/rows/tables.ts";
import {
  bool,
  microsText,
  millisText,
  NULL,
  nanosText,
  tsvArray,
  tsvMap,
  tsvString,
  tsvStringArray,
} from "../../src/rows/tsv.ts";
import { join as tsvBody } from "../../src/writer/insert-pipeline.ts";
import { HOSTILE } from "../hostile-strings.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

/** Every column type the writer's tables use. */
const COLUMNS: [string, string][] = [
  ["id", "UInt32"],
  ["s", "String"],
  ["lc", "LowCardinality(String)"],
  ["m", "Map(LowCardinality(String), String)"],
  ["am", "Array(Map(LowCardinality(String), String))"],
  ["arr", "Array(String)"],
  ["nums", "Array(UInt64)"],
  ["u64", "UInt64"],
  ["i64", "Int64"],
  ["f", "Float64"],
  ["b", "Bool"],
  ["u8", "UInt8"],
  ["t9", "DateTime64(9)"],
  ["t6", "DateTime64(6)"],
  ["t3", "DateTime64(3)"],
  ["maybe", "Nullable(DateTime64(3))"],
];

interface Row {
  id: number;
  s: string;
  lc: string;
  m: Record<string, string>;
  am: Record<string, string>[];
  arr: string[];
  nums: string[];
  u64: string;
  i64: string;
  f: number;
  b: boolean;
  u8: number;
  t9: bigint;
  t6: number;
  t3: number;
  maybe: number | null;
}

const UINT64 = ["0", "1", "9007199254740993", "18446744073709551615"];
const INT64 = ["0", "-1", "-9223372036854775808", "9223372036854775807"];
const FLOATS = [0, -0.5, 1e-300, 1.7976931348623157e308, 123456.789];
const pick = <T>(values: readonly T[], i: number): T => values[i % values.length] as T;

/** Rows that put every hostile string in every string position, beside edge numbers and times. */
function rows(): Row[] {
  const n = HOSTILE.length;
  return Array.from({ length: n * 3 }, (_, i) => {
    const key = pick(HOSTILE, i * 7 + 3) || "k";
    const size = i % 3 === 0 ? 0 : i % 3 === 1 ? 3 : 2_000;
    const m: Record<string, string> = {};
    for (let j = 0; j < size; j++)
      m[j === 0 ? key : `${key.slice(0, 40)}#${j}`] = pick(HOSTILE, i + j);
    return {
      id: i,
      s: pick(HOSTILE, i),
      lc: pick(HOSTILE, i * 5 + 1),
      m,
      am: i % 2 === 0 ? [] : [m, {}, { [pick(HOSTILE, i + 2)]: pick(HOSTILE, i + 3) }],
      arr: i % 4 === 0 ? [] : [pick(HOSTILE, i + 1), pick(HOSTILE, i + 9), ""],
      nums: i % 2 === 0 ? [] : [pick(UINT64, i), pick(UINT64, i + 1)],
      u64: pick(UINT64, i),
      i64: pick(INT64, i),
      f: pick(FLOATS, i),
      b: i % 2 === 1,
      u8: i % 256,
      t9: 1_700_000_000_123_456_789n + BigInt(i) * 1_000_000_007n,
      t6: 1_700_000_000_123_456 + i * 1_001,
      t3: 1_700_000_000_123 + i,
      maybe: i % 3 === 0 ? null : 1_700_000_000_000 + i,
    };
  });
}

/** The row as the writer writes it: TabSeparated through the package's own serializers. */
function tsvLine(r: Row): string {
  return `${[
    String(r.id),
    tsvString(r.s),
    tsvString(r.lc),
    tsvMap(r.m),
    tsvArray(r.am.map(tsvMap)),
    tsvStringArray(r.arr),
    tsvArray(r.nums),
    r.u64,
    r.i64,
    String(r.f),
    bool(r.b),
    String(r.u8),
    nanosText(r.t9),
    microsText(r.t6),
    millisText(r.t3),
    r.maybe === null ? NULL : millisText(r.maybe),
  ].join("\t")}\n`;
}

const mapLiteral = (m: Record<string, string>) =>
  `map(${Object.entries(m)
    .flatMap(([k, v]) => [quoteString(k), quoteString(v)])
    .join(", ")})`;

/** The same row as a plain `VALUES` tuple, strings through the tested quoting function. */
function valuesTuple(r: Row): string {
  return `(${[
    r.id,
    quoteString(r.s),
    quoteString(r.lc),
    mapLiteral(r.m),
    `[${r.am.map(mapLiteral).join(", ")}]`,
    `[${r.arr.map(quoteString).join(", ")}]`,
    `[${r.nums.join(", ")}]`,
    r.u64,
    r.i64,
    String(r.f),
    r.b ? "true" : "false",
    r.u8,
    `fromUnixTimestamp64Nano(toInt64(${r.t9}))`,
    `fromUnixTimestamp64Micro(toInt64(${r.t6}))`,
    `fromUnixTimestamp64Milli(toInt64(${r.t3}))`,
    r.maybe === null ? "NULL" : `fromUnixTimestamp64Milli(toInt64(${r.maybe}))`,
  ].join(", ")})`;
}

const READ_BACK = `id, s, lc, m, am, arr, arrayMap(x -> toString(x), nums) AS nums, toString(u64) AS u64,
  toString(i64) AS i64, f, b, u8, toString(toUnixTimestamp64Nano(t9)) AS t9,
  toUnixTimestamp64Micro(t6) AS t6, toUnixTimestamp64Milli(t3) AS t3,
  toUnixTimestamp64Milli(maybe) AS maybe`;

describe("batches read by the engine from insert files", () => {
  it("store every value exactly as plain INSERT … VALUES does, and as it was sent", async () => {
    const columns = COLUMNS.map(([name, type]) => `${name} ${type}`).join(", ");
    for (const table of ["via_file", "via_values"]) {
      await ch.command(`CREATE TABLE ${table} (${columns}) ENGINE = MergeTree ORDER BY id`);
    }
    const sent = rows();
    await ch.insertTsv(
      "via_file",
      COLUMNS.map(([name]) => name),
      sent.map(tsvLine).join(""),
    );
    for (let i = 0; i < sent.length; i += 20) {
      await ch.command(
        `INSERT INTO via_values VALUES ${sent
          .slice(i, i + 20)
          .map(valuesTuple)
          .join(", ")}`,
      );
    }
    const read = (table: string) =>
      ch.select<Record<string, unknown>>(`SELECT ${READ_BACK} FROM ${table} ORDER BY id`);
    const [viaFile, viaValues] = [await read("via_file"), await read("via_values")];
    expect(viaFile.length).toBe(sent.length);
    for (const [i, r] of sent.entries()) {
      const fromFile = viaFile[i] as Record<string, unknown>;
      for (const [name] of COLUMNS) {
        expect(fromFile[name], `row ${i}, column ${name}`).toEqual(viaValues[i]?.[name]);
      }
      expect(fromFile).toEqual({ ...r, t9: r.t9.toString() });
    }
    expect(ch.insertFiles?.files()).toEqual([]);
  });

  it("remove the file when the engine refuses the batch", async () => {
    await ch.command("CREATE TABLE refused (a UInt32, b String) ENGINE = MergeTree ORDER BY a");
    await expect(ch.insertTsv("refused", ["a", "b"], "not a number\tx\n")).rejects.toThrow();
    expect(ch.insertFiles?.files()).toEqual([]);
    await ch.insertTsv("refused", ["a", "b"], "7\tkept\n");
    expect(await ch.select("SELECT a, b FROM refused")).toEqual([{ a: 7, b: "kept" }]);
  });

  it("of two handles on one data directory in one process never collide, and one closing spares the other's", async () => {
    const second = await createClickHouse({ dataDir: ch.location, url: undefined });
    expect(second.insertFiles?.dir).toBe(ch.insertFiles?.dir);
    await ch.command("CREATE TABLE shared (handle UInt8, n UInt32) ENGINE = MergeTree ORDER BY n");
    const batch = (handle: number, n: number) => `${handle}\t${n}\n`.repeat(50);
    const writes = Array.from({ length: 40 }, (_, n) =>
      (n % 2 === 0 ? ch : second).insertTsv("shared", ["handle", "n"], batch(n % 2, n)),
    );
    await Promise.all(writes.slice(0, 20));
    // Closing one handle while the other's batches are in flight.
    await Promise.all([
      ...writes.slice(20, 40).filter((_, i) => i % 2 === 0),
      second.close().catch(() => {}),
    ]);
    await Promise.allSettled(writes);
    await ch.insertTsv("shared", ["handle", "n"], batch(0, 99));
    const [row] = await ch.select<{ rows: number; batches: number }>(
      "SELECT toUInt32(count()) AS rows, toUInt32(uniqExact(n)) AS batches FROM shared WHERE handle = 0",
    );
    expect(row).toEqual({ rows: 21 * 50, batches: 21 });
    expect(ch.insertFiles?.files()).toEqual([]);
  });

  it("are swept at start-up after a crash mid-insert, and never another data directory's", () => {
    const parent = mkdtempSync(join(tmpdir(), "runtrace-insert-parent-"));
    const dataDir = tempDataDir();
    const env = { ...process.env, RUNTRACE_INSERT_DIR: parent };
    const run = (mode: string) =>
      execFileSync(TSX, ["--conditions=runtrace-source", CHILD, mode, dataDir], {
        env,
        encoding: "utf8",
        stdio: "pipe",
      });
    // Another data directory's folder beside ours, with a batch in flight.
    const other = insertFolder(parent, join(dataDir, "..", "another-data-dir"));
    mkdirSync(other);
    writeFileSync(join(other, "1-0.tsv"), "theirs\n");
    try {
      run("crash-mid-insert");
    } catch {
      // Killed by its own SIGKILL, as a crash would be.
    }
    const ours = insertFolder(parent, dataDir);
    expect(readdirSync(ours).length).toBe(1);
    const reopened = JSON.parse(run("insert-folder")) as { dir: string; files: string[] };
    expect(reopened).toEqual({ dir: ours, files: [] });
    expect(existsSync(ours)).toBe(false);
    expect(readdirSync(other)).toEqual(["1-0.tsv"]);
    removeDir(parent);
  });
});

/** A map of `size` entries whose keys and values are hostile strings, from position `i` on. */
function hostileMap(i: number, size: number): Record<string, string> {
  const m: Record<string, string> = {};
  for (let j = 0; j < size; j++)
    m[`${pick(HOSTILE, i + j).slice(0, 60)}#${j}`] = pick(HOSTILE, i * 3 + j);
  return m;
}

const attrs = (i: number, size: number) => ({
  values: hostileMap(i, size),
  types: Object.fromEntries(Object.keys(hostileMap(i, size)).map((k) => [k, "string"])) as Record<
    string,
    "string"
  >,
});

/** Spans with hostile strings everywhere, shared resources, events and links with attributes. */
function hostileSpans(): SpanInput[] {
  const resources: ResourceInput[] = [0, 1, 2].map((r) => ({
    serviceName: pick(HOSTILE, r + 5),
    attributes: attrs(r, r === 2 ? 0 : 20),
  }));
  // Within the retention: older spans would be dropped with their part.
  const base = BigInt(Date.now() - 3_600_000) * 1_000_000n + 123_456n;
  return Array.from({ length: HOSTILE.length * 2 }, (_, i) => {
    const startNs = base + BigInt(i) * 1_000_003n;
    const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
    return {
      traceId: hex(i + 1, 32),
      spanId: hex(i + 1, 16),
      parentSpanId: i % 3 === 0 ? "" : hex(i, 16),
      traceState: pick(HOSTILE, i + 1),
      name: pick(HOSTILE, i),
      kind: i % 2 === 0 ? "SPAN_KIND_INTERNAL" : "SPAN_KIND_CLIENT",
      startNs,
      endNs: i % 5 === 0 ? startNs - 1n : startNs + BigInt(i) * 1_000n,
      attributes: attrs(i, i % 4 === 0 ? 0 : i % 4 === 3 ? 1_500 : 6),
      statusCode: i % 3 === 1 ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET",
      statusMessage: pick(HOSTILE, i + 2),
      events:
        i % 2 === 0
          ? []
          : [0, 1].map((e) => ({
              timeNs: startNs + BigInt(e),
              name: pick(HOSTILE, i + e),
              attributes: attrs(i + e, e === 0 ? 0 : 3),
            })),
      links:
        i % 3 === 2
          ? [
              {
                traceId: hex(i, 32),
                spanId: hex(i, 16),
                traceState: pick(HOSTILE, i),
                attributes: attrs(i, 2),
              },
            ]
          : [],
      resource: resources[i % 3]!,
      scope: { name: pick(HOSTILE, i + 4), version: pick(HOSTILE, i + 6) },
    } satisfies SpanInput;
  });
}

describe("span rows as a Native block", () => {
  it("store every column exactly as the TabSeparated rows do, and as sent", async () => {
    for (const table of ["spans_tsv", "spans_native"]) {
      await ch.command(`CREATE TABLE ${table} AS otel_traces`);
    }
    const spans = hostileSpans();
    await ch.insertTsv("spans_tsv", OTEL_TRACES_COLUMNS, tsvBody(spans, otelTracesLine));
    await ch.insertNative("spans_native", OTEL_TRACES_COLUMNS, otelTracesNative(spans));
    const columns = OTEL_TRACES_COLUMNS.map((c) => `\`${c}\``).join(", ");
    const read = (table: string) =>
      ch.select<Record<string, unknown>>(
        `SELECT ${columns.replace("`Timestamp`", "toString(toUnixTimestamp64Nano(Timestamp)) AS Timestamp")}, toString(Duration) AS Duration,
           arrayMap(t -> toString(toUnixTimestamp64Nano(t)), \`Events.Timestamp\`) AS \`Events.Timestamp\`
         FROM ${table} ORDER BY SpanId`,
      );
    const [viaTsv, viaNative] = [await read("spans_tsv"), await read("spans_native")];
    expect(viaNative.length).toBe(spans.length);
    expect(viaTsv.length).toBe(spans.length);
    for (const [i, sent] of spans.entries()) {
      const native = viaNative[i] as Record<string, unknown>;
      for (const c of OTEL_TRACES_COLUMNS) {
        expect(native[c], `span ${i}, column ${c}`).toEqual(viaTsv[i]?.[c]);
      }
      expect(native.Timestamp).toBe(sent.startNs.toString());
      expect(native.SpanName).toBe(sent.name);
      expect(native.SpanAttributes).toEqual(sent.attributes.values);
      expect(native.ResourceAttributes).toEqual(sent.resource.attributes.values);
      expect(native["Events.Name"]).toEqual(sent.events.map((e) => e.name));
      expect(native["Links.Attributes"]).toEqual(sent.links.map((l) => l.attributes.values));
    }
    expect(ch.insertFiles?.files()).toEqual([]);
  });
});

const TSX = join(process.cwd(), "node_modules", ".bin", "tsx");
const CHILD = join(import.meta.dirname, "..", "fixtures", "child-process.ts");

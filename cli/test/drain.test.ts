import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClickHouse } from "@runtrace/clickhouse";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "..", "bin", "runtrace.js");

function startServer(
  dataDir: string,
): Promise<{ child: ChildProcess; collector: string; query: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, "start"], {
    env: {
      ...process.env,
      RUNTRACE_DATA_DIR: dataDir,
      RUNTRACE_COLLECTOR_PORT: "0",
      RUNTRACE_QUERY_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const collector = /collector on (http:\/\/\S+)/.exec(out)?.[1];
      const query = /query API on (http:\/\/\S+)/.exec(out)?.[1];
      if (collector && query && out.includes("running until Ctrl-C")) {
        resolve({ child, collector, query, output: () => out });
      }
    });
    child.stderr!.on("data", (chunk) => {
      out += chunk;
    });
    child.once("exit", (code) => reject(new Error(`runtrace start exited (${code}): ${out}`)));
  });
}

function request(i: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: 200 }, (_, j) => ({
    traceId: (i * 1000 + j + 1).toString(16).padStart(32, "0"),
    spanId: (i * 1000 + j + 1).toString(16).padStart(16, "0"),
    name: "drain-span",
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1000n),
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }],
  });
}

describe("runtrace start", () => {
  it("serves both ports, and on SIGTERM answers what is in flight, writes it, and exits 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "runtrace-drain-"));
    const server = await startServer(dataDir);
    expect(server.output()).toContain(`data in ${dataDir}`);
    // Where to look and how to send: the /runs address and the collector's endpoint.
    expect(server.output()).toContain(`the runs page: ${server.query}/runs`);
    expect(server.output()).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${server.collector}`);
    expect((await fetch(`${server.query}/runs`)).status).toBe(200);
    // The page learns where runs go, to say so on an empty database.
    const about = await (await fetch(`${server.query}/v1/about`)).json();
    expect(about).toEqual({ collectorUrl: server.collector });
    expect((await fetch(`${server.query}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.collector}/readyz`)).status).toBe(200);

    const inFlight = Array.from({ length: 5 }, (_, i) =>
      fetch(`${server.collector}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: request(i),
      }).then((r) => r.status),
    );
    // Ask it to stop once the requests have reached it and wait for their insert.
    for (let i = 0; i < 200; i++) {
      const metrics = await (await fetch(`${server.collector}/metrics`)).text();
      const queued = Number(/runtrace_writer_queue_rows (\d+)/.exec(metrics)?.[1] ?? 0);
      const stored = Number(
        /runtrace_collector_spans_accepted_total (\d+)/.exec(metrics)?.[1] ?? 0,
      );
      if (queued + stored >= 1000) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200]);
    expect(await exited).toBe(0);
    expect(server.output()).toContain("everything accepted was written");

    const ch = await createClickHouse({ dataDir, url: undefined });
    const rows = await ch.select<{ n: number }>(
      "SELECT count() AS n FROM otel_traces WHERE SpanName = 'drain-span'",
    );
    expect(rows[0]!.n).toBe(1000);
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

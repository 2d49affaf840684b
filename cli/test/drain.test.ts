import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClickHouse } from "@runtrace/clickhouse";
import { encodeTracesData } from "@runtrace/otlp";
import { otlpGrpcClient } from "@runtrace/testkit-harness/grpc";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "..", "bin", "runtrace.js");

function startServer(dataDir: string): Promise<{
  child: ChildProcess;
  collector: string;
  grpc: string;
  query: string;
  output: () => string;
}> {
  const child = spawn(process.execPath, [BIN, "start"], {
    env: {
      ...process.env,
      RUNTRACE_DATA_DIR: dataDir,
      RUNTRACE_COLLECTOR_PORT: "0",
      RUNTRACE_GRPC_PORT: "0",
      RUNTRACE_QUERY_PORT: "0",
      RUNTRACE_JAEGER_UI_URL: "http://jaeger.example:16686/",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const collector = /collector on (http:\/\/\S+)/.exec(out)?.[1];
      const query = /query API on (http:\/\/\S+)/.exec(out)?.[1];
      const grpc = /OTLP\/gRPC collector on (\S+)/.exec(out)?.[1];
      if (collector && query && grpc && out.includes("running until Ctrl-C")) {
        resolve({ child, collector, grpc, query, output: () => out });
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

/** The same 200 spans as `request(i)`, as an OTLP/gRPC call; resolves to the status code. */
async function grpcExport(address: string, i: number): Promise<number> {
  const { resourceSpans } = JSON.parse(request(i)) as {
    resourceSpans: { scopeSpans: { spans: Record<string, string>[] }[] }[];
  };
  const spans = resourceSpans[0]!.scopeSpans[0]!.spans.map((span) => ({
    ...span,
    name: span.name!,
    traceId: span.traceId!,
    spanId: span.spanId!,
    startTimeUnixNano: span.startTimeUnixNano!,
    endTimeUnixNano: span.endTimeUnixNano!,
    kind: 1,
    attributes: [],
    events: [],
    links: [],
    status: { code: 0 },
  }));
  const body = Buffer.from(
    encodeTracesData({
      resourceSpans: [
        { resource: { attributes: [] }, scopeSpans: [{ scope: { name: "drain" }, spans }] },
      ],
    }),
  );
  const client = otlpGrpcClient(address);
  const { error } = await client.exportTraces(body);
  client.close();
  return error ? error.code : 0;
}

describe("runtrace start", () => {
  it("serves its ports (HTTP, gRPC, the query API), and on SIGTERM answers what is in flight, writes it, and exits 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "runtrace-drain-"));
    const server = await startServer(dataDir);
    expect(server.output()).toContain(`data in ${dataDir}`);
    // Where to look and how to send: the /runs address and the collector's endpoint.
    expect(server.output()).toContain(`the runs page: ${server.query}/runs`);
    expect(server.output()).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${server.collector}`);
    expect((await fetch(`${server.query}/runs`)).status).toBe(200);
    // The page learns where runs go, to say so on an empty database, and where a Jaeger UI
    // reads the traces (RUNTRACE_JAEGER_UI_URL, kept without its trailing slash).
    const about = await (await fetch(`${server.query}/v1/about`)).json();
    expect(about).toEqual({
      collectorUrl: server.collector,
      jaegerUiUrl: "http://jaeger.example:16686",
    });
    expect((await fetch(`${server.query}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.collector}/readyz`)).status).toBe(200);

    // Two more batches over OTLP/gRPC, to the same writer.
    const grpcInFlight = [5, 6].map((i) => grpcExport(server.grpc, i));
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
      if (queued + stored >= 1400) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200]);
    // gRPC OK (0) for both: answered, not cut off, by the drain.
    expect(await Promise.all(grpcInFlight)).toEqual([0, 0]);
    expect(await exited).toBe(0);
    expect(server.output()).toContain("everything accepted was written");

    const ch = await createClickHouse({ dataDir, url: undefined });
    const rows = await ch.select<{ n: number }>(
      "SELECT count() AS n FROM otel_traces WHERE SpanName = 'drain-span'",
    );
    expect(rows[0]!.n).toBe(1400);
    await ch.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

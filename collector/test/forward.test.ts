import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter as OTLPTraceExporterJson } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPTraceExporterProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { ConfigError } from "@runtrace/config";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveCollectorConfig } from "../src/index.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP server on loopback that records every request; `hang` never answers. */
async function startTarget(mode: "answer" | "hang") {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      if (mode === "answer") res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const url = await listenOn(server);
  return {
    url,
    received,
    close: () => closeServer(server),
  };
}

/**
 * Sits between the OTel exporter and the collector and records what the exporter really sent,
 * so the copy the target gets can be compared with it byte for byte.
 */
async function startRecordingProxy(collectorUrl: string) {
  const sent: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      sent.push({ path: req.url ?? "", headers: req.headers, body });
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "content-encoding"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const answer = await fetch(`${collectorUrl}${req.url}`, { method: "POST", headers, body });
      res
        .writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" })
        .end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  const url = await listenOn(server);
  return { url, sent, close: () => closeServer(server) };
}

function listenOn(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A port nothing listens on: bound once to learn a free one, then closed. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listenOn(server);
  await closeServer(server);
  return url;
}

async function spansOf(service: string, names: string[]): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer("forward-test");
  for (const name of names) {
    tracer.startSpan(name, { attributes: { "forward.test": true, n: names.length } }).end();
  }
  const spans = memory.getFinishedSpans().slice();
  await provider.shutdown();
  return spans;
}

async function send(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export(spans, resolve),
  );
  expect(result.error).toBeUndefined();
  expect(result.code).toBe(0);
  await exporter.shutdown();
}

/** One OTLP/JSON span, posted the way any client would. */
function jsonSpanBody(service: string, spanId: string, padding = 0): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: "a".repeat(32),
                spanId,
                name: "forwarded op",
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1000n),
                attributes: [{ key: "pad", value: { stringValue: "x".repeat(padding) } }],
              },
            ],
          },
        ],
      },
    ],
  });
}

async function postJson(url: string, body: string): Promise<{ status: number; millis: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await response.arrayBuffer();
  return { status: response.status, millis: performance.now() - started };
}

/** The collector's own `runtrace_forward_requests_total` samples, from GET /metrics. */
async function forwardCounts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(
    /^runtrace_forward_requests_total\{signal="(\w+)",result="(\w+)"\} (\d+)$/gm,
  )) {
    counts[`${m[1]}.${m[2]}`] = Number(m[3]);
  }
  return counts;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, millis = 15_000) {
  const deadline = performance.now() + millis;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (performance.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function storedSpans(collector: RunningCollector, service: string): Promise<number> {
  const rows = await collector.ch.select<{ n: number }>(
    "SELECT toUInt32(count()) AS n FROM otel_traces WHERE ServiceName = {service:String}",
    { service },
  );
  return Number(rows[0]?.n ?? 0);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Collector first: it waits for its copies in flight, which end once the target closes.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

async function collectorForwardingTo(
  endpoint: string,
  options: Parameters<typeof startTestCollector>[0] = {},
): Promise<RunningCollector> {
  const collector = await startTestCollector({ forwardEndpoint: endpoint, ...options });
  cleanups.push(() => collector.stop());
  return collector;
}

describe("forwarding stored requests to RUNTRACE_FORWARD_OTLP_ENDPOINT", () => {
  it("passes on what the real OTel exporters sent, byte for byte, with its content type and encoding", async () => {
    const target = await startTarget("answer");
    cleanups.push(target.close);
    const collector = await collectorForwardingTo(target.url);
    const proxy = await startRecordingProxy(collector.url);
    cleanups.push(proxy.close);

    type ProtoOptions = NonNullable<ConstructorParameters<typeof OTLPTraceExporterProto>[0]>;
    await send(
      new OTLPTraceExporterProto({
        url: `${proxy.url}/v1/traces`,
        compression: "gzip" as ProtoOptions["compression"],
      }),
      await spansOf("fwd-proto-gzip", ["a", "b", "c"]),
    );
    await send(
      new OTLPTraceExporterJson({ url: `${proxy.url}/v1/traces` }),
      await spansOf("fwd-json", ["d", "e"]),
    );
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${proxy.url}/v1/metrics` }),
      exportIntervalMillis: 3_600_000,
    });
    const meterProvider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "fwd-metrics" }),
      readers: [reader],
    });
    meterProvider.getMeter("m").createCounter("forwarded.things").add(3, { k: "v" });
    await meterProvider.shutdown();

    await until(
      async () => target.received.length,
      (n) => n >= 3,
    );
    expect(proxy.sent.map((r) => r.path)).toEqual(["/v1/traces", "/v1/traces", "/v1/metrics"]);
    expect(target.received.map((r) => r.path)).toEqual(proxy.sent.map((r) => r.path));
    expect(proxy.sent[0]!.headers["content-encoding"]).toBe("gzip");
    for (const [i, sent] of proxy.sent.entries()) {
      const copy = target.received[i]!;
      expect(copy.body.equals(sent.body), `request ${i}: forwarded bytes differ`).toBe(true);
      expect(copy.headers["content-type"]).toBe(sent.headers["content-type"]);
      expect(copy.headers["content-encoding"]).toBe(sent.headers["content-encoding"]);
    }
    expect(await storedSpans(collector, "fwd-proto-gzip")).toBe(3);
    expect(await storedSpans(collector, "fwd-json")).toBe(2);
    expect(await forwardCounts(collector.url)).toEqual({
      "traces.ok": 2,
      "traces.failed": 0,
      "traces.dropped": 0,
      "metrics.ok": 1,
      "metrics.failed": 0,
      "metrics.dropped": 0,
    });
  });

  it("does not pass on a payload it refused (400), nor one over the in-flight byte bound", async () => {
    const target = await startTarget("answer");
    cleanups.push(target.close);
    const collector = await collectorForwardingTo(target.url, {
      forwardMaxInFlightBytes: 2048,
      forwardSignals: ["traces"],
    });

    const refused = await fetch(`${collector.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    expect(refused.status).toBe(400);
    const large = await postJson(collector.url, jsonSpanBody("fwd-large", "1".repeat(16), 4096));
    expect(large.status).toBe(200);
    const small = jsonSpanBody("fwd-small", "2".repeat(16));
    expect((await postJson(collector.url, small)).status).toBe(200);
    const metrics = await fetch(`${collector.url}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resourceMetrics: [] }),
    });
    expect(metrics.status).toBe(200);

    const counts = await until(
      () => forwardCounts(collector.url),
      (c) => c["traces.ok"] === 1,
    );
    expect(counts).toEqual({ "traces.ok": 1, "traces.failed": 0, "traces.dropped": 1 });
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.path).toBe("/v1/traces");
    expect(target.received[0]!.body.toString()).toBe(small);
    // Dropped is not lost: the large request was stored all the same.
    expect(await storedSpans(collector, "fwd-large")).toBe(1);
  });

  it("with the target down, answers 200, stores the data, counts the failures and logs once", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const collector = await collectorForwardingTo(await closedPortUrl());
    for (let i = 0; i < 3; i++) {
      const { status, millis } = await postJson(
        collector.url,
        jsonSpanBody("fwd-down", `${i + 3}`.repeat(16)),
      );
      expect(status).toBe(200);
      expect(millis).toBeLessThan(2_500);
    }
    const counts = await until(
      () => forwardCounts(collector.url),
      (c) => c["traces.failed"] === 3,
    );
    expect(counts["traces.failed"]).toBe(3);
    expect(counts["traces.ok"]).toBe(0);
    expect(await storedSpans(collector, "fwd-down")).toBe(3);
    const forwardLines = warnings.mock.calls.filter((args) =>
      String(args[0]).includes("collector: forwarding to"),
    );
    expect(forwardLines).toHaveLength(1);
    expect(String(forwardLines[0]![0])).toMatch(/1 failed, 0 dropped; last: ECONNREFUSED/);
  });

  it("with a target that never answers, ingest does not wait: copies time out, extra ones are dropped", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const target = await startTarget("hang");
    cleanups.push(target.close);
    const timeoutMillis = 5_000;
    const collector = await collectorForwardingTo(target.url, {
      forwardTimeoutMillis: timeoutMillis,
      forwardMaxInFlight: 2,
    });
    const started = performance.now();
    for (let i = 0; i < 4; i++) {
      const { status, millis } = await postJson(
        collector.url,
        jsonSpanBody("fwd-hang", `${i + 6}`.repeat(16)),
      );
      expect(status).toBe(200);
      // Waiting on the copy would take the whole timeout.
      expect(millis).toBeLessThan(timeoutMillis / 2);
    }
    expect(await storedSpans(collector, "fwd-hang")).toBe(4);
    const inFlight = await forwardCounts(collector.url);
    // Only meaningful if the four requests fit inside one timeout, as they do by far.
    expect(performance.now() - started).toBeLessThan(timeoutMillis);
    expect(inFlight).toMatchObject({ "traces.ok": 0, "traces.failed": 0, "traces.dropped": 2 });
    // The two copies in flight did reach the target, which holds them unanswered.
    expect(
      await until(
        async () => target.received.length,
        (n) => n === 2,
      ),
    ).toBe(2);

    const after = await until(
      () => forwardCounts(collector.url),
      (c) => c["traces.failed"] === 2,
      timeoutMillis + 5_000,
    );
    expect(after).toMatchObject({ "traces.ok": 0, "traces.failed": 2, "traces.dropped": 2 });
    expect(collector.collector.forwarder!.inFlight).toBe(0);
    expect(collector.collector.forwarder!.inFlightBytes).toBe(0);
  });
});

describe("RUNTRACE_FORWARD_* configuration", () => {
  const resolve = (env: Record<string, string>) => resolveCollectorConfig({}, env);

  it("normalizes a base URL and defaults to both signals", () => {
    const config = resolve({ RUNTRACE_FORWARD_OTLP_ENDPOINT: " http://jaeger:4318/ " });
    expect(config.forwardEndpoint).toBe("http://jaeger:4318");
    expect(config.forwardSignals).toEqual(["traces", "metrics"]);
    expect(resolve({}).forwardEndpoint).toBeUndefined();
    expect(
      resolve({
        RUNTRACE_FORWARD_OTLP_ENDPOINT: "https://otel.example:4318/otlp/",
        RUNTRACE_FORWARD_SIGNALS: "traces",
      }),
    ).toMatchObject({
      forwardEndpoint: "https://otel.example:4318/otlp",
      forwardSignals: ["traces"],
    });
  });

  it.each([
    ["not a url", /is not a URL/],
    ["jaeger:4318", /expected an http or https URL, got jaeger:/],
    ["http://user:secret@jaeger:4318", /credentials/],
    ["http://jaeger:4318/?x=1", /without query/],
  ])("refuses %s with an error naming the variable", (value, message) => {
    let error: unknown;
    try {
      resolve({ RUNTRACE_FORWARD_OTLP_ENDPOINT: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("RUNTRACE_FORWARD_OTLP_ENDPOINT");
    expect((error as Error).message).toMatch(message);
  });

  it("refuses unknown signals and bounds out of range", () => {
    expect(() => resolve({ RUNTRACE_FORWARD_SIGNALS: "traces,logs" })).toThrow(
      /RUNTRACE_FORWARD_SIGNALS: unknown signal "logs"/,
    );
    expect(() => resolve({ RUNTRACE_FORWARD_TIMEOUT_MS: "0" })).toThrow(
      /RUNTRACE_FORWARD_TIMEOUT_MS/,
    );
    expect(() => resolve({ RUNTRACE_FORWARD_MAX_IN_FLIGHT: "many" })).toThrow(
      /RUNTRACE_FORWARD_MAX_IN_FLIGHT/,
    );
  });

  it("stops `runtrace collector` at start-up, before it opens any data", () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "runtrace-fwd-cli-")), "data");
    const bin = fileURLToPath(new URL("../../cli/bin/runtrace.js", import.meta.url));
    try {
      const run = spawnSync(process.execPath, [bin, "collector"], {
        env: {
          ...process.env,
          RUNTRACE_DATA_DIR: dataDir,
          RUNTRACE_COLLECTOR_PORT: "0",
          RUNTRACE_GRPC_PORT: "0",
          RUNTRACE_FORWARD_OTLP_ENDPOINT: "jaeger:4318",
        },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        "runtrace collector: RUNTRACE_FORWARD_OTLP_ENDPOINT: expected an http or https URL",
      );
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(join(dataDir, ".."), { recursive: true, force: true });
    }
  });
});

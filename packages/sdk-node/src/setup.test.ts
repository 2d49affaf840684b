import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder, SDK_NAME, SDK_VERSION } from "@runtrace/sdk";
import {
  ATTR_EXECUTION_STATUS,
  ATTR_SERVICE_NAME,
  METRIC_EXECUTION_OUTCOMES,
  SPAN_EXECUTION,
  toolSpanName,
} from "@runtrace/semconv";
import { afterEach, describe, expect, it } from "vitest";
import { startTelemetry } from "./index.ts";

/**
 * The SDK's in-memory exporter forgets its spans when shut down; this one keeps them so a test
 * can look at what `shutdown()` flushed.
 */
class KeepingSpanExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const savedEnv = { ...process.env };

afterEach(() => {
  // Each test registers its own SDK globally: clear the globals for the next one.
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
  process.env = { ...savedEnv };
});

async function recordOneExecution(): Promise<void> {
  // Created with the default tracer and meter: the globals registered by startTelemetry.
  const recorder = createExecutionRecorder();
  await recorder.run({ scopeId: "ws_1", code: "1" }, (exec) =>
    exec.toolCall({ path: "math.add" }, () => 2),
  );
}

describe("startTelemetry", () => {
  it("sends spans and metrics to the given exporters; shutdown flushes both, once", async () => {
    const spanExporter = new KeepingSpanExporter();
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const telemetry = startTelemetry({
      serviceName: "sandbox",
      resourceAttributes: { "deployment.environment.name": "test" },
      traceExporter: spanExporter,
      metricExporter,
    });
    await recordOneExecution();
    // Batched, not yet exported.
    expect(spanExporter.getFinishedSpans()).toEqual([]);

    const stopped = telemetry.shutdown();
    expect(telemetry.shutdown()).toBe(stopped);
    await stopped;
    await telemetry.forceFlush();

    const spans = spanExporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual(
      [SPAN_EXECUTION, "executor.execution.state", toolSpanName("math.add")].sort(),
    );
    const root = spans.find((span) => span.name === SPAN_EXECUTION)!;
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("completed");
    expect(root.instrumentationScope).toEqual({ name: SDK_NAME, version: SDK_VERSION });
    expect(root.resource.attributes[ATTR_SERVICE_NAME]).toBe("sandbox");
    expect(root.resource.attributes["deployment.environment.name"]).toBe("test");

    const names = metricExporter
      .getMetrics()
      .flatMap((batch) => batch.scopeMetrics)
      .flatMap((scope) => scope.metrics)
      .map((metric) => metric.descriptor.name);
    expect(names).toContain(METRIC_EXECUTION_OUTCOMES);
  });

  it("lets explicit options win over OTEL_* variables, which still fill the rest", async () => {
    process.env.OTEL_SERVICE_NAME = "from-env";
    process.env.OTEL_RESOURCE_ATTRIBUTES = "team=env,region=eu";
    const spanExporter = new KeepingSpanExporter();
    const telemetry = startTelemetry({
      serviceName: "explicit",
      resourceAttributes: { team: "explicit" },
      traceExporter: spanExporter,
      metricExporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    });
    await recordOneExecution();
    await telemetry.forceFlush();
    const [span] = spanExporter.getFinishedSpans();
    expect(span?.resource.attributes[ATTR_SERVICE_NAME]).toBe("explicit");
    expect(span?.resource.attributes.team).toBe("explicit");
    expect(span?.resource.attributes.region).toBe("eu");
    await telemetry.shutdown();
  });

  it("posts OTLP/HTTP to <otlpEndpoint>/v1/traces and /v1/metrics", async () => {
    const requests: Array<{ method: string; url: string; type: string; bytes: number }> = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        requests.push({
          method: req.method ?? "",
          url: req.url ?? "",
          type: req.headers["content-type"] ?? "",
          bytes: Buffer.concat(chunks).length,
        });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const telemetry = startTelemetry({
        serviceName: "sandbox",
        otlpEndpoint: `http://127.0.0.1:${port}/`,
      });
      await recordOneExecution();
      await telemetry.shutdown();

      const traces = requests.filter((request) => request.url === "/v1/traces");
      expect(traces.length).toBeGreaterThanOrEqual(1);
      expect(traces[0]?.method).toBe("POST");
      expect(traces[0]?.type).toBe("application/json");
      expect(traces[0]?.bytes).toBeGreaterThan(0);
      const posted = requests.filter((request) => request.url === "/v1/metrics");
      expect(posted.length).toBeGreaterThanOrEqual(1);
      expect(posted[0]?.bytes).toBeGreaterThan(0);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

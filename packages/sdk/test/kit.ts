/**
 * Test fixtures of the SDK's tests (not part of the package): the real OpenTelemetry SDK with in-memory
 * exporters, and a hand-driven clock.
 */

import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_EXECUTION_SEQ, SPAN_EXECUTION_STATE } from "@runtrace/semconv";

/** Installs the async-hooks context manager once, so `context.with` really propagates. */
export function installContextManager(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** A tracer provider whose finished spans are kept in memory. */
export function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("test");
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return {
    exporter,
    provider,
    tracer,
    spans,
    named: (name: string) => spans().filter((span) => span.name === name),
    one(name: string): ReadableSpan {
      const found = spans().filter((span) => span.name === name);
      if (found.length !== 1) throw new Error(`expected one ${name} span, got ${found.length}`);
      return found[0]!;
    },
    /** State spans in seq order. */
    states: () =>
      spans()
        .filter((span) => span.name === SPAN_EXECUTION_STATE)
        .sort(
          (a, b) =>
            Number(a.attributes[ATTR_EXECUTION_SEQ]) - Number(b.attributes[ATTR_EXECUTION_SEQ]),
        ),
  };
}

/** A meter provider whose reader is collected on demand. */
export function metering() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter("test"),
    /** Every metric of the latest collection, by name. */
    async collect(): Promise<Map<string, MetricData>> {
      await reader.forceFlush();
      const batches = exporter.getMetrics();
      const latest = batches.at(-1);
      const byName = new Map<string, MetricData>();
      for (const scope of latest?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
      return byName;
    },
    shutdown: () => provider.shutdown(),
  };
}

/** A clock that only moves when told to; starts at 2026-01-01T00:00:00Z. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

/** Epoch ms of a span's start or end time. */
export function epochMs(time: [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6;
}

import { type Attributes, diag } from "@opentelemetry/api";
import { getNumberFromEnv } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import {
  envDetector,
  hostDetector,
  processDetector,
  type ResourceDetector,
} from "@opentelemetry/resources";
import { PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { NodeSDKConfiguration } from "@opentelemetry/sdk-node";
import {
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/**
 * Options of {@link startTelemetry}. Each signal is configured by the first of: an explicit
 * exporter, `otlpEndpoint`, the standard `OTEL_*` variables (read by `NodeSDK`).
 */
export interface TelemetryOptions {
  /**
   * `service.name` of the resource; wins over `OTEL_SERVICE_NAME`.
   * @default OTEL_SERVICE_NAME, else `unknown_service:node`
   */
  serviceName?: string;
  /**
   * Extra resource attributes; win over `OTEL_RESOURCE_ATTRIBUTES` and detected ones.
   * @default none
   */
  resourceAttributes?: Attributes;
  /**
   * Span exporter, behind a `BatchSpanProcessor` configured by `OTEL_BSP_*`.
   * @default the OTLP exporter at `otlpEndpoint`, else `OTEL_TRACES_EXPORTER` (default `otlp`)
   */
  traceExporter?: SpanExporter;
  /**
   * Metric exporter, behind a `PeriodicExportingMetricReader`.
   * @default the OTLP exporter at `otlpEndpoint`, else `OTEL_METRICS_EXPORTER` (default `otlp`)
   */
  metricExporter?: PushMetricExporter;
  /**
   * Base URL of an OTLP/HTTP receiver, e.g. `http://localhost:4318`: traces are posted (JSON) to
   * `<endpoint>/v1/traces` and metrics to `<endpoint>/v1/metrics`, for the signals that have no
   * explicit exporter.
   * @default undefined (the `OTEL_EXPORTER_OTLP_*` variables apply)
   */
  otlpEndpoint?: string;
  /**
   * Metric export interval for the reader built here (from `metricExporter` or `otlpEndpoint`).
   * With env-configured metrics `NodeSDK` reads `OTEL_METRIC_EXPORT_INTERVAL` itself.
   * @default OTEL_METRIC_EXPORT_INTERVAL, else 60000
   */
  metricExportIntervalMillis?: number;
  /**
   * Span processors to add; an explicit or endpoint exporter then gets its own
   * `BatchSpanProcessor` beside them.
   * @default none
   */
  spanProcessors?: SpanProcessor[];
}

const DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS = 60_000;
const DEFAULT_METRIC_EXPORT_TIMEOUT_MILLIS = 30_000;

/** The `NodeSDK` configuration for `options`: explicit options, then env, then defaults. */
export function sdkConfiguration(options: TelemetryOptions): Partial<NodeSDKConfiguration> {
  const endpoint = options.otlpEndpoint?.replace(/\/+$/, "");
  // No auto-instrumentations: a runtime opts into those itself.
  const config: Partial<NodeSDKConfiguration> = { instrumentations: [] };
  if (options.serviceName !== undefined) config.serviceName = options.serviceName;
  if (options.resourceAttributes !== undefined) {
    // NodeSDK merges detected resources over `resource`, so OTEL_RESOURCE_ATTRIBUTES would beat
    // explicit attributes; a last detector makes the explicit ones win instead.
    const explicit: ResourceDetector = {
      detect: () => ({ attributes: { ...options.resourceAttributes } }),
    };
    config.resourceDetectors = [envDetector, processDetector, hostDetector, explicit];
  }

  const traceExporter =
    options.traceExporter ??
    (endpoint === undefined ? undefined : new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }));
  if (options.spanProcessors !== undefined) {
    // NodeSDK ignores `traceExporter` once `spanProcessors` is given: batch it here instead.
    config.spanProcessors = [
      ...options.spanProcessors,
      ...(traceExporter === undefined ? [] : [new BatchSpanProcessor(traceExporter)]),
    ];
  } else if (traceExporter !== undefined) {
    config.traceExporter = traceExporter;
  }

  const metricExporter =
    options.metricExporter ??
    (endpoint === undefined
      ? undefined
      : new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }));
  if (metricExporter !== undefined) {
    config.metricReaders = [metricReader(metricExporter, options.metricExportIntervalMillis)];
  } else if (options.metricExportIntervalMillis !== undefined) {
    diag.warn(
      "@runtrace/sdk: metricExportIntervalMillis applies only with metricExporter or otlpEndpoint; set OTEL_METRIC_EXPORT_INTERVAL for env-configured metrics",
    );
  }
  return config;
}

function metricReader(
  exporter: PushMetricExporter,
  intervalOption: number | undefined,
): PeriodicExportingMetricReader {
  const exportIntervalMillis =
    positive(intervalOption) ??
    positive(getNumberFromEnv("OTEL_METRIC_EXPORT_INTERVAL")) ??
    DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS;
  // The reader refuses a timeout longer than the interval: clamp, as NodeSDK does for env values.
  const exportTimeoutMillis = Math.min(
    positive(getNumberFromEnv("OTEL_METRIC_EXPORT_TIMEOUT")) ??
      DEFAULT_METRIC_EXPORT_TIMEOUT_MILLIS,
    exportIntervalMillis,
  );
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis });
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

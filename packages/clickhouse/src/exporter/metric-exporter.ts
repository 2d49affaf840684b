import type { HrTime } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  emptyMetricRows,
  type MetricPointBase,
  type MetricRows,
  OTLP_TEMPORALITY_CUMULATIVE,
  OTLP_TEMPORALITY_DELTA,
} from "@runtrace/model";
import { fromOtelAttributes } from "./attributes.ts";
import { WriterSink, type WriterSinkOptions } from "./writer-sink.ts";

export type ClickHouseMetricExporterOptions = WriterSinkOptions;

function hrTimeToNs(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

// The SDK numbers temporality DELTA = 0, CUMULATIVE = 1; OTLP and the tables DELTA = 1,
// CUMULATIVE = 2.
function otlpTemporality(t: AggregationTemporality): number {
  return t === AggregationTemporality.DELTA ? OTLP_TEMPORALITY_DELTA : OTLP_TEMPORALITY_CUMULATIVE;
}

/** SDK metrics → rows of `otel_metrics_sum`, `_gauge` and `_histogram`. */
export function metricRowsFromResourceMetrics(resourceMetrics: ResourceMetrics): MetricRows {
  const rows = emptyMetricRows();
  const resourceAttributes = fromOtelAttributes(resourceMetrics.resource.attributes);
  const resource = {
    serviceName: resourceAttributes.values["service.name"] ?? "",
    attributes: resourceAttributes,
  };
  const noAttributes = fromOtelAttributes(undefined);
  for (const scopeMetrics of resourceMetrics.scopeMetrics) {
    for (const metric of scopeMetrics.metrics) {
      const base = (point: MetricData["dataPoints"][number]): MetricPointBase => ({
        resource,
        resourceSchemaUrl: resourceMetrics.resource.schemaUrl ?? "",
        scopeName: scopeMetrics.scope.name,
        scopeVersion: scopeMetrics.scope.version ?? "",
        scopeAttributes: noAttributes,
        scopeDroppedAttrCount: 0,
        scopeSchemaUrl: scopeMetrics.scope.schemaUrl ?? "",
        metricName: metric.descriptor.name,
        description: metric.descriptor.description,
        unit: metric.descriptor.unit,
        attributes: fromOtelAttributes(point.attributes),
        startNs: hrTimeToNs(point.startTime),
        timeNs: hrTimeToNs(point.endTime),
        flags: 0,
      });
      switch (metric.dataPointType) {
        case DataPointType.SUM:
          for (const p of metric.dataPoints) {
            rows.sums.push({
              ...base(p),
              value: p.value,
              temporality: otlpTemporality(metric.aggregationTemporality),
              isMonotonic: metric.isMonotonic,
            });
          }
          break;
        case DataPointType.GAUGE:
          for (const p of metric.dataPoints) rows.gauges.push({ ...base(p), value: p.value });
          break;
        case DataPointType.HISTOGRAM:
          for (const p of metric.dataPoints) {
            const h: Histogram = p.value;
            rows.histograms.push({
              ...base(p),
              count: h.count,
              sum: h.sum ?? 0,
              bucketCounts: h.buckets.counts,
              explicitBounds: h.buckets.boundaries,
              min: h.min ?? 0,
              max: h.max ?? 0,
              temporality: otlpTemporality(metric.aggregationTemporality),
            });
          }
          break;
        default:
          // Exponential histograms have no table of their own here (the collector exporter's
          // otel_metrics_exp_histogram is not part of runtrace's schema); nothing records them.
          break;
      }
    }
  }
  return rows;
}

/**
 * A `PushMetricExporter` writing the collector exporter's metrics tables through the batching
 * writer. Temporality is the reader's choice (cumulative by default); stats queries turn
 * cumulative series into per-interval values.
 */
export class ClickHouseMetricExporter implements PushMetricExporter {
  readonly #sink: WriterSink;

  constructor(options: ClickHouseMetricExporterOptions) {
    this.#sink = new WriterSink(options);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.#sink.export(
      () => this.#sink.writer.writeMetrics(metricRowsFromResourceMetrics(metrics)),
      resultCallback,
    );
  }

  forceFlush(): Promise<void> {
    return this.#sink.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#sink.shutdown();
  }
}

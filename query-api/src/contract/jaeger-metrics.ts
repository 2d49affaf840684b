import { z } from "zod";
import { jaegerEnvelope } from "./jaeger.ts";

/**
 * Jaeger's Monitor-tab API (`/api/metrics/…`): a `MetricFamily` (jaeger
 * `openmetrics.proto`) in protobuf's JSON mapping, not wrapped in the `{data, …}` envelope.
 */

export const MetricLabel = z.strictObject({ name: z.string(), value: z.string() });
export type MetricLabel = z.infer<typeof MetricLabel>;

export const MetricPoint = z.strictObject({
  gaugeValue: z.strictObject({
    doubleValue: z.union([z.number(), z.literal("NaN")]).meta({
      description:
        '`"NaN"` (protobuf JSON\'s NaN): a bucket without a value; Jaeger UI draws a gap.',
    }),
  }),
  timestamp: z.string().meta({ description: "The bucket's start, RFC 3339 UTC." }),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const Metric = z.strictObject({
  labels: z
    .array(MetricLabel)
    .meta({ description: "`service_name`, then `operation` when grouped by operation." }),
  metricPoints: z.array(MetricPoint).meta({
    description: "One per bucket of the grid, oldest first; the same timestamps in every series.",
  }),
});
export type Metric = z.infer<typeof Metric>;

export const MetricFamily = z
  .strictObject({
    name: z.string().meta({
      description:
        "service_call_rate, service_error_rate or service_latencies; service_operation_… when grouped by operation.",
    }),
    type: z.literal("GAUGE"),
    help: z.string(),
    metrics: z
      .array(Metric)
      .meta({ description: "One per series with spans in the window; always present." }),
  })
  .meta({ id: "MetricFamily" });
export type MetricFamily = z.infer<typeof MetricFamily>;

/** `/api/metrics/minstep`: Jaeger 1.x's smallest step in ms, in the envelope. */
export const MinStep = jaegerEnvelope(z.number().int()).meta({ id: "JaegerMinStep" });

import { z } from "zod";
import { OtlpKeyValue, OtlpResourceSpans } from "./otlp-json.ts";

/**
 * The Tempo-compatible routes (`/tempo`): tempopb's JSON mapping, which Grafana decodes
 * strictly (unknown fields are an error), 64-bit integers as decimal strings.
 */

export const TempoSearchSpan = z.strictObject({
  spanID: z.string(),
  name: z.string(),
  startTimeUnixNano: z.string(),
  durationNanos: z.string(),
  attributes: z.array(OtlpKeyValue),
});
export type TempoSearchSpan = z.infer<typeof TempoSearchSpan>;

export const TempoTraceSearchMetadata = z.strictObject({
  traceID: z.string(),
  rootServiceName: z.string(),
  rootTraceName: z.string().optional(),
  startTimeUnixNano: z.string(),
  durationMs: z.number().int().meta({ description: "A uint32: longer traces show its maximum." }),
  spanSets: z.array(
    z.strictObject({
      spans: z.array(TempoSearchSpan),
      matched: z.number().int(),
      attributes: z.array(OtlpKeyValue),
    }),
  ),
});
export type TempoTraceSearchMetadata = z.infer<typeof TempoTraceSearchMetadata>;

export const TempoSearchResponse = z
  .strictObject({
    traces: z.array(TempoTraceSearchMetadata),
    metrics: z.strictObject({
      inspectedTraces: z.number().int(),
      inspectedBytes: z.string(),
      totalBlocks: z.number().int(),
    }),
  })
  .meta({ id: "TempoSearchResponse" });
export type TempoSearchResponse = z.infer<typeof TempoSearchResponse>;

export const TempoTagNames = z
  .strictObject({
    scopes: z.array(
      z.strictObject({
        name: z.enum(["resource", "span", "intrinsic"]),
        tags: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: "TempoTagNames" });

export const TempoTagValue = z.strictObject({
  type: z.string().meta({ description: "string, int, float, bool or keyword (TraceQL names)." }),
  value: z.string(),
});
export type TempoTagValue = z.infer<typeof TempoTagValue>;

export const TempoTagValues = z
  .strictObject({ tagValues: z.array(TempoTagValue) })
  .meta({ id: "TempoTagValues" });

export const TempoTraceV2 = z
  .strictObject({ trace: z.strictObject({ resourceSpans: z.array(OtlpResourceSpans) }) })
  .meta({ id: "TempoTraceV2" });

export const TempoTraceV1 = z
  .strictObject({ batches: z.array(OtlpResourceSpans) })
  .meta({ id: "TempoTraceV1" });

import { z } from "zod";
import { timeParam } from "./params.ts";

/** `/v1/conformance`: which of a runtime's stored spans runtrace cannot read as the conventions say. */

export const MAX_CONFORMANCE_EXAMPLES = 20;

export const ConformanceQuery = z.strictObject({
  service: z.string().min(1).meta({
    description: "The runtime's `service.name` (the resource attribute its spans carry).",
  }),
  from: timeParam.optional().meta({
    description:
      "Start (inclusive) of the spans' start times: epoch ms, RFC 3339 or relative (`1h`). Default: `to` minus 1 hour.",
  }),
  to: timeParam
    .optional()
    .meta({ description: "End (exclusive): epoch ms, RFC 3339 or relative. Default: now." }),
  examples: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_CONFORMANCE_EXAMPLES)
    .optional()
    .meta({
      description: `Example spans per broken rule, at most ${MAX_CONFORMANCE_EXAMPLES}. Default 5.`,
    }),
});
export type ConformanceQuery = z.infer<typeof ConformanceQuery>;

export const ConformanceSpan = z
  .strictObject({ spanId: z.string(), traceId: z.string(), name: z.string() })
  .meta({ id: "ConformanceSpan" });

export const ConformanceFinding = z
  .strictObject({
    rule: z.string().meta({ description: "The rule's id, e.g. `tool-without-execution-id`." }),
    description: z
      .string()
      .meta({ description: "What the rule asks, and what breaking it costs." }),
    spans: z.number().int().nonnegative().meta({
      description: "Distinct spans in the window that break it (a span stored twice counts once).",
    }),
    examples: z.array(ConformanceSpan).meta({ description: "Some of them, by span id." }),
  })
  .meta({ id: "ConformanceFinding" });
export type ConformanceFinding = z.infer<typeof ConformanceFinding>;

export const ConformanceReport = z
  .strictObject({
    service: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    spansChecked: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: "Distinct spans of the service that started in [from, to)." }),
    snapshotsChecked: z.number().int().nonnegative().meta({
      description:
        "Distinct state spans with a sequence number that ended in [from, to) (they are not in the trace): the snapshot-order rule reads them.",
    }),
    violations: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: "Spans (and state spans) that break at least one rule." }),
    rules: z.array(ConformanceFinding).meta({
      description: "Every rule, in a fixed order, with its count (0: none broke it).",
    }),
  })
  .meta({ id: "ConformanceReport" });
export type ConformanceReport = z.infer<typeof ConformanceReport>;

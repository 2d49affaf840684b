import { z } from "zod";
import { OtlpResourceSpans } from "./otlp-json.ts";

/**
 * The Jaeger-compatible routes (`/api`): Jaeger's own JSON shapes (jaeger `internal/uimodel`
 * and api_v3), as Jaeger UI and Grafana read them. OTLP/JSON inside api_v3 answers is
 * opentelemetry-proto's shape and is described only as far as its outer objects.
 */

export const JaegerError = z.strictObject({
  code: z.number().int().optional(),
  msg: z.string(),
  traceID: z.string().optional().meta({ description: "A requested trace that was not found." }),
});
export type JaegerError = z.infer<typeof JaegerError>;

/** Jaeger's v1 envelope: every field present, `errors: null` when there are none. */
export function jaegerEnvelope<T extends z.ZodType>(data: T) {
  return z.strictObject({
    data,
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    errors: z.array(JaegerError).nullable(),
  });
}

/** A v1 answer: `data` and the envelope's other fields. */
export type JaegerEnvelope<T = unknown> = Omit<JaegerErrorEnvelope, "data"> & { data: T };

/** An error answer in the envelope: `data: null`, `errors[0].msg` says what is wrong. */
export const JaegerErrorEnvelope = jaegerEnvelope(z.null()).meta({ id: "JaegerErrorEnvelope" });
export type JaegerErrorEnvelope = z.infer<typeof JaegerErrorEnvelope>;

export const JaegerKeyValue = z.strictObject({
  key: z.string(),
  type: z.enum(["string", "bool", "int64", "float64", "binary"]),
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type JaegerKeyValue = z.infer<typeof JaegerKeyValue>;

export const JaegerReference = z.strictObject({
  refType: z.enum(["CHILD_OF", "FOLLOWS_FROM"]),
  traceID: z.string(),
  spanID: z.string(),
});
export type JaegerReference = z.infer<typeof JaegerReference>;

export const JaegerLog = z.strictObject({
  timestamp: z.number().int().meta({ description: "Unix microseconds." }),
  fields: z.array(JaegerKeyValue),
});
export type JaegerLog = z.infer<typeof JaegerLog>;

export const JaegerSpan = z.strictObject({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string(),
  references: z.array(JaegerReference),
  startTime: z.number().int().meta({ description: "Unix microseconds." }),
  duration: z.number().int().meta({ description: "Microseconds." }),
  tags: z.array(JaegerKeyValue),
  logs: z.array(JaegerLog),
  processID: z.string(),
  warnings: z.array(z.string()).nullable(),
});
export type JaegerSpan = z.infer<typeof JaegerSpan>;

export const JaegerProcess = z.strictObject({
  serviceName: z.string(),
  tags: z.array(JaegerKeyValue),
});
export type JaegerProcess = z.infer<typeof JaegerProcess>;

export const JaegerTrace = z
  .strictObject({
    traceID: z.string(),
    spans: z.array(JaegerSpan),
    processes: z.record(z.string(), JaegerProcess).meta({ description: "By id: p1, p2, …" }),
    warnings: z.array(z.string()).nullable(),
  })
  .meta({ id: "JaegerTrace" });
export type JaegerTrace = z.infer<typeof JaegerTrace>;

export const JaegerOperation = z.strictObject({
  name: z.string(),
  spanKind: z.string().meta({ description: "server, client, producer, consumer, internal or ''." }),
});

export const JaegerDependencyLink = z.strictObject({
  parent: z.string(),
  child: z.string(),
  callCount: z.number().int(),
});
export type JaegerDependencyLink = z.infer<typeof JaegerDependencyLink>;

export const JaegerServices = jaegerEnvelope(z.array(z.string())).meta({ id: "JaegerServices" });
export const JaegerOperationNames = jaegerEnvelope(z.array(z.string())).meta({
  id: "JaegerOperationNames",
});
export const JaegerOperations = jaegerEnvelope(z.array(JaegerOperation)).meta({
  id: "JaegerOperations",
});
export const JaegerTraces = jaegerEnvelope(z.array(JaegerTrace)).meta({ id: "JaegerTraces" });
export const JaegerDependencies = jaegerEnvelope(z.array(JaegerDependencyLink)).meta({
  id: "JaegerDependencies",
});

/** api_v3's error body (grpc-gateway style). */
export const JaegerV3Error = z
  .strictObject({ error: z.strictObject({ httpCode: z.number().int(), message: z.string() }) })
  .meta({ id: "JaegerV3Error" });

export const JaegerV3Services = z
  .strictObject({ services: z.array(z.string()) })
  .meta({ id: "JaegerV3Services" });

export const JaegerV3Operations = z
  .strictObject({ operations: z.array(JaegerOperation) })
  .meta({ id: "JaegerV3Operations" });

export const JaegerV3Traces = z
  .strictObject({ result: z.strictObject({ resourceSpans: z.array(OtlpResourceSpans) }) })
  .meta({ id: "JaegerV3Traces" });

const ServiceSummary = z.strictObject({
  name: z.string(),
  spanCount: z.number().int(),
  errorSpanCount: z.number().int(),
});

export const JaegerV3TraceSummaries = z
  .strictObject({
    summaries: z.array(
      z.strictObject({
        traceId: z.string(),
        rootServiceName: z
          .string()
          .meta({ description: "The earliest span without a parent; '' until it arrives." }),
        rootOperationName: z.string(),
        minStartTimeUnixNano: z.string().meta({ description: "Decimal nanoseconds." }),
        maxEndTimeUnixNano: z.string().meta({ description: "Decimal nanoseconds." }),
        spanCount: z.number().int(),
        errorSpanCount: z.number().int(),
        orphanSpanCount: z
          .number()
          .int()
          .meta({ description: "Spans whose parent is not in the trace." }),
        services: z.array(ServiceSummary),
      }),
    ),
  })
  .meta({ id: "JaegerV3TraceSummaries" });

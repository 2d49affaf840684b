import { z } from "zod";

/** OTLP/JSON (opentelemetry-proto's JSON mapping) pieces that answers carry. */

/** One attribute value: exactly one of the fields is set. */
export const OtlpAnyValue = z
  .strictObject({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z
      .union([z.string(), z.number()])
      .optional()
      .meta({ description: "64-bit: a decimal string." }),
    doubleValue: z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])]).optional(),
    // Getters let the schemas name each other (zod's way to describe a tree).
    get arrayValue(): z.ZodOptional<z.ZodObject<{ values: z.ZodArray<typeof OtlpAnyValue> }>> {
      return z.object({ values: z.array(OtlpAnyValue) }).optional();
    },
    get kvlistValue(): z.ZodOptional<z.ZodObject<{ values: z.ZodArray<typeof OtlpKeyValue> }>> {
      return z.object({ values: z.array(OtlpKeyValue) }).optional();
    },
    bytesValue: z.string().optional().meta({ description: "base64" }),
  })
  .meta({ id: "OtlpAnyValue" });

export const OtlpKeyValue = z
  .strictObject({ key: z.string(), value: OtlpAnyValue })
  .meta({ id: "OtlpKeyValue" });

/** A resource's spans: `resource`, `scopeSpans[].spans[]`, described only this far. */
export const OtlpResourceSpans = z
  .looseObject({ resource: z.looseObject({}).optional(), scopeSpans: z.array(z.looseObject({})) })
  .meta({ id: "OtlpResourceSpans" });

import type { AttributeValue, Attributes as OtelAttributes } from "@opentelemetry/api";
import type { Attributes, AttributeType } from "@runtrace/model";

/**
 * OTel JS attributes → stored values and types. JS has one number type; like the OTLP
 * exporters, an integral number is an int and any other a double.
 */
export function fromOtelAttributes(attributes: OtelAttributes | undefined): Attributes {
  const values: Record<string, string> = {};
  const types: Record<string, AttributeType> = {};
  if (attributes) {
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      addValue(values, types, key, value);
    }
  }
  return { values, types };
}

function addValue(
  values: Record<string, string>,
  types: Record<string, AttributeType>,
  key: string,
  value: AttributeValue,
): void {
  switch (typeof value) {
    case "string":
      values[key] = value;
      return;
    case "number":
      values[key] = String(value);
      types[key] = Number.isInteger(value) ? "int" : "double";
      return;
    case "boolean":
      values[key] = value ? "true" : "false";
      types[key] = "bool";
      return;
    default:
      values[key] = JSON.stringify(value);
      types[key] = "array";
  }
}

import {
  type Attributes,
  type AttributeType,
  EMPTY_ATTRIBUTES,
  type ResourceInput,
} from "@runtrace/model";
import { EMPTY_RESOURCE, MAX_NESTING, resourceInput, type Scope } from "./any-value.ts";
import { AttributesBuilder } from "./attributes.ts";
import {
  array,
  base64,
  bool,
  double,
  element,
  int64,
  invalid,
  type JsonObject,
  nest,
  object,
  string,
  uint32,
} from "./json-fields.ts";

/*
 * OTLP/JSON AnyValue: {stringValue | boolValue | intValue | doubleValue | arrayValue{values} |
 * kvlistValue{values} | bytesValue}. Values become the same text as on the protobuf path
 * (any-value.ts), so both encodings of one request decode to equal rows. Should a value set
 * more than one of them, the first in that order wins.
 */

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The type of the value `anyValueText` last returned (undefined for a string). */
let lastType: AttributeType | undefined;

function anyValueText(v: JsonObject): string {
  let text = "";
  let type: AttributeType | undefined;
  if (isSet(v.stringValue)) text = string(v, "stringValue");
  else if (isSet(v.boolValue)) {
    text = bool(v, "boolValue") ? "true" : "false";
    type = "bool";
  } else if (isSet(v.intValue)) {
    text = String(int64(v, "intValue"));
    type = "int";
  } else if (isSet(v.doubleValue)) {
    text = String(double(v, "doubleValue"));
    type = "double";
  } else if (isSet(v.arrayValue)) {
    text = arrayJson(v, 1);
    type = "array";
  } else if (isSet(v.kvlistValue)) {
    text = kvlistJson(v, 1);
    type = "kvlist";
  } else if (isSet(v.bytesValue)) {
    text = base64(v, "bytesValue");
    type = "bytes";
  }
  lastType = type;
  return text;
}

/** An AnyValue inside an array or map, as JSON (rules as in any-value.ts `anyValueJson`). */
function anyValueJson(v: JsonObject, depth: number): string {
  if (isSet(v.stringValue)) return JSON.stringify(string(v, "stringValue"));
  if (isSet(v.boolValue)) return bool(v, "boolValue") ? "true" : "false";
  if (isSet(v.intValue)) {
    const value = int64(v, "intValue");
    return typeof value === "number" ? String(value) : `"${value}"`;
  }
  if (isSet(v.doubleValue)) {
    const value = double(v, "doubleValue") as number;
    return Number.isFinite(value) ? String(value) : `"${value}"`;
  }
  if (isSet(v.arrayValue)) return arrayJson(v, depth + 1);
  if (isSet(v.kvlistValue)) return kvlistJson(v, depth + 1);
  if (isSet(v.bytesValue)) return `"${base64(v, "bytesValue")}"`;
  return "null";
}

function tooDeep(key: string): Error {
  return invalid(key, `arrays and maps nested more than ${MAX_NESTING} levels deep`);
}

/** `v.arrayValue` (an ArrayValue{values}) as a JSON array. */
function arrayJson(v: JsonObject, depth: number): string {
  if (depth > MAX_NESTING) throw tooDeep("arrayValue");
  const arrayValue = object(v, "arrayValue") as JsonObject;
  let json = "[";
  try {
    const values = array(arrayValue, "values");
    for (let i = 0; i < values.length; i++) {
      try {
        if (i > 0) json += ",";
        json += anyValueJson(element(values[i]), depth);
      } catch (error) {
        throw nest(error, "values", i);
      }
    }
  } catch (error) {
    throw nest(error, "arrayValue");
  }
  return `${json}]`;
}

/** `v.kvlistValue` (a KeyValueList{values}) as a JSON object, keys in the given order. */
function kvlistJson(v: JsonObject, depth: number): string {
  if (depth > MAX_NESTING) throw tooDeep("kvlistValue");
  const kvlist = object(v, "kvlistValue") as JsonObject;
  let json = "{";
  try {
    const values = array(kvlist, "values");
    for (let i = 0; i < values.length; i++) {
      try {
        const kv = element(values[i]);
        const key = string(kv, "key");
        let value = "null";
        const any = object(kv, "value");
        if (any) {
          try {
            value = anyValueJson(any, depth);
          } catch (error) {
            throw nest(error, "value");
          }
        }
        if (i > 0) json += ",";
        json += `${JSON.stringify(key)}:${value}`;
      } catch (error) {
        throw nest(error, "values", i);
      }
    }
  } catch (error) {
    throw nest(error, "kvlistValue");
  }
  return `${json}}`;
}

/** A repeated KeyValue field (`o[key]`) as the row model's attributes. */
export function attributes(o: JsonObject, key: string): Attributes {
  const list = array(o, key);
  if (list.length === 0) return EMPTY_ATTRIBUTES;
  const builder = new AttributesBuilder();
  for (let i = 0; i < list.length; i++) {
    try {
      const kv = element(list[i]);
      const name = string(kv, "key");
      const any = object(kv, "value");
      let text = "";
      if (any) {
        try {
          text = anyValueText(any);
        } catch (error) {
          throw nest(error, "value");
        }
      }
      builder.set(name, text, any ? lastType : undefined);
    } catch (error) {
      throw nest(error, key, i);
    }
  }
  return builder.build();
}

/** An InstrumentationScope object, or the empty scope when absent. */
export function scope(o: JsonObject): Scope {
  const s = object(o, "scope");
  if (!s) return { name: "", version: "", attributes: EMPTY_ATTRIBUTES, droppedAttributesCount: 0 };
  try {
    return {
      name: string(s, "name"),
      version: string(s, "version"),
      attributes: attributes(s, "attributes"),
      droppedAttributesCount: uint32(s, "droppedAttributesCount"),
    };
  } catch (error) {
    throw nest(error, "scope");
  }
}

/** A Resource object ({attributes, droppedAttributesCount}) in row form. */
export function resource(o: JsonObject): ResourceInput {
  const r = object(o, "resource");
  if (!r) return EMPTY_RESOURCE;
  try {
    uint32(r, "droppedAttributesCount");
    return resourceInput(attributes(r, "attributes"));
  } catch (error) {
    throw nest(error, "resource");
  }
}

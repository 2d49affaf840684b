import {
  type Attributes,
  type AttributeType,
  EMPTY_ATTRIBUTES,
  type ResourceInput,
} from "@runtrace/model";
import { AttributesBuilder } from "./attributes.ts";
import type { WireReader } from "./wire-reader.ts";

/*
 * common/v1: AnyValue{string_value 1, bool_value 2, int_value 3, double_value 4,
 * array_value 5, kvlist_value 6, bytes_value 7}, ArrayValue{values 1},
 * KeyValueList{values 1}, KeyValue{key 1, value 2}. AnyValue's string_value_strindex (8) and
 * KeyValue's key_strindex (3) are profiling-only and skipped, as common.proto asks.
 */

/**
 * How deep arrays and maps may nest. The JSON text is built recursively, so without a limit a
 * small hostile body (2 bytes per level) could overflow the stack; protobuf's own parsers stop
 * at 100 levels.
 */
export const MAX_NESTING = 100;

/** The type of the value `anyValueText` last returned; undefined for a string (or no value). */
let lastType: AttributeType | undefined;

/**
 * An AnyValue (reader inside it) as the row model's text: ints in exact decimal, doubles via
 * `String`, bools `true`/`false`, bytes base64, arrays and maps as JSON. The type goes to
 * `lastType` rather than into a returned pair, to allocate nothing per attribute. An empty
 * AnyValue (no field set) is "", like the collector exporter's `AsString()`.
 */
function anyValueText(r: WireReader): string {
  let text = "";
  let type: AttributeType | undefined;
  while (r.pos < r.end) {
    switch (r.tag("AnyValue")) {
      case 1:
        text = r.string();
        type = undefined;
        break;
      case 2:
        text = r.bool() ? "true" : "false";
        type = "bool";
        break;
      case 3:
        text = String(r.int64());
        type = "int";
        break;
      case 4:
        text = String(r.double());
        type = "double";
        break;
      case 5: {
        const outer = r.enter();
        text = arrayJson(r, 1);
        r.leave(outer);
        type = "array";
        break;
      }
      case 6: {
        const outer = r.enter();
        text = kvlistJson(r, 1);
        r.leave(outer);
        type = "kvlist";
        break;
      }
      case 7:
        text = r.base64();
        type = "bytes";
        break;
      default:
        r.skip();
    }
  }
  lastType = type;
  return text;
}

/**
 * An AnyValue inside an array or map, as JSON: ints as numbers while exact, else as decimal
 * strings; non-finite doubles as the strings "NaN"/"Infinity"/"-Infinity" (OTLP/JSON's
 * spelling, where JSON.stringify would say null); bytes as base64 strings; no value as null.
 */
function anyValueJson(r: WireReader, depth: number): string {
  let json = "null";
  while (r.pos < r.end) {
    switch (r.tag("AnyValue")) {
      case 1:
        json = JSON.stringify(r.string());
        break;
      case 2:
        json = r.bool() ? "true" : "false";
        break;
      case 3: {
        const value = r.int64();
        json = typeof value === "number" ? String(value) : `"${value}"`;
        break;
      }
      case 4: {
        const value = r.double();
        json = Number.isFinite(value) ? String(value) : `"${value}"`;
        break;
      }
      case 5: {
        const outer = r.enter();
        json = arrayJson(r, depth + 1);
        r.leave(outer);
        break;
      }
      case 6: {
        const outer = r.enter();
        json = kvlistJson(r, depth + 1);
        r.leave(outer);
        break;
      }
      case 7:
        json = `"${r.base64()}"`;
        break;
      default:
        r.skip();
    }
  }
  return json;
}

function tooDeep(r: WireReader): never {
  return r.fail(`arrays and maps nested more than ${MAX_NESTING} levels deep`);
}

function arrayJson(r: WireReader, depth: number): string {
  if (depth > MAX_NESTING) tooDeep(r);
  let json = "[";
  while (r.pos < r.end) {
    if (r.tag("ArrayValue") === 1) {
      const outer = r.enter();
      if (json.length > 1) json += ",";
      json += anyValueJson(r, depth);
      r.leave(outer);
    } else r.skip();
  }
  return `${json}]`;
}

/** A KeyValueList as a JSON object, keys in wire order (a JS object would reorder "1", "2"). */
function kvlistJson(r: WireReader, depth: number): string {
  if (depth > MAX_NESTING) tooDeep(r);
  let json = "{";
  while (r.pos < r.end) {
    if (r.tag("KeyValueList") === 1) {
      const outer = r.enter();
      let key = "";
      let value = "null";
      while (r.pos < r.end) {
        const field = r.tag("KeyValue");
        if (field === 1) key = r.string();
        else if (field === 2) {
          const inner = r.enter();
          value = anyValueJson(r, depth);
          r.leave(inner);
        } else r.skip();
      }
      r.leave(outer);
      if (json.length > 1) json += ",";
      json += `${JSON.stringify(key)}:${value}`;
    } else r.skip();
  }
  return `${json}}`;
}

/**
 * Reads one KeyValue (reader on the tag of a repeated KeyValue field) into `builder`,
 * creating the builder on the first attribute; returns it.
 */
export function readKeyValue(
  r: WireReader,
  builder: AttributesBuilder | undefined,
): AttributesBuilder {
  const outer = r.enter();
  let key = "";
  let text = "";
  let type: AttributeType | undefined;
  while (r.pos < r.end) {
    const field = r.tag("KeyValue");
    if (field === 1) key = r.string();
    else if (field === 2) {
      const inner = r.enter();
      text = anyValueText(r);
      type = lastType;
      r.leave(inner);
    } else r.skip();
  }
  r.leave(outer);
  const b = builder ?? new AttributesBuilder();
  b.set(key, text, type);
  return b;
}

/** The attributes collected by `readKeyValue`, sharing one frozen empty set when none. */
export function builtAttributes(builder: AttributesBuilder | undefined): Attributes {
  return builder ? builder.build() : EMPTY_ATTRIBUTES;
}

/** The resource of a ResourceSpans/ResourceMetrics that has none. */
export const EMPTY_RESOURCE: ResourceInput = Object.freeze({
  serviceName: "",
  attributes: EMPTY_ATTRIBUTES,
});

/** A resource's row form: `service.name` is lifted out, as the in-process exporters do. */
export function resourceInput(attributes: Attributes): ResourceInput {
  return { serviceName: attributes.values["service.name"] ?? "", attributes };
}

/** Resource{attributes 1, dropped_attributes_count 2, entity_refs 3}: attributes only. */
export function readResource(r: WireReader): ResourceInput {
  const outer = r.enter();
  let attributes: AttributesBuilder | undefined;
  while (r.pos < r.end) {
    const field = r.tag("Resource");
    if (field === 1) attributes = readKeyValue(r, attributes);
    else if (field === 2) r.uint32();
    else r.skip();
  }
  r.leave(outer);
  return resourceInput(builtAttributes(attributes));
}

export interface Scope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

/** InstrumentationScope{name 1, version 2, attributes 3, dropped_attributes_count 4}. */
export function readScope(r: WireReader): Scope {
  const outer = r.enter();
  let name = "";
  let version = "";
  let attributes: AttributesBuilder | undefined;
  let droppedAttributesCount = 0;
  while (r.pos < r.end) {
    switch (r.tag("InstrumentationScope")) {
      case 1:
        name = r.string();
        break;
      case 2:
        version = r.string();
        break;
      case 3:
        attributes = readKeyValue(r, attributes);
        break;
      case 4:
        droppedAttributesCount = r.uint32();
        break;
      default:
        r.skip();
    }
  }
  r.leave(outer);
  return { name, version, attributes: builtAttributes(attributes), droppedAttributesCount };
}

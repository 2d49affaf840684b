import { mapSize, NativeBuffer, writeMaps, writeStringArrays } from "./native.ts";
import type { Attributes, ResourceInput, SpanInput } from "./span-input.ts";
import { OTEL_TRACES_COLUMNS } from "./tables.ts";

const STRING = "String";
const MAP = "Map(String, String)";
const MAPS = "Array(Map(String, String))";
const STRINGS = "Array(String)";

/** A resource's two maps, encoded once: every span of a batch usually shares a few resources. */
interface EncodedResource {
  size: number;
  keys: Buffer;
  values: Buffer;
  typeSize: number;
  typeKeys: Buffer;
  typeValues: Buffer;
}

const encodedResources = new WeakMap<ResourceInput, EncodedResource>();

function encodeStrings(map: Readonly<Record<string, string>>, part: "keys" | "values"): Buffer {
  const out = new NativeBuffer(1_024);
  for (const key in map) out.string(part === "keys" ? key : map[key]!);
  return Buffer.from(out.finish());
}

function encodedResource(resource: ResourceInput): EncodedResource {
  let e = encodedResources.get(resource);
  if (e === undefined) {
    const { values, types } = resource.attributes;
    e = {
      size: mapSize(values),
      keys: encodeStrings(values, "keys"),
      values: encodeStrings(values, "values"),
      typeSize: mapSize(types),
      typeKeys: encodeStrings(types, "keys"),
      typeValues: encodeStrings(types, "values"),
    };
    encodedResources.set(resource, e);
  }
  return e;
}

function writeResourceMaps(out: NativeBuffer, spans: readonly SpanInput[], types: boolean): void {
  out.offsets(spans, (s) => {
    const e = encodedResource(s.resource);
    return types ? e.typeSize : e.size;
  });
  for (const s of spans) {
    const e = encodedResource(s.resource);
    out.bytes(types ? e.typeKeys : e.keys);
  }
  for (const s of spans) {
    const e = encodedResource(s.resource);
    out.bytes(types ? e.typeValues : e.values);
  }
}

/** An `Array(Map(String, String))` column: per span, one map per event or link. */
function writeNestedMaps<T extends { attributes: Attributes }>(
  out: NativeBuffer,
  spans: readonly SpanInput[],
  items: (s: SpanInput) => readonly T[],
  map: (a: Attributes) => Readonly<Record<string, string>>,
): void {
  out.offsets(spans, (s) => items(s).length);
  let end = 0;
  for (const s of spans) {
    for (const item of items(s)) {
      end += mapSize(map(item.attributes));
      out.uint64Number(end);
    }
  }
  for (const s of spans)
    for (const item of items(s)) for (const k in map(item.attributes)) out.string(k);
  for (const s of spans) {
    for (const item of items(s)) {
      const m = map(item.attributes);
      for (const k in m) out.string(m[k]!);
    }
  }
}

const values = (a: Attributes) => a.values;
const types = (a: Attributes) => a.types as Readonly<Record<string, string>>;
const events = (s: SpanInput) => s.events;
const links = (s: SpanInput) => s.links;

/**
 * The `otel_traces` rows of these spans as one Native block, with the same values
 * `otelTracesLine` writes as TabSeparated (columns in {@link OTEL_TRACES_COLUMNS} order).
 */
export function otelTracesNative(spans: readonly SpanInput[]): Buffer {
  const out = new NativeBuffer(Math.max(1 << 16, spans.length * 2_048));
  out.varUInt(OTEL_TRACES_COLUMNS.length);
  out.varUInt(spans.length);
  const strings = (name: string, value: (s: SpanInput) => string) => {
    out.column(name, STRING);
    for (const s of spans) out.string(value(s));
  };
  out.column("Timestamp", "DateTime64(9)");
  for (const s of spans) out.int64(s.startNs);
  strings("TraceId", (s) => s.traceId);
  strings("SpanId", (s) => s.spanId);
  strings("ParentSpanId", (s) => s.parentSpanId);
  strings("TraceState", (s) => s.traceState);
  strings("SpanName", (s) => s.name);
  strings("SpanKind", (s) => s.kind);
  strings("ServiceName", (s) => s.resource.serviceName);
  out.column("ResourceAttributes", MAP);
  writeResourceMaps(out, spans, false);
  out.column("ResourceAttributeTypes", MAP);
  writeResourceMaps(out, spans, true);
  strings("ScopeName", (s) => s.scope.name);
  strings("ScopeVersion", (s) => s.scope.version);
  out.column("SpanAttributes", MAP);
  writeMaps(out, spans, (s) => s.attributes.values);
  out.column("SpanAttributeTypes", MAP);
  writeMaps(out, spans, (s) => types(s.attributes));
  out.column("Duration", "UInt64");
  for (const s of spans) out.uint64(s.endNs > s.startNs ? s.endNs - s.startNs : 0n);
  strings("StatusCode", (s) => s.statusCode);
  strings("StatusMessage", (s) => s.statusMessage);
  out.column("Events.Timestamp", "Array(DateTime64(9))");
  out.offsets(spans, (s) => s.events.length);
  for (const s of spans) for (const e of s.events) out.int64(e.timeNs);
  out.column("Events.Name", STRINGS);
  writeStringArrays(out, spans, (s) => s.events.map((e) => e.name));
  out.column("Events.Attributes", MAPS);
  writeNestedMaps(out, spans, events, values);
  out.column("EventAttributeTypes", MAPS);
  writeNestedMaps(out, spans, events, types);
  out.column("Links.TraceId", STRINGS);
  writeStringArrays(out, spans, (s) => s.links.map((l) => l.traceId));
  out.column("Links.SpanId", STRINGS);
  writeStringArrays(out, spans, (s) => s.links.map((l) => l.spanId));
  out.column("Links.TraceState", STRINGS);
  writeStringArrays(out, spans, (s) => s.links.map((l) => l.traceState));
  out.column("Links.Attributes", MAPS);
  writeNestedMaps(out, spans, links, values);
  out.column("LinkAttributeTypes", MAPS);
  writeNestedMaps(out, spans, links, types);
  return out.finish();
}

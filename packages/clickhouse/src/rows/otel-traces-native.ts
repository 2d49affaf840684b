import type { Attributes, ResourceInput, SpanInput } from "@runtrace/model";
import { mapSize, NativeBuffer, writeMaps, writeStringArrays } from "./native.ts";
import { OTEL_TRACES_COLUMNS } from "./tables.ts";

const STRING = "String";
const MAP = "Map(String, String)";
const MAPS = "Array(Map(String, String))";
const STRINGS = "Array(String)";

/** A map's entry count, keys and values, encoded once. */
interface EncodedMap {
  size: number;
  keys: Buffer;
  values: Buffer;
}

/** A resource's two maps: every span of a batch usually shares one of a few resources. */
const encodedResources = new WeakMap<ResourceInput, { values: EncodedMap; types: EncodedMap }>();

function encodeMap(map: Readonly<Record<string, string>>): EncodedMap {
  const keys = new NativeBuffer(1_024);
  const values = new NativeBuffer(1_024);
  let size = 0;
  for (const key in map) {
    size++;
    keys.string(key);
    values.string(map[key]!);
  }
  return { size, keys: Buffer.from(keys.finish()), values: Buffer.from(values.finish()) };
}

function encodedResource(resource: ResourceInput): { values: EncodedMap; types: EncodedMap } {
  let e = encodedResources.get(resource);
  if (e === undefined) {
    e = {
      values: encodeMap(resource.attributes.values),
      types: encodeMap(resource.attributes.types),
    };
    encodedResources.set(resource, e);
  }
  return e;
}

/** A `Map(String, String)` column from maps encoded before. */
function writeEncodedMaps(out: NativeBuffer, maps: readonly EncodedMap[]): void {
  out.offsets(maps, (m) => m.size);
  for (const m of maps) out.bytes(m.keys);
  for (const m of maps) out.bytes(m.values);
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
  const resources = spans.map((s) => encodedResource(s.resource));
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
  writeEncodedMaps(
    out,
    resources.map((r) => r.values),
  );
  out.column("ResourceAttributeTypes", MAP);
  writeEncodedMaps(
    out,
    resources.map((r) => r.types),
  );
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

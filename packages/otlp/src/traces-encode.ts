import { WireWriter } from "./wire-writer.ts";

/**
 * OTLP trace data in the protobuf JSON mapping (camelCase names, ids as hex, 64-bit integers
 * as decimal strings, enums as numbers): what the read APIs build once and then send as
 * JSON or, through `encodeTracesData`, as protobuf.
 */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  /** proto3 JSON spells the non-finite doubles as strings. */
  doubleValue?: number | "NaN" | "Infinity" | "-Infinity";
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  /** base64 */
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events: { timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }[];
  links: { traceId: string; spanId: string; traceState?: string; attributes: OtlpKeyValue[] }[];
  status: { code: number; message?: string };
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
}

export interface OtlpTracesData {
  resourceSpans: OtlpResourceSpans[];
}

/**
 * `TracesData` as protobuf bytes (field numbers of opentelemetry-proto trace/v1). Written by
 * hand so the read path needs no schema at run time; tests decode it with protobufjs.
 */
export function encodeTracesData(data: OtlpTracesData): Uint8Array {
  const w = new WireWriter();
  writeTracesData(w, data);
  return w.finish();
}

/** Writes the fields of `TracesData` (field 1: repeated ResourceSpans) into the writer. */
export function writeTracesData(w: WireWriter, data: OtlpTracesData): void {
  for (const rs of data.resourceSpans) {
    w.message(1, () => {
      w.message(1, () => keyValues(w, 1, rs.resource.attributes));
      for (const ss of rs.scopeSpans) {
        w.message(2, () => {
          w.message(1, () => {
            w.string(1, ss.scope.name);
            w.string(2, ss.scope.version ?? "");
          });
          for (const span of ss.spans) w.message(2, () => writeSpan(w, span));
        });
      }
    });
  }
}

function writeSpan(w: WireWriter, s: OtlpSpan): void {
  w.bytes(1, hex(s.traceId));
  w.bytes(2, hex(s.spanId));
  w.string(3, s.traceState ?? "");
  w.bytes(4, hex(s.parentSpanId ?? ""));
  w.string(5, s.name);
  w.uint(6, s.kind);
  w.fixed64(7, BigInt(s.startTimeUnixNano));
  w.fixed64(8, BigInt(s.endTimeUnixNano));
  keyValues(w, 9, s.attributes);
  w.uint(10, s.droppedAttributesCount ?? 0);
  for (const e of s.events) {
    w.message(11, () => {
      w.fixed64(1, BigInt(e.timeUnixNano));
      w.string(2, e.name);
      keyValues(w, 3, e.attributes);
    });
  }
  for (const l of s.links) {
    w.message(13, () => {
      w.bytes(1, hex(l.traceId));
      w.bytes(2, hex(l.spanId));
      w.string(3, l.traceState ?? "");
      keyValues(w, 4, l.attributes);
    });
  }
  w.message(15, () => {
    w.string(2, s.status.message ?? "");
    w.uint(3, s.status.code);
  });
  w.fixed32(16, s.flags ?? 0);
}

function keyValues(w: WireWriter, field: number, list: readonly OtlpKeyValue[]): void {
  for (const kv of list) {
    w.message(field, () => {
      w.string(1, kv.key);
      w.message(2, () => anyValue(w, kv.value));
    });
  }
}

/** One `AnyValue`: its oneof member is written even when it holds the zero value. */
function anyValue(w: WireWriter, v: OtlpAnyValue): void {
  if (v.stringValue !== undefined) w.string(1, v.stringValue, true);
  else if (v.boolValue !== undefined) w.uint(2, v.boolValue, true);
  else if (v.intValue !== undefined) w.uint(3, BigInt(v.intValue), true);
  else if (v.doubleValue !== undefined) w.double(4, Number(v.doubleValue), true);
  else if (v.arrayValue !== undefined) {
    const values = v.arrayValue.values;
    w.message(5, () => {
      for (const item of values) w.message(1, () => anyValue(w, item));
    });
  } else if (v.kvlistValue !== undefined) {
    const values = v.kvlistValue.values;
    w.message(6, () => keyValues(w, 1, values));
  } else if (v.bytesValue !== undefined) w.bytes(7, Buffer.from(v.bytesValue, "base64"), true);
}

function hex(id: string): Uint8Array {
  return Buffer.from(id, "hex");
}

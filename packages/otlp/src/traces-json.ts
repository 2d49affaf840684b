import {
  type EventInput,
  type LinkInput,
  type ResourceInput,
  type ScopeInput,
  SPAN_KIND_NAMES,
  type SpanInput,
  STATUS_CODE_NAMES,
} from "@runtrace/model";
import { attributes, resource, scope } from "./any-value-json.ts";
import {
  array,
  decodeJsonBody,
  element,
  enumValue,
  hexId,
  type JsonObject,
  nest,
  object,
  string,
  uint32,
  uint64,
} from "./json-fields.ts";

/** An OTLP/JSON ExportTraceServiceRequest → spans, in document order. */
export function decodeTracesJson(body: Uint8Array | string): SpanInput[] {
  return decodeJsonBody(body, (root) => {
    const spans: SpanInput[] = [];
    const resourceSpans = array(root, "resourceSpans");
    for (let i = 0; i < resourceSpans.length; i++) {
      try {
        readResourceSpans(element(resourceSpans[i]), spans);
      } catch (error) {
        throw nest(error, "resourceSpans", i);
      }
    }
    return spans;
  });
}

function readResourceSpans(o: JsonObject, out: SpanInput[]): void {
  const res = resource(o);
  string(o, "schemaUrl");
  const scopeSpans = array(o, "scopeSpans");
  for (let i = 0; i < scopeSpans.length; i++) {
    try {
      const ss = element(scopeSpans[i]);
      const { name, version } = scope(ss);
      string(ss, "schemaUrl");
      const sc: ScopeInput = { name, version };
      const spans = array(ss, "spans");
      for (let j = 0; j < spans.length; j++) {
        try {
          out.push(readSpan(element(spans[j]), res, sc));
        } catch (error) {
          throw nest(error, "spans", j);
        }
      }
    } catch (error) {
      throw nest(error, "scopeSpans", i);
    }
  }
}

function readSpan(o: JsonObject, res: ResourceInput, sc: ScopeInput): SpanInput {
  const status = object(o, "status");
  let statusCode = 0;
  let statusMessage = "";
  if (status) {
    try {
      statusMessage = string(status, "message");
      statusCode = enumValue(status, "code", STATUS_CODE_NAMES);
    } catch (error) {
      throw nest(error, "status");
    }
  }
  // Known fields without a column are still type-checked, as on the protobuf path.
  uint32(o, "droppedAttributesCount");
  uint32(o, "droppedEventsCount");
  uint32(o, "droppedLinksCount");
  uint32(o, "flags");
  return {
    traceId: hexId(o, "traceId"),
    spanId: hexId(o, "spanId"),
    parentSpanId: hexId(o, "parentSpanId"),
    traceState: string(o, "traceState"),
    name: string(o, "name"),
    kind: SPAN_KIND_NAMES[enumValue(o, "kind", SPAN_KIND_NAMES)] ?? "SPAN_KIND_UNSPECIFIED",
    startNs: uint64(o, "startTimeUnixNano"),
    endNs: uint64(o, "endTimeUnixNano"),
    attributes: attributes(o, "attributes"),
    statusCode: STATUS_CODE_NAMES[statusCode] ?? "STATUS_CODE_UNSET",
    statusMessage,
    events: events(o),
    links: links(o),
    resource: res,
    scope: sc,
  };
}

const NO_EVENTS: readonly EventInput[] = Object.freeze([]);
const NO_LINKS: readonly LinkInput[] = Object.freeze([]);

function events(o: JsonObject): readonly EventInput[] {
  const list = array(o, "events");
  if (list.length === 0) return NO_EVENTS;
  const out: EventInput[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      const e = element(list[i]);
      uint32(e, "droppedAttributesCount");
      out.push({
        timeNs: uint64(e, "timeUnixNano"),
        name: string(e, "name"),
        attributes: attributes(e, "attributes"),
      });
    } catch (error) {
      throw nest(error, "events", i);
    }
  }
  return out;
}

function links(o: JsonObject): readonly LinkInput[] {
  const list = array(o, "links");
  if (list.length === 0) return NO_LINKS;
  const out: LinkInput[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      const l = element(list[i]);
      uint32(l, "droppedAttributesCount");
      uint32(l, "flags");
      out.push({
        traceId: hexId(l, "traceId"),
        spanId: hexId(l, "spanId"),
        traceState: string(l, "traceState"),
        attributes: attributes(l, "attributes"),
      });
    } catch (error) {
      throw nest(error, "links", i);
    }
  }
  return out;
}

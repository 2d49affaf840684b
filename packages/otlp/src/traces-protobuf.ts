import {
  type EventInput,
  type LinkInput,
  type ResourceInput,
  type ScopeInput,
  SPAN_KIND_NAMES,
  type SpanInput,
  STATUS_CODE_NAMES,
  type StatusCodeName,
} from "@runtrace/model";
import {
  builtAttributes,
  EMPTY_RESOURCE,
  readKeyValue,
  readResource,
  readScope,
} from "./any-value.ts";
import type { AttributesBuilder } from "./attributes.ts";
import { WireReader } from "./wire-reader.ts";

/*
 * trace/v1 (opentelemetry-proto): ExportTraceServiceRequest{resource_spans 1},
 * ResourceSpans{resource 1, scope_spans 2, schema_url 3}, ScopeSpans{scope 1, spans 2,
 * schema_url 3}, Span{trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6,
 * start_time_unix_nano 7, end_time_unix_nano 8, attributes 9, dropped_attributes_count 10,
 * events 11, dropped_events_count 12, links 13, dropped_links_count 14, status 15, flags 16},
 * Span.Event{time_unix_nano 1, name 2, attributes 3, dropped_attributes_count 4},
 * Span.Link{trace_id 1, span_id 2, trace_state 3, attributes 4, dropped_attributes_count 5,
 * flags 6}, Status{message 2, code 3} (field 1 was the deprecated code).
 * Dropped counts and flags have no column in the row model and are skipped.
 */

const NO_EVENTS: readonly EventInput[] = Object.freeze([]);
const NO_LINKS: readonly LinkInput[] = Object.freeze([]);
const NO_SCOPE: ScopeInput = Object.freeze({ name: "", version: "" });

/** An ExportTraceServiceRequest (or TracesData: same field 1) → spans, in wire order. */
export function decodeTracesProtobuf(body: Uint8Array): SpanInput[] {
  const r = new WireReader(body, "ExportTraceServiceRequest");
  const spans: SpanInput[] = [];
  while (r.pos < r.end) {
    if (r.tag("ExportTraceServiceRequest") === 1) {
      const outer = r.enter();
      readResourceSpans(r, spans);
      r.leave(outer);
    } else r.skip();
  }
  return spans;
}

/**
 * Two passes over the message: the resource first, then the spans, so every span is built
 * complete with the one shared resource object even when an encoder writes the resource after
 * the spans (fields may come in any order). Skipping a sub-message is O(1).
 */
function readResourceSpans(r: WireReader, out: SpanInput[]): void {
  const start = r.pos;
  let resource = EMPTY_RESOURCE;
  while (r.pos < r.end) {
    const field = r.tag("ResourceSpans");
    if (field === 1) resource = readResource(r);
    else if (field === 2 || field === 3) r.skipLen();
    else r.skip();
  }
  r.pos = start;
  while (r.pos < r.end) {
    if (r.tag("ResourceSpans") === 2) {
      const outer = r.enter();
      readScopeSpans(r, resource, out);
      r.leave(outer);
    } else r.skip();
  }
}

function readScopeSpans(r: WireReader, resource: ResourceInput, out: SpanInput[]): void {
  const start = r.pos;
  let scope = NO_SCOPE;
  while (r.pos < r.end) {
    const field = r.tag("ScopeSpans");
    if (field === 1) {
      const { name, version } = readScope(r);
      scope = { name, version };
    } else if (field === 2 || field === 3) r.skipLen();
    else r.skip();
  }
  r.pos = start;
  while (r.pos < r.end) {
    if (r.tag("ScopeSpans") === 2) out.push(readSpan(r, resource, scope));
    else r.skip();
  }
}

function readSpan(r: WireReader, resource: ResourceInput, scope: ScopeInput): SpanInput {
  const outer = r.enter();
  let traceId = "";
  let spanId = "";
  let parentSpanId = "";
  let traceState = "";
  let name = "";
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  let attributes: AttributesBuilder | undefined;
  let events: EventInput[] | undefined;
  let links: LinkInput[] | undefined;
  let statusCode: StatusCodeName = "STATUS_CODE_UNSET";
  let statusMessage = "";
  while (r.pos < r.end) {
    switch (r.tag("Span")) {
      case 1:
        traceId = r.hex();
        break;
      case 2:
        spanId = r.hex();
        break;
      case 3:
        traceState = r.string();
        break;
      case 4:
        parentSpanId = r.hex();
        break;
      case 5:
        name = r.string();
        break;
      case 6:
        kind = r.int32();
        break;
      case 7:
        startNs = r.fixed64Big();
        break;
      case 8:
        endNs = r.fixed64Big();
        break;
      case 9:
        attributes = readKeyValue(r, attributes);
        break;
      case 11:
        if (events === undefined) events = [readEvent(r)];
        else events.push(readEvent(r));
        break;
      case 13:
        if (links === undefined) links = [readLink(r)];
        else links.push(readLink(r));
        break;
      case 15: {
        const inner = r.enter();
        // A repeated status field merges, as protobuf does: unset fields keep earlier values.
        while (r.pos < r.end) {
          const field = r.tag("Status");
          if (field === 2) statusMessage = r.string();
          else if (field === 3) statusCode = STATUS_CODE_NAMES[r.int32()] ?? "STATUS_CODE_UNSET";
          else r.skip();
        }
        r.leave(inner);
        break;
      }
      // Known fields without a column: read (not skipped) so a wrong wire type is reported.
      case 10:
      case 12:
      case 14:
        r.uint32();
        break;
      case 16:
        r.fixed32();
        break;
      default:
        r.skip();
    }
  }
  r.leave(outer);
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState,
    name,
    kind: SPAN_KIND_NAMES[kind] ?? "SPAN_KIND_UNSPECIFIED",
    startNs,
    endNs,
    attributes: builtAttributes(attributes),
    statusCode,
    statusMessage,
    events: events ?? NO_EVENTS,
    links: links ?? NO_LINKS,
    resource,
    scope,
  };
}

function readEvent(r: WireReader): EventInput {
  const outer = r.enter();
  let timeNs = 0n;
  let name = "";
  let attributes: AttributesBuilder | undefined;
  while (r.pos < r.end) {
    switch (r.tag("Span.Event")) {
      case 1:
        timeNs = r.fixed64Big();
        break;
      case 2:
        name = r.string();
        break;
      case 3:
        attributes = readKeyValue(r, attributes);
        break;
      case 4:
        r.uint32();
        break;
      default:
        r.skip();
    }
  }
  r.leave(outer);
  return { timeNs, name, attributes: builtAttributes(attributes) };
}

function readLink(r: WireReader): LinkInput {
  const outer = r.enter();
  let traceId = "";
  let spanId = "";
  let traceState = "";
  let attributes: AttributesBuilder | undefined;
  while (r.pos < r.end) {
    switch (r.tag("Span.Link")) {
      case 1:
        traceId = r.hex();
        break;
      case 2:
        spanId = r.hex();
        break;
      case 3:
        traceState = r.string();
        break;
      case 4:
        attributes = readKeyValue(r, attributes);
        break;
      case 5:
        r.uint32();
        break;
      case 6:
        r.fixed32();
        break;
      default:
        r.skip();
    }
  }
  r.leave(outer);
  return { traceId, spanId, traceState, attributes: builtAttributes(attributes) };
}

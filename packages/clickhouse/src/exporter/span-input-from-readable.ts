import type { HrTime, Link, SpanKind } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";
import {
  type EventInput,
  type LinkInput,
  type ResourceInput,
  SPAN_KIND_NAMES,
  type SpanInput,
  STATUS_CODE_NAMES,
} from "@runtrace/model";
import { fromOtelAttributes } from "./attributes.ts";

const NS_PER_S = 1_000_000_000n;

function hrTimeToNs(time: HrTime): bigint {
  return BigInt(time[0]) * NS_PER_S + BigInt(time[1]);
}

// The SDK passes the same Resource object for every span of a provider: convert it once.
const resources = new WeakMap<Resource, ResourceInput>();

function resourceInput(resource: Resource): ResourceInput {
  let input = resources.get(resource);
  if (!input) {
    const attributes = fromOtelAttributes(resource.attributes);
    input = { serviceName: attributes.values["service.name"] ?? "", attributes };
    resources.set(resource, input);
  }
  return input;
}

function eventInput(event: TimedEvent): EventInput {
  return {
    timeNs: hrTimeToNs(event.time),
    name: event.name,
    attributes: fromOtelAttributes(event.attributes),
  };
}

function linkInput(link: Link): LinkInput {
  return {
    traceId: link.context.traceId,
    spanId: link.context.spanId,
    traceState: link.context.traceState?.serialize() ?? "",
    attributes: fromOtelAttributes(link.attributes),
  };
}

/** An SDK span in the write paths' span model. */
export function spanInputFromReadable(span: ReadableSpan): SpanInput {
  const context = span.spanContext();
  // OTel JS numbers SpanKind from INTERNAL = 0; OTLP from UNSPECIFIED = 0.
  const kind = SPAN_KIND_NAMES[(span.kind as SpanKind) + 1] ?? "SPAN_KIND_UNSPECIFIED";
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? "",
    traceState: context.traceState?.serialize() ?? "",
    name: span.name,
    kind,
    startNs: hrTimeToNs(span.startTime),
    endNs: hrTimeToNs(span.endTime),
    attributes: fromOtelAttributes(span.attributes),
    statusCode: STATUS_CODE_NAMES[span.status.code] ?? "STATUS_CODE_UNSET",
    statusMessage: span.status.message ?? "",
    events: span.events.map(eventInput),
    links: span.links.map(linkInput),
    resource: resourceInput(span.resource),
    scope: {
      name: span.instrumentationScope.name,
      version: span.instrumentationScope.version ?? "",
    },
  };
}

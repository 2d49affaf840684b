import { randomBytes } from "node:crypto";
import type { Attributes, AttributeType, EventInput, SpanInput } from "@runtrace/model";

export function hexId(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export function attributes(values: Record<string, string | number | boolean>): Attributes {
  const out: Record<string, string> = {};
  const types: Record<string, AttributeType> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = String(v);
    if (typeof v === "number") types[k] = Number.isInteger(v) ? "int" : "double";
    if (typeof v === "boolean") types[k] = "bool";
  }
  return { values: out, types };
}

const resource = {
  serviceName: "writer-test",
  attributes: attributes({ "service.name": "writer-test" }),
};

export interface SpanSpec {
  name: string;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  startMs?: number;
  durationMs?: number;
  attributes?: Record<string, string | number | boolean>;
  error?: string;
  events?: EventInput[];
}

/** A span in the write paths' model, for tests that exercise the writer without an SDK. */
export function span(spec: SpanSpec): SpanInput {
  const startMs = spec.startMs ?? Date.now();
  const startNs = BigInt(startMs) * 1_000_000n + 123_456n;
  return {
    traceId: spec.traceId ?? hexId(16),
    spanId: spec.spanId ?? hexId(8),
    parentSpanId: spec.parentSpanId ?? "",
    traceState: "",
    name: spec.name,
    kind: "SPAN_KIND_INTERNAL",
    startNs,
    endNs: startNs + BigInt(spec.durationMs ?? 5) * 1_000_000n,
    attributes: attributes(spec.attributes ?? {}),
    statusCode: spec.error ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET",
    statusMessage: spec.error ?? "",
    events: spec.events ?? [],
    links: [],
    resource,
    scope: { name: "writer-test", version: "1" },
  };
}

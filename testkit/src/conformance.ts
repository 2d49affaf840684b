/**
 * Hand-made spans that break runtrace's conventions, one or more per conformance rule, as one
 * OTLP/JSON request: the conformance check must name each rule with exactly these span ids.
 * Span ids are fixed per service so a test can list what it sent; times are around `nowMs`.
 */

interface JsonAttribute {
  key: string;
  value: { stringValue: string } | { intValue: string };
}

const text = (key: string, value: string): JsonAttribute => ({
  key,
  value: { stringValue: value },
});
const int = (key: string, value: number): JsonAttribute => ({
  key,
  value: { intValue: String(value) },
});

export interface ViolatingRequest {
  /** The OTLP/JSON body of `POST /v1/traces`. */
  body: unknown;
  /** Each rule's id → the span ids that break it (sorted). */
  expected: Map<string, string[]>;
  /** Every span id sent. */
  spanIds: string[];
  /** The spans that break at least one rule (the others are their runs' good final spans). */
  violating: string[];
  /** The spans stored in the trace (every one but the state spans). */
  traced: string[];
  /** The state spans (with a sequence number). */
  states: string[];
}

/** A span id unique to the service and the case (16 hex digits). */
function spanId(service: string, n: number): string {
  let h = 0x811c9dc5;
  for (const c of service) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `${h.toString(16).padStart(8, "0")}${n.toString(16).padStart(8, "0")}`;
}

/** A well-formed snapshot of a run in scope ws_c. */
function snapshot(executionId: string, status: string): JsonAttribute[] {
  return [
    text("executor.execution.id", executionId),
    text("executor.scope.id", "ws_c"),
    text("executor.execution.status", status),
  ];
}

export function violatingRequest(service: string, nowMs: number): ViolatingRequest {
  const traceId = `${spanId(service, 0xffff)}${spanId(service, 0xfffe)}`;
  const cases: { rules: string[]; name: string; attributes: JsonAttribute[] }[] = [
    {
      rules: ["execution-without-id"],
      name: "executor.execution",
      attributes: [
        text("executor.scope.id", "ws_c"),
        text("executor.execution.status", "completed"),
      ],
    },
    {
      rules: ["execution-without-scope"],
      name: "executor.execution",
      attributes: [
        text("executor.execution.id", `${service}-noscope`),
        text("executor.execution.status", "completed"),
      ],
    },
    {
      rules: ["execution-unknown-status"],
      name: "executor.execution",
      attributes: [
        text("executor.execution.id", `${service}-done`),
        text("executor.scope.id", "ws_c"),
        text("executor.execution.status", "finished"),
      ],
    },
    {
      rules: ["tool-without-execution-id"],
      name: "execute_tool math.add",
      attributes: [text("executor.tool.path", "math.add"), text("executor.scope.id", "ws_c")],
    },
    {
      rules: ["tool-without-execution-id"],
      name: "execute_tool",
      attributes: [
        text("gen_ai.operation.name", "execute_tool"),
        text("gen_ai.tool.name", "search"),
      ],
    },
    {
      rules: ["tool-unknown-status"],
      name: "execute_tool math.div",
      attributes: [
        text("executor.tool.path", "math.div"),
        text("executor.execution.id", `${service}-done`),
        text("executor.tool.status", "error"),
      ],
    },
    {
      rules: ["interaction-without-execution-id", "interaction-unknown-kind"],
      name: "executor.interaction",
      attributes: [
        text("executor.interaction.kind", "dialog"),
        text("executor.interaction.status", "resolved"),
      ],
    },
    {
      rules: ["interaction-unknown-status"],
      name: "executor.interaction",
      attributes: [
        text("executor.execution.id", `${service}-done`),
        text("executor.interaction.kind", "form"),
        text("executor.interaction.status", "answered"),
      ],
    },
    {
      rules: ["json-value-not-json"],
      name: "execute_tool http.get",
      attributes: [
        text("executor.tool.path", "http.get"),
        text("executor.execution.id", `${service}-done`),
        // Cut at a byte limit without the flag that says so.
        text("executor.tool.result", '{"body":"<html><head><title>Exa'),
      ],
    },
    {
      rules: ["time-not-epoch-ms"],
      name: "executor.execution",
      attributes: [
        text("executor.execution.id", `${service}-seconds`),
        text("executor.scope.id", "ws_c"),
        text("executor.execution.status", "completed"),
        int("executor.execution.created_at", Math.trunc(nowMs / 1000)),
      ],
    },
    // A state span numbered after its run's final span: broken, in whatever order they come.
    {
      rules: [],
      name: "executor.execution",
      attributes: [...snapshot(`${service}-seq`, "completed"), int("executor.execution.seq", 2)],
    },
    {
      rules: ["state-after-final"],
      name: "executor.execution.state",
      attributes: [...snapshot(`${service}-seq`, "running"), int("executor.execution.seq", 3)],
    },
    // A state span that arrives after the final span but is numbered before it: no violation.
    {
      rules: [],
      name: "executor.execution",
      attributes: [
        ...snapshot(`${service}-in-order`, "completed"),
        int("executor.execution.seq", 5),
      ],
    },
    {
      rules: [],
      name: "executor.execution.state",
      attributes: [...snapshot(`${service}-in-order`, "running"), int("executor.execution.seq", 4)],
    },
  ];
  const expected = new Map<string, string[]>();
  const violating: string[] = [];
  const traced: string[] = [];
  const states: string[] = [];
  const spans = cases.map((c, i) => {
    const id = spanId(service, i + 1);
    for (const rule of c.rules) expected.set(rule, [...(expected.get(rule) ?? []), id].sort());
    if (c.rules.length > 0) violating.push(id);
    (c.name === "executor.execution.state" ? states : traced).push(id);
    const startNs = BigInt(Math.trunc(nowMs) - 1000 + i) * 1_000_000n;
    return {
      traceId,
      spanId: id,
      name: c.name,
      kind: 1,
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + 500_000n),
      attributes: c.attributes,
      status: {},
    };
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [text("service.name", service)] },
        scopeSpans: [{ scope: { name: "hand-made" }, spans }],
      },
    ],
  };
  return { body, expected, spanIds: spans.map((s) => s.spanId), violating, traced, states };
}

import type { QueryParams } from "../executions/query-params.ts";
import {
  SPAN_KINDS,
  type SpanKind,
  type StatusCode,
  storedSpanKinds,
  storedStatusCodes,
} from "./span.ts";

/**
 * Trace views show a few tags that are columns, not attributes (`error`, `span.kind`,
 * `otel.status_code`…); searching for what the view shows must find it, so these keys also
 * match their column.
 */
function columnCondition(p: QueryParams, key: string, value: string): string | undefined {
  const statusIn = (code: StatusCode) =>
    `StatusCode IN ${p.add("Array(String)", storedStatusCodes(code))}`;
  switch (key) {
    case "error":
      if (value === "true") return statusIn("error");
      if (value === "false") return `NOT ${statusIn("error")}`;
      return undefined;
    case "otel.status_code": {
      const code = value.toLowerCase();
      return code === "ok" || code === "error" ? statusIn(code) : undefined;
    }
    case "span.kind": {
      const kind = value.toLowerCase();
      if (!(SPAN_KINDS as readonly string[]).includes(kind)) return undefined;
      return `SpanKind IN ${p.add("Array(String)", storedSpanKinds(kind as SpanKind))}`;
    }
    case "otel.status_description":
      return `StatusMessage = ${p.add("String", value)}`;
    case "otel.scope.name":
      return `ScopeName = ${p.add("String", value)}`;
    case "otel.scope.version":
      return `ScopeVersion = ${p.add("String", value)}`;
    case "w3c.tracestate":
      return `TraceState = ${p.add("String", value)}`;
    default:
      return undefined;
  }
}

/**
 * One span matches `key = value` when its own attributes or its resource's hold it (values
 * compare as stored text: `42`, `true`, `0.5`), or when the key is a column-backed tag that
 * matches. An empty value needs the key to be present.
 */
export function attributeCondition(p: QueryParams, key: string, value: string): string {
  const k = p.add("String", key);
  const v = p.add("String", value);
  const inMap = (map: string) =>
    value === "" ? `(mapContains(${map}, ${k}) AND ${map}[${k}] = ${v})` : `${map}[${k}] = ${v}`;
  const alternatives = [inMap("SpanAttributes"), inMap("ResourceAttributes")];
  const column = columnCondition(p, key, value);
  if (column) alternatives.push(column);
  return `(${alternatives.join(" OR ")})`;
}

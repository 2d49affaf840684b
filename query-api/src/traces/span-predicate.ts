import type { QueryParams } from "../executions/query-params.ts";
import { type SpanKind, type StatusCode, storedSpanKinds, storedStatusCodes } from "./span.ts";

/**
 * A typed condition on one span (or, for `traceDuration`, on its trace): the shape TraceQL's
 * parser produces, so a parsed query is a list of these as it is.
 */
export type PredicateOperator = "=" | "!=" | "=~" | "!~" | ">" | ">=" | "<" | "<=";

export type PredicateField =
  | { kind: "attribute"; scope: "resource" | "span" | "any"; name: string }
  | { kind: "intrinsic"; name: "name" | "status" | "kind" | "duration" | "traceDuration" };

export type PredicateValue =
  | { type: "string"; value: string }
  | { type: "number"; value: number }
  | { type: "duration"; nanos: bigint }
  | { type: "bool"; value: boolean }
  | { type: "status"; value: StatusCode }
  | { type: "kind"; value: SpanKind };

export interface SpanPredicate {
  field: PredicateField;
  op: PredicateOperator;
  value: PredicateValue;
}

/** A condition about the whole trace rather than one of its spans. */
export const isTracePredicate = (c: SpanPredicate) =>
  c.field.kind === "intrinsic" && c.field.name === "traceDuration";

/** Where one attribute of a span is read: its value text, its stored type, its presence. */
interface AttributeSource {
  value: string;
  type: string;
  present: string;
}

function mapSource(p: QueryParams, values: string, types: string, key: string): AttributeSource {
  const k = p.add("String", key);
  return {
    value: `${values}[${k}]`,
    type: `${types}[${k}]`,
    present: `mapContains(${values}, ${k})`,
  };
}

function resourceSource(p: QueryParams, key: string): AttributeSource {
  // The service name is a column of its own (and leads the table's key).
  if (key === "service.name") return { value: "ServiceName", type: "''", present: "1" };
  return mapSource(p, "ResourceAttributes", "ResourceAttributeTypes", key);
}

type Comparison = "=" | "!=" | ">" | ">=" | "<" | "<=";

const isComparison = (op: PredicateOperator): op is Comparison => op !== "=~" && op !== "!~";

/** TraceQL's regular expressions match the whole value, like Prometheus's. */
function regexCondition(p: QueryParams, text: string, op: "=~" | "!~", pattern: string): string {
  const test = `match(${text}, concat('^(?:', ${p.add("String", pattern)}, ')$'))`;
  return op === "=~" ? test : `NOT ${test}`;
}

/** A text column or attribute compared with a string: equality, order or a regex. */
function textCondition(p: QueryParams, text: string, op: PredicateOperator, value: string) {
  if (op === "=~" || op === "!~") return regexCondition(p, text, op, value);
  return `${text} ${op} ${p.add("String", value)}`;
}

/**
 * A comparison with one attribute. As in TraceQL, values compare only with attributes of a
 * matching type (a string with strings, a number with ints and doubles, a boolean with
 * booleans), and an absent attribute matches no comparison, `!=` included.
 */
function attributeCondition(p: QueryParams, s: AttributeSource, c: SpanPredicate): string {
  const { op, value: v } = c;
  const typed = (types: string, test: string) =>
    `(${s.present} AND ${s.type} IN (${types}) AND ${test})`;
  if (v.type === "string") return typed("'', 'string'", textCondition(p, s.value, op, v.value));
  if (!isComparison(op)) return "0";
  if (v.type === "bool") {
    return typed(
      "'bool'",
      `${s.value} ${op === "!=" ? "!=" : "="} ${p.add("String", String(v.value))}`,
    );
  }
  if (v.type !== "number" && v.type !== "duration") return "0";
  const n = v.type === "duration" ? Number(v.nanos) : v.value;
  // As text: the client refuses numbers beyond 2^53, which a double still holds.
  const asDouble = `toFloat64OrNull(${s.value}) ${op} ${p.add("Float64", String(n))}`;
  const whole = v.type === "duration" ? v.nanos : Number.isSafeInteger(n) ? BigInt(n) : undefined;
  if (whole === undefined) return typed("'int', 'double'", asDouble);
  // A whole number compares exactly with ints: an int64 can exceed a double's precision.
  const asInt = `toInt64OrNull(${s.value}) ${op} ${p.add("Int64", whole)}`;
  return `(${s.present} AND if(${s.type} = 'int', ${asInt}, ${s.type} = 'double' AND ${asDouble}))`;
}

function scopedAttribute(p: QueryParams, c: SpanPredicate & { field: { kind: "attribute" } }) {
  const { scope, name } = c.field;
  const span = () => mapSource(p, "SpanAttributes", "SpanAttributeTypes", name);
  if (scope === "span") return attributeCondition(p, span(), c);
  if (scope === "resource") return attributeCondition(p, resourceSource(p, name), c);
  // Unscoped: the span's own attribute when it has one, else its resource's.
  const own = span();
  return `if(${own.present}, ${attributeCondition(p, own, c)}, ${attributeCondition(p, resourceSource(p, name), c)})`;
}

function inList(p: QueryParams, column: string, op: PredicateOperator, stored: string[]): string {
  return `${column} ${op === "!=" ? "NOT IN" : "IN"} ${p.add("Array(String)", stored)}`;
}

/** One span-level predicate as a condition on an `otel_traces` row. */
export function spanPredicateSql(p: QueryParams, c: SpanPredicate): string {
  const { field: f, op, value: v } = c;
  if (f.kind === "attribute") return scopedAttribute(p, { ...c, field: f });
  switch (f.name) {
    case "name":
      return v.type === "string" ? textCondition(p, "SpanName", op, v.value) : "0";
    case "status":
      return v.type === "status" ? inList(p, "StatusCode", op, storedStatusCodes(v.value)) : "0";
    case "kind":
      return v.type === "kind" ? inList(p, "SpanKind", op, storedSpanKinds(v.value)) : "0";
    case "duration":
      return v.type === "duration" && isComparison(op)
        ? `Duration ${op} ${p.add("UInt64", v.nanos)}`
        : "0";
    default:
      throw new Error(`${f.name} is a trace-level condition`);
  }
}

/**
 * A trace's duration as a `HAVING` condition over its spans: from its first span's start to its
 * last span's end.
 */
export function traceDurationHaving(p: QueryParams, c: SpanPredicate): string {
  const { op, value: v } = c;
  if (v.type !== "duration" || !isComparison(op)) return "0";
  const start = "toUnixTimestamp64Nano(Timestamp)";
  return `(max(${start} + toInt64(Duration)) - min(${start})) ${op} ${p.add("Int64", v.nanos)}`;
}

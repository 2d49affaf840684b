/**
 * The TraceQL subset Grafana's Tempo search builder writes: `{}` or one spanset whose
 * conditions are joined by `&&`, every condition about the same span (or, for `traceDuration`,
 * its trace).
 */

import type {
  SpanPredicate as Condition,
  PredicateField as Field,
  PredicateOperator as Operator,
  PredicateValue as Value,
} from "../traces/index.ts";

/** A condition as the trace reader searches with it: the parser's output needs no mapping. */
export type { Condition, Field, Operator, Value };

export const TRACEQL_SUPPORTED =
  "supported TraceQL: {} or one spanset of conditions joined by &&, e.g. " +
  '{resource.service.name="svc" && name="op" && span.http.status_code>=500 && status=error && duration>100ms}; ' +
  "fields resource.<attr>, span.<attr>, .<attr>, name, status, kind, duration, traceDuration; " +
  "operators = != =~ !~ > >= < <=; values quoted strings, numbers, durations (ns us ms s m h), " +
  "true/false, error/ok/unset, server/client/producer/consumer/internal/unspecified";

export class TraceQlError extends Error {
  constructor(message: string) {
    super(`${message}; ${TRACEQL_SUPPORTED}`);
    this.name = "TraceQlError";
  }
}

const STATUSES = ["error", "ok", "unset"] as const;
const KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

type Token =
  | { t: "punct"; v: "{" | "}" | "&&" | "||" | "(" | ")" | "|" | Operator }
  | { t: "ident"; v: string }
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "duration"; v: bigint };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["&&", "||", "!=", "=~", "!~", ">=", "<="].includes(two)) {
      out.push({ t: "punct", v: two as Operator });
      i += 2;
      continue;
    }
    if ("{}()|=<>".includes(c)) {
      out.push({ t: "punct", v: c as "{" });
      i++;
      continue;
    }
    if (c === '"' || c === "`") {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\\" && c === '"' && j + 1 < text.length) {
          const next = text[j + 1]!;
          value += next === "n" ? "\n" : next === "t" ? "\t" : next;
          j += 2;
        } else value += text[j++];
      }
      if (j >= text.length) throw new TraceQlError(`unterminated string at ${i}`);
      out.push({ t: "string", v: value });
      i = j + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([a-zµ]+)?/.exec(text.slice(i));
    if (number) {
      const [whole, , unit] = number;
      if (unit !== undefined) {
        const scale = DURATION_UNITS[unit];
        if (scale === undefined) throw new TraceQlError(`unknown duration unit "${unit}"`);
        const [intPart, frac = ""] = whole.slice(0, whole.length - unit.length).split(".");
        const digits = 10n ** BigInt(frac.length);
        out.push({
          t: "duration",
          v: (BigInt(`${intPart}${frac}`) * scale) / digits,
        });
      } else out.push({ t: "number", v: Number(whole) });
      i += whole.length;
      continue;
    }
    const ident = /^[A-Za-z_.][\w.\-/:]*/.exec(text.slice(i));
    if (ident) {
      out.push({ t: "ident", v: ident[0] });
      i += ident[0].length;
      continue;
    }
    throw new TraceQlError(`unexpected "${c}" at ${i}`);
  }
  return out;
}

function field(name: string): Field {
  if (
    name === "name" ||
    name === "status" ||
    name === "kind" ||
    name === "duration" ||
    name === "traceDuration"
  ) {
    return { kind: "intrinsic", name };
  }
  for (const scope of ["resource", "span"] as const) {
    if (name.startsWith(`${scope}.`) && name.length > scope.length + 1) {
      return { kind: "attribute", scope, name: name.slice(scope.length + 1) };
    }
  }
  if (name.startsWith(".") && name.length > 1) {
    return { kind: "attribute", scope: "any", name: name.slice(1) };
  }
  throw new TraceQlError(`unsupported field "${name}"`);
}

function value(token: Token | undefined, f: Field): Value {
  if (!token) throw new TraceQlError("a condition ends without a value");
  if (token.t === "string") return { type: "string", value: token.v };
  if (token.t === "number") return { type: "number", value: token.v };
  if (token.t === "duration") return { type: "duration", nanos: token.v };
  if (token.t === "ident") {
    if (token.v === "true" || token.v === "false")
      return { type: "bool", value: token.v === "true" };
    if (f.kind === "intrinsic" && f.name === "status" && STATUSES.includes(token.v as "ok")) {
      return { type: "status", value: token.v as "ok" };
    }
    if (f.kind === "intrinsic" && f.name === "kind" && KINDS.includes(token.v as "server")) {
      return { type: "kind", value: token.v as "server" };
    }
  }
  throw new TraceQlError(`unsupported value ${JSON.stringify(token.v.toString())}`);
}

/** Checks that a value fits its field: durations for `duration`, names for `status`/`kind`. */
function check(c: Condition): Condition {
  const { field: f, op, value: v } = c;
  const ordered = op === ">" || op === ">=" || op === "<" || op === "<=";
  const regex = op === "=~" || op === "!~";
  if (regex && v.type !== "string")
    throw new TraceQlError(`${op} needs a quoted regular expression`);
  if (f.kind === "intrinsic") {
    if ((f.name === "duration" || f.name === "traceDuration") && v.type !== "duration") {
      throw new TraceQlError(`${f.name} compares with a duration such as 100ms`);
    }
    if (f.name === "status" && (v.type !== "status" || ordered || regex)) {
      throw new TraceQlError("status compares with = or != to error, ok or unset");
    }
    if (f.name === "kind" && (v.type !== "kind" || ordered || regex)) {
      throw new TraceQlError("kind compares with = or != to a span kind");
    }
    if (f.name === "name" && v.type !== "string") {
      throw new TraceQlError("name compares with a quoted string");
    }
  }
  if (ordered && v.type === "bool") throw new TraceQlError(`${op} does not compare booleans`);
  return c;
}

/** Parses a query; an empty query or `{}` is every span. */
export function parseTraceQl(text: string): Condition[] {
  const tokens = tokenize(text);
  if (tokens.length === 0) return [];
  let i = 0;
  const next = () => tokens[i++];
  const open = next();
  if (open?.t !== "punct" || open.v !== "{") throw new TraceQlError("a query starts with {");
  const conditions: Condition[] = [];
  let token = tokens[i];
  if (token?.t === "punct" && token.v === "}") i++;
  else {
    for (;;) {
      const name = next();
      if (name?.t !== "ident") throw new TraceQlError("expected a field such as span.http.method");
      const f = field(name.v);
      const op = next();
      if (op?.t !== "punct" || !["=", "!=", "=~", "!~", ">", ">=", "<", "<="].includes(op.v)) {
        throw new TraceQlError(`expected an operator after ${name.v}`);
      }
      conditions.push(check({ field: f, op: op.v as Operator, value: value(next(), f) }));
      token = next();
      if (token?.t === "punct" && token.v === "&&") continue;
      if (token?.t === "punct" && token.v === "}") break;
      if (token?.t === "punct" && token.v === "||") throw new TraceQlError("|| is not supported");
      throw new TraceQlError("expected && or } after a condition");
    }
  }
  if (i < tokens.length) {
    throw new TraceQlError(
      "only one spanset is supported (no pipelines, || or structural operators)",
    );
  }
  return conditions;
}

/** Grafana treats a query of hex digits only as a trace id, not TraceQL. */
export function isTraceIdQuery(text: string): boolean {
  return /^[0-9a-fA-F]+$/.test(text.trim());
}

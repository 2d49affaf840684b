/**
 * Query parameters written into the SQL text as literals. Embedded ClickHouse runs statements
 * with server-side parameters one at a time across the whole process (chdb binds them in
 * shared engine state), while statements without any run side by side on their own
 * connections. So reads on embedded ClickHouse are sent with their values inlined — through
 * this one function, and only for the types it knows; everything else is an error, never a
 * guess. Each literal is wrapped in `CAST(…, 'Type')`, the form the engine itself substitutes
 * for a `{name:Type}` parameter, so types and index use stay what they were.
 */

const TYPE = /^[A-Za-z][A-Za-z0-9_]*(\(.*\))?$/;
const INTEGER_TYPE = /^U?Int(8|16|32|64|128|256)$/;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

/** A value that cannot stand for its type; names both. */
export class SqlLiteralError extends Error {
  constructor(type: string, value: unknown, why: string) {
    super(`cannot write ${describe(value)} as ${type}: ${why}`);
    this.name = "SqlLiteralError";
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === "bigint" ? "a bigint" : String(value);
}

/**
 * A ClickHouse string literal: quote and backslash escaped, every control character (NUL,
 * newlines, tabs, DEL) as `\xHH`; other characters as they are (the SQL text is UTF-8).
 */
export function quoteString(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point.
  const escaped = text.replace(/[\\'\x00-\x1f\x7f]/g, (ch) => {
    if (ch === "\\" || ch === "'") return `\\${ch}`;
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `'${escaped}'`;
}

/** The bare literal of `value` as `type` (no CAST). */
function bare(type: string, value: unknown): string {
  const inner = /^(Array|Nullable|LowCardinality)\((.*)\)$/.exec(type);
  if (inner) {
    const [, wrapper, of] = inner as unknown as [string, string, string];
    if (wrapper === "Nullable") return value === null ? "NULL" : bare(of, value);
    if (wrapper === "LowCardinality") return bare(of, value);
    if (!Array.isArray(value)) throw new SqlLiteralError(type, value, "expected an array");
    return `[${value.map((item) => bare(of, item)).join(", ")}]`;
  }
  if (type === "String") {
    if (typeof value !== "string") throw new SqlLiteralError(type, value, "expected a string");
    return quoteString(value);
  }
  if (INTEGER_TYPE.test(type)) {
    const text =
      typeof value === "bigint"
        ? value.toString()
        : typeof value === "number" && Number.isSafeInteger(value)
          ? String(value)
          : typeof value === "string" && /^-?\d{1,80}$/.test(value)
            ? value
            : null;
    if (text === null) throw new SqlLiteralError(type, value, "expected an integer");
    if (type.startsWith("U") && text.startsWith("-")) {
      throw new SqlLiteralError(type, value, "expected an unsigned integer");
    }
    return text;
  }
  if (type === "Float64" || type === "Float32") {
    // A decimal in a string stays exact (TraceQL's values arrive as text).
    if (
      typeof value === "string" &&
      /^-?(\d{1,400}(\.\d{0,400})?|\.\d{1,400})(e[-+]?\d{1,4})?$/i.test(value)
    ) {
      return value;
    }
    if (typeof value !== "number") throw new SqlLiteralError(type, value, "expected a number");
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (type === "Bool") {
    if (typeof value !== "boolean") throw new SqlLiteralError(type, value, "expected a boolean");
    return value ? "true" : "false";
  }
  throw new SqlLiteralError(type, value, "not a type values are inlined for");
}

/** `value` as a literal of ClickHouse type `type`, e.g. `CAST('a\'b', 'String')`. */
export function sqlLiteral(type: string, value: unknown): string {
  const t = type.trim();
  if (!TYPE.test(t)) throw new SqlLiteralError(type, value, "not a type name");
  return `CAST(${bare(t, value)}, ${quoteString(t)})`;
}

/**
 * `sql` with each `{name:Type}` placeholder replaced by its value from `params` as a literal.
 * A placeholder without a value is an error (the engine would say the same, later).
 */
export function inlineParams(sql: string, params: Readonly<Record<string, unknown>>): string {
  return sql.replace(PLACEHOLDER, (_, name: string, type: string) => {
    if (!Object.hasOwn(params, name)) throw new Error(`no value for query parameter ${name}`);
    return sqlLiteral(type, params[name]);
  });
}

/**
 * TabSeparated text, the fastest format embedded ClickHouse accepts (inserts there are text
 * only). Top-level strings use TSV escapes; strings inside arrays and maps are quoted literals.
 */

const TSV_SPECIAL = /[\\\t\n\r\0]/;
const TSV_REPLACE = /[\\\t\n\r\0]/g;
const QUOTED_SPECIAL = /[\\'\t\n\r\0]/;
const QUOTED_REPLACE = /[\\'\t\n\r\0]/g;
const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\0": "\\0",
  "'": "\\'",
};
const escapeChar = (c: string): string => ESCAPES[c]!;

/** A top-level String field. */
export function tsvString(value: string): string {
  return TSV_SPECIAL.test(value) ? value.replace(TSV_REPLACE, escapeChar) : value;
}

/** A string inside an Array or Map literal. */
export function quoted(value: string): string {
  return `'${QUOTED_SPECIAL.test(value) ? value.replace(QUOTED_REPLACE, escapeChar) : value}'`;
}

// Attribute keys repeat on every row: their quoted form is kept, up to a bound.
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 10_000;

function quotedKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = `${quoted(key)}:`;
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, q);
  }
  return q;
}

/** A Map(String, String) literal from a record. */
export function tsvMap(values: Readonly<Record<string, string>>): string {
  let out = "{";
  let first = true;
  for (const key in values) {
    if (!first) out += ",";
    first = false;
    out += quotedKey(key) + quoted(values[key]!);
  }
  return `${out}}`;
}

/** An Array(String) literal. */
export function tsvStringArray(values: readonly string[]): string {
  let out = "[";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += quoted(values[i]!);
  }
  return `${out}]`;
}

/** An Array of pre-rendered literals (numbers, maps, times). */
export function tsvArray(literals: readonly string[]): string {
  return `[${literals.join(",")}]`;
}

/** DateTime64(9) from Unix nanoseconds, as decimal seconds (no time-zone ambiguity). */
export function nanosText(ns: bigint): string {
  const s = ns.toString();
  if (s.length <= 9) return `0.${s.padStart(9, "0")}`;
  return `${s.slice(0, -9)}.${s.slice(-9)}`;
}

/** DateTime64(3) from epoch ms, as decimal seconds. */
export function millisText(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = ms - whole * 1000;
  return `${whole}.${String(Math.trunc(frac)).padStart(3, "0")}`;
}

/** DateTime64(6) from epoch µs, as decimal seconds. */
export function microsText(us: number): string {
  const whole = Math.floor(us / 1_000_000);
  const frac = us - whole * 1_000_000;
  return `${whole}.${String(Math.trunc(frac)).padStart(6, "0")}`;
}

export const NULL = "\\N";

export function bool(value: boolean): string {
  return value ? "1" : "0";
}

/**
 * Go's `strconv` number and bool parsing, with its error texts: Jaeger's metrics handler puts
 * them verbatim after `unable to parse param '…': `, and clients show that message.
 */

export class StrconvError extends Error {}

/** `strconv.Quote`, as Go's errors print the input (control characters as `\xNN`). */
function goQuote(text: string): string {
  return JSON.stringify(text)
    .replace(/\\u00([0-9a-f]{2})/g, "\\x$1")
    .replace(/\x7f/g, "\\x7f");
}

const invalidSyntax = (fn: string, text: string) =>
  new StrconvError(`strconv.${fn}: parsing ${goQuote(text)}: invalid syntax`);
const outOfRange = (fn: string, text: string) =>
  new StrconvError(`strconv.${fn}: parsing ${goQuote(text)}: value out of range`);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(text, 10, 64)`. Past 2^53 the number is approximate; callers bound it. */
export function parseInt64(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw invalidSyntax("ParseInt", text);
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) throw outOfRange("ParseInt", text);
  return Number(value);
}

/**
 * `strconv.ParseFloat(text, 64)` for decimal text, `inf`, `infinity` and `nan`. Go also reads
 * hexadecimal floats (`0x1p-2`); no Jaeger client sends one, so they are refused.
 */
export function parseFloat64(text: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) {
    throw invalidSyntax("ParseFloat", text);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw outOfRange("ParseFloat", text);
  return value;
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw invalidSyntax("ParseBool", text);
}

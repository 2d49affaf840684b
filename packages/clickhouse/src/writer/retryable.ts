/**
 * ClickHouse error codes that mean the data itself cannot be stored (it does not parse or
 * does not fit its column): sending the same rows again cannot help. Every other failure
 * (unreachable server, detached or read-only table, timeouts, memory, too many parts) is
 * transient and retried.
 */
const PERMANENT_CODES = new Set([
  "6", // CANNOT_PARSE_TEXT
  "26", // CANNOT_PARSE_QUOTED_STRING
  "27", // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  "33", // CANNOT_READ_ALL_DATA
  "38", // CANNOT_PARSE_DATE
  "41", // CANNOT_PARSE_DATETIME
  "53", // TYPE_MISMATCH
  "62", // SYNTAX_ERROR
  "69", // ARGUMENT_OUT_OF_BOUND
  "70", // CANNOT_CONVERT_TYPE
  "72", // CANNOT_PARSE_NUMBER
  "117", // INCORRECT_DATA
  "130", // CANNOT_READ_ARRAY_FROM_TEXT
  "131", // TOO_LARGE_STRING_SIZE
]);

export function isPermanentInsertError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && PERMANENT_CODES.has(code);
}

/**
 * An engine error short enough to log or hand back: its first line, without the statement the
 * engine quotes after "in scope" (values are inlined into statements on embedded ClickHouse, so
 * that text can hold other requests' ids), at most `max` characters.
 */
export function briefError(error: unknown, max = 300): string {
  const text = String((error as Error | undefined)?.message ?? error);
  const line = text.split("\n", 1)[0] ?? "";
  const cut = line.indexOf(" in scope ");
  const brief = cut >= 0 ? line.slice(0, cut) : line;
  return brief.length > max ? `${brief.slice(0, max)}…` : brief;
}

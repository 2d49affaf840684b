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

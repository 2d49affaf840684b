const HEX = /^[0-9a-f]{1,32}$/i;
const BASE64 = /^[A-Za-z0-9+/_-]{22}(==)?$/;
const ZERO = "0".repeat(32);

/**
 * A trace id as clients send it, in the stored form (32 lowercase hex digits): hex of any case
 * and up to 32 digits, left-padded like Jaeger pads a 64-bit id, or the 16 bytes in base64.
 * Undefined when it is neither; the all-zero id is invalid in OpenTelemetry.
 */
export function parseTraceId(text: string): string | undefined {
  let hex: string | undefined;
  if (HEX.test(text)) hex = text.toLowerCase().padStart(32, "0");
  else if (BASE64.test(text)) {
    const bytes = Buffer.from(
      text,
      text.includes("-") || text.includes("_") ? "base64url" : "base64",
    );
    if (bytes.length === 16) hex = bytes.toString("hex");
  }
  return hex === undefined || hex === ZERO ? undefined : hex;
}

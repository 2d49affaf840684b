/**
 * A request body that is not a well-formed OTLP message: truncated or malformed protobuf,
 * invalid JSON, or JSON whose known fields have the wrong types. The message says where and
 * what, so it can go back to the client as is (HTTP 400). Semantically odd but well-formed
 * data (a 3-byte trace id, a span without a name) is not an error here: the row mapper
 * rejects and counts it.
 */
export class OtlpDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OtlpDecodeError";
  }
}

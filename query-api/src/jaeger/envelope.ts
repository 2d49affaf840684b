import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { JaegerEnvelope, JaegerError } from "../contract/index.ts";

/** Jaeger's v1 answer (`jaegerEnvelope` in the contract); Jaeger UI shows `errors[].msg`. */
type StructuredResponse = JaegerEnvelope;

function body(response: StructuredResponse, pretty: boolean): string {
  return pretty ? JSON.stringify(response, null, 2) : JSON.stringify(response);
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/** A 200 answer; `?prettyPrint=true` indents it, as Jaeger does. */
export function structured(
  c: Context,
  data: unknown,
  options: { total?: number; errors?: JaegerError[] } = {},
): Response {
  const response: StructuredResponse = {
    data,
    total: options.total ?? 0,
    limit: 0,
    offset: 0,
    errors: options.errors && options.errors.length > 0 ? options.errors : null,
  };
  return new Response(body(response, c.req.query("prettyPrint") === "true"), {
    status: 200,
    headers: JSON_TYPE,
  });
}

/** An error answer in the same envelope, `data: null`. */
export function structuredError(status: 400 | 404, msg: string): HTTPException {
  const response: StructuredResponse = {
    data: null,
    total: 0,
    limit: 0,
    offset: 0,
    errors: [{ code: status, msg }],
  };
  return new HTTPException(status, {
    res: new Response(body(response, false), { status, headers: JSON_TYPE }),
  });
}

export const traceNotFound = () => structuredError(404, "trace not found");

/** A 400 naming the parameter, in Jaeger's wording. */
export const badParam = (name: string, reason: string) =>
  structuredError(400, `unable to parse param '${name}': ${reason}`);

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ErrorBody } from "../contract/index.ts";

export function errorResponse(
  status: 400 | 401 | 403 | 404,
  body: ErrorBody,
  headers: Record<string, string> = {},
): HTTPException {
  return new HTTPException(status, {
    res: new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
    }),
  });
}

export function badParameter(parameter: string, message: string): HTTPException {
  return errorResponse(400, {
    error: "bad_request",
    message: `${parameter}: ${message}`,
    parameter,
  });
}

export function notFound(message: string): HTTPException {
  return errorResponse(404, { error: "not_found", message });
}

/** Answers thrown HTTPExceptions as they are and anything else as a JSON 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof HTTPException) return err.getResponse();
  if (err.name === "AbortError" || c.req.raw.signal.aborted) {
    // The client went away; nobody reads this answer.
    return c.json({ error: "client_closed", message: "the client closed the request" }, 499 as 400);
  }
  console.error(`query API: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
  return c.json({ error: "internal", message: err.message }, 500);
}

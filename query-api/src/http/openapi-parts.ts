import { z } from "zod";
import type { ZodOpenApiResponseObject } from "zod-openapi";
import { ErrorBody } from "../contract/index.ts";

/** Pieces of the OpenAPI document that many routes share. */

/**
 * An optional text parameter, described: the Jaeger and Tempo routes parse theirs by hand, so
 * the document only describes them.
 */
export const optionalText = (description: string) => z.string().optional().meta({ description });

/** A JSON answer of this shape. */
export function jsonAnswer(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: { "application/json": { schema } } };
}

/** A plain-text answer. */
export function textAnswer(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: { "text/plain": { schema } } };
}

/** The token guard's answer, the same on every guarded route. */
export const unauthorized = jsonAnswer(
  "`RUNTRACE_API_TOKENS` is set and the bearer token is missing or unknown.",
  ErrorBody,
);

/** `/v1` routes' parameter and token errors. */
export const v1Errors = {
  "400": jsonAnswer("A parameter is invalid; `parameter` names it.", ErrorBody),
  "401": unauthorized,
};

import type { z } from "zod";
import { badParameter } from "./errors.ts";

/** Parses a route's query parameters with a zod object schema; a failure is a 400 naming it. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string>,
): z.output<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    throw badParameter(issue.keys[0] ?? "query", "unknown parameter");
  }
  const parameter = issue.path.length > 0 ? issue.path.map(String).join(".") : "query";
  throw badParameter(parameter, issue.message);
}

import { z } from "zod";
import { badParameter } from "./errors.ts";

/** A time as epoch milliseconds or an RFC 3339 date-time, parsed to epoch ms. */
export const timeParam = z.string().transform((text, ctx) => {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) {
    const ms = Number(t);
    if (Number.isSafeInteger(ms) && ms >= 0) return ms;
  } else if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/i.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  ctx.addIssue({ code: "custom", message: "expected epoch milliseconds or an RFC 3339 time" });
  return z.NEVER;
});

/** A comma-separated list; empty items dropped. */
export const commaList = z.string().transform((text) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

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

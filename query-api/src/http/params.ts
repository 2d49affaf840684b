import { z } from "zod";
import { badParameter } from "./errors.ts";

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `15m`, `1h`, `7d`, `2w` (also `30s`): that long before now, as the /runs filter bar says it. */
const RELATIVE_TIME = /^(\d{1,6})([smhdw])$/;

/**
 * A time as epoch milliseconds, an RFC 3339 date-time, or a relative time (`1h`: an hour before
 * now), parsed to epoch ms.
 */
export const timeParam = z.string().transform((text, ctx) => {
  const t = text.trim();
  const relative = RELATIVE_TIME.exec(t);
  if (relative) return Date.now() - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  if (/^-?\d+$/.test(t)) {
    const ms = Number(t);
    if (Number.isSafeInteger(ms) && ms >= 0) return ms;
  } else if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/i.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  ctx.addIssue({
    code: "custom",
    message: "expected epoch milliseconds, an RFC 3339 time or a relative time (15m, 1h, 7d, 2w)",
  });
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

import { z } from "zod";

/**
 * Query parameter types that more than one route takes. They parse the wire text into what the
 * server uses, and document that text (the OpenAPI document shows a request's input side).
 */

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

/** A whole number of epoch milliseconds in an answer. */
export const epochMs = z.number().int();

/** A path parameter (the OpenAPI document needs its name; the router reads it). */
export const pathParam = (name: string, description: string) =>
  z.object({ [name]: z.string().meta({ description }) });

import { timeParam } from "../contract/index.ts";
import { badParameter } from "../http/errors.ts";

/**
 * A position in arrival order, for live mode's `after` and `updatedSince`: an arrival time
 * (epoch µs, ClickHouse's clock) and, among runs placed at the same microsecond, an execution
 * id. Everything at or before it has been seen. Sent as url-safe base64 of a small JSON object
 * (its own shape: a page cursor is refused here, and this one as a page cursor).
 */
export interface LivePosition {
  atUs: number;
  id: string;
}

/** Sorts after every execution id (ids are ASCII). */
const AFTER_EVERY_ID = "\uffff";

/** Everything up to and including `atUs`, whatever the id. */
export function positionAt(atUs: number): LivePosition {
  return { atUs, id: AFTER_EVERY_ID };
}

/**
 * The later of two positions. A poll's cursor never moves back: the boundary read for an
 * answer can be earlier than the one before it (an insert that started just before that one
 * was read, less the margin, or not yet listed then), and a cursor set back to it would return
 * again what the poll before returned.
 */
export function laterPosition(a: LivePosition, b: LivePosition): LivePosition {
  if (a.atUs !== b.atUs) return a.atUs > b.atUs ? a : b;
  return a.id >= b.id ? a : b;
}

export function encodeLivePosition(p: LivePosition): string {
  return Buffer.from(JSON.stringify({ live: p.atUs, i: p.id })).toString("base64url");
}

const EXPECTED =
  "expected a live cursor from this API, epoch milliseconds, an RFC 3339 time or a relative time (5m)";

/**
 * A live cursor, or a time (epoch ms, RFC 3339 or relative to now): "what arrived after this
 * instant" on ClickHouse's clock.
 */
export function parseLivePosition(text: string, parameter: string): LivePosition {
  // A cursor (base64 of `{"live":…}`) never reads as a time.
  const ms = timeParam.safeParse(text);
  if (ms.success) return positionAt(ms.data * 1000 + 999);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badParameter(parameter, EXPECTED);
  }
  const b = body as { live?: unknown; i?: unknown };
  if (
    typeof b !== "object" ||
    b === null ||
    typeof b.live !== "number" ||
    !Number.isSafeInteger(b.live) ||
    b.live < 0 ||
    typeof b.i !== "string"
  ) {
    throw badParameter(parameter, EXPECTED);
  }
  return { atUs: b.live, id: b.i };
}

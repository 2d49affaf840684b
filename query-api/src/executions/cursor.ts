import { SORT_DIRECTIONS, SORT_FIELDS } from "../contract/index.ts";
import { badParameter } from "../http/errors.ts";

/**
 * Opaque keyset cursors: url-safe base64 of a small JSON object naming the sort and the last
 * row's sort key. The sort is part of the cursor, so a cursor from one sort is refused by another.
 */
export type SortField = (typeof SORT_FIELDS)[number];
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface Sort {
  field: SortField;
  direction: SortDirection;
}

export interface Cursor {
  sort: Sort;
  /** The last row's created_at (ms): the key of createdAt sorts. */
  createdAt: number;
  /** The last row's duration (ms), null for a run without one; durationMs sorts only. */
  durationMs: number | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  const body = {
    s: `${cursor.sort.field},${cursor.sort.direction}`,
    c: cursor.createdAt,
    d: cursor.durationMs,
    i: cursor.id,
  };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function decodeCursor(text: string, parameter: string): Cursor {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badParameter(parameter, "not a cursor returned by this API");
  }
  const b = body as { s?: unknown; c?: unknown; d?: unknown; i?: unknown };
  const sort = typeof b.s === "string" ? parseSort(b.s) : undefined;
  if (
    !sort ||
    typeof b.c !== "number" ||
    !Number.isSafeInteger(b.c) ||
    !(b.d === null || (typeof b.d === "number" && Number.isSafeInteger(b.d))) ||
    typeof b.i !== "string"
  ) {
    throw badParameter(parameter, "not a cursor returned by this API");
  }
  return { sort, createdAt: b.c, durationMs: b.d as number | null, id: b.i };
}

export function parseSort(text: string): Sort | undefined {
  const [field, direction = "desc"] = text.split(",").map((s) => s.trim());
  const f = SORT_FIELDS.find((name) => name === field);
  const d = SORT_DIRECTIONS.find((name) => name === direction);
  return f && d ? { field: f, direction: d } : undefined;
}

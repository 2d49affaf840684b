/** Relative durations as the page writes them: 15m, 1h, 24h, 7d, 2w. */

export const PRESETS = ["15m", "1h", "24h", "7d", "30d", "all"] as const;
export const DEFAULT_RANGE = "24h";

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `15m` → 900000; "all" → null; anything else → undefined (not a relative range). */
export function relativeMs(text: string): number | null | undefined {
  if (text === "all") return null;
  const m = /^(\d{1,6})([mhdw])$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  return n * (UNIT_MS[m[2] as string] as number);
}

/**
 * An absolute time typed or linked: epoch ms, or an ISO 8601 date or date-time. A date alone,
 * like a date-time without an offset, is local time (the day the user sees).
 */
export function absoluteMs(text: string): number | undefined {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime();
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** ISO 8601 in UTC without milliseconds when they are zero: short enough to read in a URL. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

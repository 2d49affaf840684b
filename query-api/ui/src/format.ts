/** How times, durations and values read on the page. */

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() &&
  a.getMonth() === b.getMonth() &&
  a.getDate() === b.getDate();

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `14:03:27` today, `Nov 21 14:03:27` another day. */
export function startedText(ms: number, now = new Date()): string {
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (sameDay(d, now)) return time;
  return `${d.toLocaleString("en", { month: "short" })} ${d.getDate()} ${time}`;
}

/** A full local time with milliseconds and the offset, for tooltips and properties. */
export function fullTime(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

export function durationText(ms: number | null): string {
  if (ms === null) return "—";
  // Sub-10 ms fractions only come from axis ticks of a short window: keep them apart.
  if (ms < 10 && !Number.isInteger(ms)) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function countText(n: number): string {
  if (n < 10_000) return n.toLocaleString("en");
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

/**
 * The bucket label on the timeline axis: precise enough for the bucket size, with the date
 * when the chart covers more than a day.
 */
export function bucketText(ms: number, bucketMs: number, spanMs = 0): string {
  const d = new Date(ms);
  const day = `${d.toLocaleString("en", { month: "short" })} ${d.getDate()}`;
  if (bucketMs >= 86_400_000) return day;
  let time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (bucketMs < 60_000) time += `:${pad(d.getSeconds())}`;
  return spanMs > 86_400_000 ? `${day} ${time}` : time;
}

export const STATUS_LABEL: Record<string, string> = {
  pending: "pending",
  running: "running",
  waiting_for_interaction: "waiting",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

/** QuickJS hands results back as JSON text, sometimes nested: undo up to four layers. */
export function unwrapJson(value: unknown, depth = 4): unknown {
  let current = value;
  for (let i = 0; i < depth && typeof current === "string"; i++) {
    const text = current.trim();
    if (!/^[[{"]/.test(text)) break;
    try {
      current = JSON.parse(text);
    } catch {
      break;
    }
  }
  return current;
}

export function prettyJson(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2) ?? String(value);
}

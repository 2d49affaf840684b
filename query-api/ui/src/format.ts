/** How times, durations and values read on the page. */

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() &&
  a.getMonth() === b.getMonth() &&
  a.getDate() === b.getDate();

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/*
 * Counts and month names are written here rather than by `toLocaleString`: a page's first call
 * into Intl costs about 15 ms in Chromium (its locale data), and the first render made one
 * (measured in fresh pages: 14.5–15.9 ms for the first call, about 0.01 ms for later ones).
 */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Nov`: the month as `toLocaleString("en", { month: "short" })` writes it. */
export function monthText(d: Date): string {
  return MONTHS[d.getMonth()]!;
}

/** `12,345`: an integer as `toLocaleString("en")` writes it (anything else, by it). */
export function integerText(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en");
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ",");
  return n < 0 ? `-${digits}` : digits;
}

/** `14:03:27` today, `Nov 21 14:03:27` another day. */
export function startedText(ms: number, now = new Date()): string {
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (sameDay(d, now)) return time;
  return `${monthText(d)} ${d.getDate()} ${time}`;
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

/** `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago` (`in …` for a time ahead of the clock). */
export function relativeText(ms: number, nowMs = Date.now()): string {
  const d = nowMs - ms;
  const abs = Math.abs(d);
  const text =
    abs < 1000
      ? null
      : abs < 60_000
        ? `${Math.floor(abs / 1000)} s`
        : abs < 3_600_000
          ? `${Math.floor(abs / 60_000)} min`
          : abs < 86_400_000
            ? `${Math.floor(abs / 3_600_000)} h`
            : `${Math.floor(abs / 86_400_000)} d`;
  if (text === null) return "just now";
  return d >= 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A run's start as the list shows it: local time, how long ago, and the tooltip (the list,
 * and a first screen the query API rendered in its own time zone, first-screen/served.ts).
 */
export function startedCell(
  ms: number,
  nowMs: number,
): { text: string; ago: string; title: string } {
  return {
    text: startedText(ms),
    ago: ` · ${relativeText(ms, nowMs)}`,
    title: timeTitle(ms, nowMs),
  };
}

/** UTC, to the millisecond: `2026-12-05 03:09:26.424 UTC`. */
export function utcText(ms: number): string {
  return `${new Date(ms).toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

/** A time three ways, one per line: how long ago, local with its offset, and UTC. */
export function timeTitle(ms: number, nowMs = Date.now()): string {
  return `${relativeText(ms, nowMs)}\n${fullTime(ms)} local\n${utcText(ms)}`;
}

/** The browser's time zone, for labels of local times (`Europe/Berlin`, `UTC+01:00`). */
export function localZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) return zone;
  return fullTime(Date.now()).slice(-6);
}

/** Local date and time to the second: `2026-12-05 03:09:26`. */
export function localSecond(ms: number): string {
  return fullTime(ms).slice(0, 19);
}

/** An unfinished run's time so far (started, else created), for the duration column. */
export function elapsedMs(
  run: { status: string; stale: boolean; startedAt: number | null; createdAt: number },
  nowMs: number,
): number | null {
  if (run.stale || (run.status !== "running" && run.status !== "waiting_for_interaction")) {
    return null;
  }
  return Math.max(0, nowMs - (run.startedAt ?? run.createdAt));
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

/** A bucket size as a reader says it: `30 s`, `5 min`, `1 h`, `1 d`. */
export function stepText(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  if (ms < 86_400_000) return `${ms / 3_600_000} h`;
  return `${ms / 86_400_000} d`;
}

export function countText(n: number): string {
  if (n < 10_000) return integerText(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

/**
 * The bucket label on the timeline axis: precise enough for the bucket size, with the date
 * when the chart covers more than a day.
 */
export function bucketText(ms: number, bucketMs: number, spanMs = 0): string {
  const d = new Date(ms);
  const day = `${monthText(d)} ${d.getDate()}`;
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

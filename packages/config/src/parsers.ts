import { ConfigError } from "./config-error.ts";

/**
 * Typed parsers of setting values, as the environment gives them (text) or code does: each
 * names the setting's key and what it accepts when the value cannot be used. An empty or
 * missing value is the fallback.
 */

interface IntegerValue {
  key: string;
  value: string | number | undefined;
  fallback: number;
  min: number;
  max: number;
}

/** An integer setting in [min, max]. */
export function parseInteger({ key, value, fallback, min, max }: IntegerValue): number {
  if (value === undefined || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(value.trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return n;
}

/** A TCP port, 0–65535 (0: any free port). */
export function parsePort({
  key,
  value,
  fallback,
}: {
  key: string;
  value: string | undefined;
  fallback: number;
}): number {
  const text = value?.trim() || String(fallback);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new ConfigError(key, `"${text}" is not a port number (0-65535)`);
  }
  return port;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `90s`, `30m`, `1h`, `2d`, `500ms`, or a bare number of seconds, as milliseconds. */
export function parseDurationMs(key: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? "s"]! : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new ConfigError(key, `"${text}" is not a duration such as 90s, 30m, 1h or 2d`);
  }
  return Math.round(ms);
}

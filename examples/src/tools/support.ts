/**
 * Helpers shared by the fake tools: deterministic latency, argument checks and named errors.
 * Nothing here touches the network or the real file system.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ToolArgs } from "../sandbox/index.ts";

/** A tool failure; `name` becomes the tool span's `error.type` (`NotFoundError`, …). */
export class ToolError extends Error {
  override readonly name: string;

  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** FNV-1a of a string: the same call always gets the same latency and the same fake data. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Waits between `minMillis` and `maxMillis`, chosen by the call (path and arguments). */
export function latency(key: string, minMillis: number, maxMillis: number): Promise<void> {
  const span = Math.max(0, maxMillis - minMillis);
  return sleep(minMillis + (hash(key) % (span + 1)));
}

/**
 * Waits long enough to outlive a demo, without keeping the process alive: the demo's
 * in-progress runs stay `running` when it exits.
 */
export function longWait(millis: number): Promise<void> {
  return sleep(millis, undefined, { ref: false });
}

export function requireString(args: ToolArgs, key: string): string {
  const value = args[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ToolError("InvalidArgumentError", `"${key}" must be a non-empty string`);
  }
  return value;
}

export function optionalString(args: ToolArgs, key: string): string | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new ToolError("InvalidArgumentError", `"${key}" must be a string`);
  return value;
}

export function optionalNumber(args: ToolArgs, key: string, fallback: number): number {
  const value = args[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ToolError("InvalidArgumentError", `"${key}" must be a number`);
  }
  return value;
}

/** A fixed point in time for fake timestamps, so data does not drift between runs. */
export const FIXTURE_EPOCH = Date.UTC(2026, 4, 4, 9, 0, 0);

export function isoDaysAgo(days: number): string {
  return new Date(FIXTURE_EPOCH - days * 86_400_000).toISOString();
}

/**
 * @module
 * The delivery test's seeds and run counts, read from the environment.
 */

/** Seed count and first seed from the environment (`RUNTRACE_DELIVERY_SEEDS`, `…_SEED`). */
export function seedsFromEnv(env: NodeJS.ProcessEnv = process.env): number[] {
  const count = positiveInt(env.RUNTRACE_DELIVERY_SEEDS, 20, "RUNTRACE_DELIVERY_SEEDS");
  const first = positiveInt(env.RUNTRACE_DELIVERY_SEED, 1, "RUNTRACE_DELIVERY_SEED");
  return Array.from({ length: count }, (_, i) => first + i);
}

/** `RUNTRACE_DELIVERY_RUNS=lo-hi`: how many runs each seed generates. */
export function runCountFromEnv(
  fallback: readonly [number, number],
  env: NodeJS.ProcessEnv = process.env,
): readonly [number, number] {
  const text = env.RUNTRACE_DELIVERY_RUNS;
  if (text === undefined || text.trim() === "") return fallback;
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m || Number(m[1]) > Number(m[2]) || Number(m[1]) < 1) {
    throw new Error(`RUNTRACE_DELIVERY_RUNS must be "lo-hi" (e.g. 15-40): ${text}`);
  }
  return [Number(m[1]), Number(m[2])];
}

function positiveInt(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer: ${text}`);
  return n;
}

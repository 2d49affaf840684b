/** A small seeded PRNG (mulberry32) and the helpers the delivery test draws with. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    // Spread small seeds apart so that seeds 1, 2, 3… start far from each other.
    this.#state = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + 0x6d2b79f5) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** An index drawn with weight 1/(i+1)^skew: the first items come up most often. */
  skewedIndex(length: number, skew = 1): number {
    const weights = Array.from({ length }, (_, i) => 1 / (i + 1) ** skew);
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return length - 1;
  }

  /** Fisher–Yates, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let out = "";
    while (out.length < n)
      out += Math.floor(this.next() * 0x10000)
        .toString(16)
        .padStart(4, "0");
    return out.slice(0, n);
  }

  /** An integer in [1, max] drawn log-uniformly: small sizes as often as large ones. */
  logSize(max: number): number {
    return Math.min(max, Math.max(1, Math.floor(Math.exp(this.next() * Math.log(max + 1)))));
  }
}

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

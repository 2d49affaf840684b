/**
 * A seeded random generator (mulberry32): the same seed draws the same values, so a test's
 * random input, a benchmark's load and the demo's runs can be replayed. Small, fast, and plenty
 * random to cover a schema or pick words; not for anything secret.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A generator whose neighbouring seeds (1, 2, 3…) start far from each other. */
  static spread(seed: number): SeededRandom {
    return new SeededRandom(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + 0x6d2b79f5);
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
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
    return items[this.below(items.length)] as T;
  }

  /** Fisher–Yates, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
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

  /** An integer in [1, max] drawn log-uniformly: small sizes as often as large ones. */
  logSize(max: number): number {
    return Math.min(max, Math.max(1, Math.floor(Math.exp(this.next() * Math.log(max + 1)))));
  }

  /** A float in [min, max) drawn log-uniformly: heavy-tailed sizes and durations. */
  logUniform(min: number, max: number): number {
    return Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let out = "";
    while (out.length < n) out += this.below(0x10000).toString(16).padStart(4, "0");
    return out.slice(0, n);
  }

  u32(): number {
    return this.below(4294967296);
  }

  /** A random 64-bit pattern. */
  big64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.below(256);
    return out;
  }
}

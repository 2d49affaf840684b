/**
 * The last `capacity` keys seen, in insertion order. A span delivered again within this window
 * (an exporter retrying after a lost acknowledgement) is recognised and not stored twice.
 */
export class RecentKeys {
  readonly #capacity: number;
  readonly #set = new Set<string>();
  readonly #ring: string[];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.trunc(capacity));
    this.#ring = new Array<string>(this.#capacity);
  }

  has(key: string): boolean {
    return this.#set.has(key);
  }

  add(key: string): void {
    if (this.#capacity === 0 || this.#set.has(key)) return;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#set.delete(evicted);
    this.#ring[this.#next] = key;
    this.#set.add(key);
    this.#next = (this.#next + 1) % this.#capacity;
  }

  get size(): number {
    return this.#set.size;
  }
}

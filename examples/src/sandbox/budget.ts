/**
 * The time limit of one run, as a budget that only drains while the code may run: waiting for a
 * human to answer an elicitation stops the clock, so an approval that takes minutes does not
 * turn into a timeout.
 */
export class TimeBudget {
  readonly limitMillis: number;
  readonly #onExpired: () => void;
  #remainingMillis: number;
  #runningSince: number | undefined;
  #holds = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `onExpired` runs once, when the budget runs out while the code is idle (awaiting a tool). */
  constructor(limitMillis: number, onExpired: () => void) {
    this.limitMillis = limitMillis;
    this.#remainingMillis = limitMillis;
    this.#onExpired = onExpired;
  }

  /** Starts (or restarts after `hold`) the clock. */
  start(): void {
    if (this.#runningSince !== undefined) return;
    this.#runningSince = Date.now();
    this.#timer = setTimeout(() => this.#onExpired(), Math.max(0, this.#remainingMillis));
    // A run left waiting on purpose (the demo's in-progress runs) must not keep the process up.
    this.#timer.unref();
  }

  /** Stops the clock until every hold is released. */
  hold(): () => void {
    this.#holds += 1;
    this.#pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      if (this.#holds === 0) this.start();
    };
  }

  /** True once the budget is spent; read by QuickJS's interrupt handler while code runs. */
  get expired(): boolean {
    const running = this.#runningSince === undefined ? 0 : Date.now() - this.#runningSince;
    return this.#remainingMillis - running <= 0;
  }

  /** Stops the clock for good. */
  stop(): void {
    this.#pause();
    this.#holds = Number.POSITIVE_INFINITY;
  }

  #pause(): void {
    if (this.#runningSince === undefined) return;
    this.#remainingMillis -= Date.now() - this.#runningSince;
    this.#runningSince = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * One run of JavaScript in a fresh QuickJS runtime: globals (`console`, `tools`, `elicit`), the
 * time and memory limits, and the job loop that lets the code `await` host work. No telemetry
 * here: the sandbox wraps this in spans.
 *
 * Host functions return QuickJS promises that the host settles when its own async work ends,
 * then runs the VM's pending jobs. (The asyncify build's `newAsyncifiedFunction` would make the
 * calls look synchronous, but in quickjs-emscripten 0.32.0 a second awaited asyncified call
 * corrupts the runtime — quickjs-emscripten#258 — so promises are the reliable bridge. They also
 * let `Promise.all` run tool calls concurrently.)
 */
import {
  type DisposableResult,
  newQuickJSWASMModule,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSWASMModule,
} from "quickjs-emscripten";
import { TimeBudget } from "./budget.ts";
import { SandboxFaultError, SandboxMemoryError, SandboxTimeoutError } from "./errors.ts";
import { errorFromVm, errorToVm, formatLogArgs, fromVm, toVm } from "./marshal.ts";

export type ConsoleLevel = "debug" | "info" | "warn" | "error";

/** What the code can reach outside the VM. Every method may be async; none gets VM handles. */
export interface VmHost {
  callTool(path: string, args: unknown): Promise<unknown>;
  /** The `elicit(request)` global. */
  elicit(request: unknown): Promise<unknown>;
  log(level: ConsoleLevel, message: string): void;
}

/** Handed to the host factory: lets host work stop the time limit (a human answering). */
export interface VmControl {
  /** Stops the time-limit clock until the returned function is called. */
  holdClock(): () => void;
}

export interface VmLimits {
  timeoutMillis: number;
  memoryLimitBytes: number;
  maxStackBytes: number;
}

export interface VmRun {
  /** The body of an async function: it may `await`, and what it returns is the result. */
  code: string;
  /** Dotted tool paths, exposed as `tools.<path>(args)`. */
  toolPaths: readonly string[];
  /** Extra globals, as JSON values. */
  globals?: Readonly<Record<string, unknown>>;
  host: (control: VmControl) => VmHost;
  limits: VmLimits;
  /** Aborting stops the code at once; the outcome's error is the abort reason. */
  signal: AbortSignal;
}

export type VmOutcome = ({ ok: true; value: unknown } | { ok: false; error: unknown }) & {
  /** QuickJS heap in use when the run ended. */
  memoryUsedBytes?: number;
};

const CONSOLE_METHODS: ReadonlyArray<readonly [string, ConsoleLevel]> = [
  ["log", "info"],
  ["info", "info"],
  ["debug", "debug"],
  ["warn", "warn"],
  ["error", "error"],
];

let loaded: Promise<QuickJSWASMModule> | undefined;
let loadedModule: QuickJSWASMModule | undefined;

/**
 * The WebAssembly module, loaded once: every run gets its own runtime (heap, limits, interrupt
 * handler) inside it, which costs about a millisecond.
 */
export function quickJsModule(): Promise<QuickJSWASMModule> {
  loaded ??= newQuickJSWASMModule().then((module) => {
    loadedModule = module;
    return module;
  });
  return loaded;
}

/**
 * Stops handing out a module whose WebAssembly trapped: its stack pointer and allocator may be
 * inconsistent, so later runs get a fresh module (runs still inside it finish as they can).
 */
function retireModule(module: QuickJSWASMModule): void {
  if (loadedModule !== module) return;
  loaded = undefined;
  loadedModule = undefined;
}

/** Runs `run.code` to its end, its time limit, its memory limit or `run.signal`. */
export async function runInVm(run: VmRun): Promise<VmOutcome> {
  const module = await quickJsModule();
  return new VmSession(module, run).start();
}

// The code becomes the body of an async arrow function; `{` sits on line 1 so stack line numbers
// match the submitted code, and the newline ends a trailing `//` comment.
function wrap(code: string): string {
  return `(async () => {${code}\n})()`;
}

/** A failure of the WebAssembly itself, after which its state cannot be trusted. */
function isTrap(error: unknown): boolean {
  // `WebAssembly.RuntimeError` (unreachable, out-of-bounds access) is not in the TS libs here.
  if (error instanceof Error && error.name === "RuntimeError") return true;
  return error instanceof RangeError && error.message.includes("call stack");
}

class VmSession {
  readonly #run: VmRun;
  readonly #module: QuickJSWASMModule;
  readonly #ctx: QuickJSContext;
  readonly #budget: TimeBudget;
  readonly #host: VmHost;
  readonly #deferreds = new Set<QuickJSDeferredPromise>();
  #settle: (outcome: VmOutcome) => void = () => {};
  #finished = false;
  #disposed = false;
  /** Above zero while QuickJS is on the stack: the runtime must not be freed then. */
  #depth = 0;
  /** The WebAssembly trapped: this runtime must never be entered again, not even to free it. */
  #trapped = false;

  constructor(module: QuickJSWASMModule, run: VmRun) {
    this.#run = run;
    this.#module = module;
    this.#ctx = module.newContext();
    const runtime = this.#ctx.runtime;
    runtime.setMemoryLimit(run.limits.memoryLimitBytes);
    runtime.setMaxStackSize(run.limits.maxStackBytes);
    this.#budget = new TimeBudget(run.limits.timeoutMillis, () =>
      this.#finish({ ok: false, error: new SandboxTimeoutError(run.limits.timeoutMillis) }),
    );
    // Polled by QuickJS while code runs: a busy loop stops at the deadline or on abort.
    runtime.setInterruptHandler(() => this.#finished || this.#budget.expired);
    this.#host = run.host({ holdClock: () => this.#budget.hold() });
  }

  start(): Promise<VmOutcome> {
    const outcome = new Promise<VmOutcome>((resolve) => {
      this.#settle = resolve;
    });
    const { signal } = this.#run;
    if (signal.aborted) {
      this.#finish({ ok: false, error: signal.reason });
      return outcome;
    }
    signal.addEventListener("abort", this.#onAbort, { once: true });
    try {
      this.#install();
    } catch (error) {
      this.#finish({ ok: false, error });
      return outcome;
    }
    this.#budget.start();
    const evaluated = this.#enter(() => this.#ctx.evalCode(wrap(this.#run.code), "sandbox.js"));
    if (evaluated === undefined) return outcome;
    if (evaluated.error) {
      // A syntax error, or a limit hit before the first `await`.
      this.#finish({ ok: false, error: this.#takeError(evaluated.error) });
      return outcome;
    }
    const result = this.#ctx.resolvePromise(evaluated.value);
    evaluated.value.dispose();
    void result.then((settled) => this.#onResult(settled));
    this.#drain();
    return outcome;
  }

  readonly #onAbort = (): void => {
    this.#finish({ ok: false, error: this.#run.signal.reason });
  };

  #install(): void {
    const ctx = this.#ctx;
    const consoleObject = ctx.newObject();
    for (const [method, level] of CONSOLE_METHODS) {
      const fn = ctx.newFunction(method, (...args) => {
        try {
          this.#host.log(level, formatLogArgs(args.map((arg) => fromVm(ctx, arg))));
        } catch {
          // Logging must never break the code; a line that cannot be read is dropped.
        }
      });
      ctx.setProp(consoleObject, method, fn);
      fn.dispose();
    }
    ctx.setProp(ctx.global, "console", consoleObject);
    consoleObject.dispose();

    const tools = this.#toolTree();
    ctx.setProp(ctx.global, "tools", tools);
    tools.dispose();

    const elicit = ctx.newFunction("elicit", (request) =>
      this.#hostCall(request, (value) => this.#host.elicit(value)),
    );
    ctx.setProp(ctx.global, "elicit", elicit);
    elicit.dispose();

    for (const [name, value] of Object.entries(this.#run.globals ?? {})) {
      const handle = toVm(ctx, value);
      ctx.setProp(ctx.global, name, handle);
      handle.dispose();
    }
  }

  /** `tools.github.issues.list` and friends as nested objects of host functions. */
  #toolTree(): QuickJSHandle {
    const ctx = this.#ctx;
    const root = ctx.newObject();
    const objects = new Map<string, QuickJSHandle>([["", root]]);
    try {
      for (const path of this.#run.toolPaths) {
        const parts = path.split(".");
        const name = parts.pop();
        if (name === undefined || name === "") throw new Error(`invalid tool path "${path}"`);
        let parent = root;
        let prefix = "";
        for (const part of parts) {
          prefix = prefix === "" ? part : `${prefix}.${part}`;
          let object = objects.get(prefix);
          if (object === undefined) {
            object = ctx.newObject();
            objects.set(prefix, object);
            ctx.setProp(parent, part, object);
          }
          parent = object;
        }
        const fn = ctx.newFunction(path, (args) =>
          this.#hostCall(args, (value) => this.#host.callTool(path, value)),
        );
        ctx.setProp(parent, name, fn);
        fn.dispose();
      }
      return root.dup();
    } finally {
      for (const object of objects.values()) object.dispose();
    }
  }

  /**
   * A VM promise for host work on the (copied) argument: settled when `work` is, then the code
   * waiting on it runs.
   */
  #hostCall(
    arg: QuickJSHandle | undefined,
    work: (value: unknown) => Promise<unknown>,
  ): QuickJSHandle | { error: QuickJSHandle } {
    let value: unknown;
    try {
      value = arg === undefined ? undefined : fromVm(this.#ctx, arg);
    } catch (error) {
      return { error: errorToVm(this.#ctx, error) };
    }
    const deferred = this.#ctx.newPromise();
    this.#deferreds.add(deferred);
    let pending: Promise<unknown>;
    try {
      pending = work(value);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => this.#settleDeferred(deferred, true, value),
      (error: unknown) => this.#settleDeferred(deferred, false, error),
    );
    return deferred.handle;
  }

  #settleDeferred(deferred: QuickJSDeferredPromise, ok: boolean, value: unknown): void {
    // After the end the VM is gone or going; the deferred is disposed with it.
    if (this.#finished || !this.#deferreds.delete(deferred)) return;
    const ctx = this.#ctx;
    this.#enter(() => {
      let handle: QuickJSHandle;
      let resolved = ok;
      try {
        handle = ok ? toVm(ctx, value) : errorToVm(ctx, value);
      } catch (error) {
        // A result JSON cannot carry (BigInt) or too big for the memory limit.
        handle = errorToVm(ctx, error);
        resolved = false;
      }
      if (resolved) deferred.resolve(handle);
      else deferred.reject(handle);
      handle.dispose();
      deferred.dispose();
    });
    this.#drain();
  }

  /** Runs the VM's pending jobs: the code continues past the `await`s that can now proceed. */
  #drain(): void {
    const runtime = this.#ctx.runtime;
    while (!this.#finished && runtime.hasPendingJob()) {
      const result = this.#enter(() => runtime.executePendingJobs());
      // Jobs turn ordinary throws into rejections; what escapes is the interrupt or out of memory.
      if (result?.error) this.#finish({ ok: false, error: this.#takeError(result.error) });
    }
  }

  #onResult(settled: DisposableResult<QuickJSHandle, QuickJSHandle>): void {
    if (settled.error) {
      const error = this.#takeError(settled.error);
      this.#finish({ ok: false, error });
      return;
    }
    try {
      // Dumping a deeply nested result can overflow the host stack: it goes through `#enter`.
      const value = this.#enter(() => fromVm(this.#ctx, settled.value));
      if (!this.#trapped) this.#finish({ ok: true, value });
    } catch (error) {
      this.#finish({ ok: false, error });
    } finally {
      if (!this.#trapped) settled.value.dispose();
    }
  }

  /** A thrown VM value as a host error (and disposes it), naming the limit that stopped it. */
  #takeError(handle: QuickJSHandle): unknown {
    const { limits } = this.#run;
    try {
      if (this.#budget.expired) return new SandboxTimeoutError(limits.timeoutMillis);
      const dumped = this.#enter(() => fromVm(this.#ctx, handle));
      if (this.#trapped) return undefined;
      const error = errorFromVm(dumped);
      if (error.name === "InternalError" && error.message === "out of memory") {
        return new SandboxMemoryError(limits.memoryLimitBytes);
      }
      return error;
    } catch {
      // Dumping needs memory too: when even that fails, the heap is full.
      return new SandboxMemoryError(limits.memoryLimitBytes);
    } finally {
      if (!this.#trapped) handle.dispose();
    }
  }

  #finish(outcome: VmOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#budget.stop();
    this.#run.signal.removeEventListener("abort", this.#onAbort);
    const memoryUsedBytes = this.#memoryUsed();
    this.#settle(memoryUsedBytes === undefined ? outcome : { ...outcome, memoryUsedBytes });
    // Later: a result handle may still be on its way through a microtask, and QuickJS may be on
    // the stack (an abort raised from inside a host function).
    setImmediate(() => this.#dispose());
  }

  #memoryUsed(): number | undefined {
    if (this.#trapped) return undefined;
    const ctx = this.#ctx;
    try {
      // Read the one property: `dump` would JSON the whole object, which needs memory the run
      // may just have exhausted.
      const usage = ctx.runtime.computeMemoryUsage();
      const used = ctx.getProp(usage, "memory_used_size");
      usage.dispose();
      const value = ctx.typeof(used) === "number" ? ctx.getNumber(used) : undefined;
      used.dispose();
      return value;
    } catch {
      return undefined;
    }
  }

  #dispose(): void {
    if (this.#disposed) return;
    if (this.#depth > 0) {
      setImmediate(() => this.#dispose());
      return;
    }
    this.#disposed = true;
    // A trapped runtime is left to the retired module's garbage collection.
    if (this.#trapped) return;
    for (const deferred of this.#deferreds) deferred.dispose();
    this.#deferreds.clear();
    // Disposing the context frees its runtime too (`newContext` made the runtime its own).
    this.#ctx.dispose();
  }

  /**
   * Calls into QuickJS; undefined when that threw. QuickJS reports the code's errors as values;
   * an exception here is mostly the WebAssembly itself failing — typically V8's stack
   * overflowing in deep recursion QuickJS does not bound (a deeply nested `JSON.parse`). The run
   * then fails and the runtime is abandoned.
   */
  #enter<T>(fn: () => T): T | undefined {
    if (this.#trapped) return undefined;
    this.#depth += 1;
    try {
      return fn();
    } catch (error) {
      if (isTrap(error)) {
        this.#trapped = true;
        retireModule(this.#module);
        this.#finish({ ok: false, error: new SandboxFaultError(error) });
      } else {
        // The library refusing something (a use after free would be a bug here): fail the run.
        this.#finish({ ok: false, error });
      }
      return undefined;
    } finally {
      this.#depth -= 1;
    }
  }
}

/**
 * Moving values across the sandbox boundary. Only JSON crosses it: tool arguments and results,
 * the return value and thrown errors, so the host never holds a live QuickJS object.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
import { SandboxError } from "./errors.ts";

/** A host value (JSON-serializable) as a new VM handle; the caller disposes it. */
export function toVm(ctx: QuickJSContext, value: unknown): QuickJSHandle {
  const json = value === undefined ? undefined : JSON.stringify(value);
  if (json === undefined) return ctx.undefined;
  // JSON.parse inside the VM rebuilds the value there in one call, whatever its shape.
  const text = ctx.newString(json);
  const JSONHandle = ctx.getProp(ctx.global, "JSON");
  try {
    return ctx.unwrapResult(ctx.callMethod(JSONHandle, "parse", [text]));
  } finally {
    JSONHandle.dispose();
    text.dispose();
  }
}

/** A VM value as a host value (JSON semantics: functions and cycles do not survive). */
export function fromVm(ctx: QuickJSContext, handle: QuickJSHandle): unknown {
  // `dump` disposes a promise handle it is given; a copy keeps borrowed handles (host-function
  // arguments, which the library frees itself) intact.
  const copy = handle.dup();
  try {
    return ctx.dump(copy);
  } finally {
    if (copy.alive) copy.dispose();
  }
}

/** A host error as a VM `Error` with the same name and message; the caller disposes it. */
export function errorToVm(ctx: QuickJSContext, error: unknown): QuickJSHandle {
  if (error instanceof Error) return ctx.newError({ name: error.name, message: error.message });
  return ctx.newError(String(error));
}

/** What the sandbox threw (any value) as a host error. */
export function errorFromVm(dumped: unknown): SandboxError {
  if (typeof dumped === "object" && dumped !== null && "message" in dumped) {
    const { name, message, stack } = dumped as {
      name?: unknown;
      message?: unknown;
      stack?: unknown;
    };
    return new SandboxError(
      typeof name === "string" && name.length > 0 ? name : "Error",
      String(message),
      typeof stack === "string" && stack.length > 0 ? stack.trimEnd() : undefined,
    );
  }
  if (dumped === null) {
    // QuickJS also throws null when memory runs out while it builds the error object (the
    // heap is freed again by the time the host looks, so the two cannot be told apart).
    return new SandboxError(
      "Error",
      "null was thrown (QuickJS throws null when it runs out of memory while raising an error)",
    );
  }
  // `throw "text"` or `throw { code: 1 }`: no name to keep, the value becomes the message.
  return new SandboxError("Error", typeof dumped === "string" ? dumped : safeJson(dumped));
}

/** `console.log` arguments as one line: strings as they are, errors as `Name: message`, else JSON. */
export function formatLogArgs(args: readonly unknown[]): string {
  return args.map(formatLogArg).join(" ");
}

function formatLogArg(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "message" in value && "stack" in value) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    return `${String(name ?? "Error")}: ${String(message)}`;
  }
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

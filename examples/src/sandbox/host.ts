/**
 * What one run's code reaches outside QuickJS, wired to its execution: tool calls recorded as
 * tool calls, `elicit` as interactions, `console.*` as log events.
 */
import type { Execution } from "@runtrace/sdk";
import { type ElicitationHandler, elicit, parseElicitationRequest } from "./elicitation.ts";
import type { LogEntry, ToolArgs, ToolContext, ToolRegistry } from "./types.ts";
import type { ConsoleLevel, VmControl, VmHost } from "./vm.ts";

export interface HostOptions {
  execution: Execution;
  scopeId: string;
  tools: ToolRegistry;
  onElicitation: ElicitationHandler | undefined;
  control: VmControl;
  /** Ends the run (a cancelling or pausing answer). */
  stop(reason: Error): void;
  logs: RunLogs;
}

export function createHost(options: HostOptions): VmHost {
  const { execution, tools, logs } = options;
  const scope = {
    execution,
    handler: options.onElicitation,
    holdClock: () => options.control.holdClock(),
    stop: options.stop,
  };
  const context: ToolContext = {
    executionId: execution.id,
    scopeId: options.scopeId,
    elicit: (request) => elicit(scope, parseElicitationRequest(request)),
  };
  return {
    callTool: (path, args) =>
      execution.toolCall({ path, args }, () => callTool(tools, path, args, context)),
    elicit: async (request) => elicit(scope, parseElicitationRequest(request)),
    log: (level, message) => logs.add(level, message),
  };
}

/** The run's console lines, capped: console spam must not flood the trace. */
export class RunLogs {
  readonly entries: LogEntry[] = [];
  readonly #execution: Execution;
  readonly #max: number;
  #dropped = 0;

  constructor(execution: Execution, max: number) {
    this.#execution = execution;
    this.#max = max;
  }

  add(level: ConsoleLevel, message: string): void {
    if (this.entries.length >= this.#max) {
      this.#dropped += 1;
      return;
    }
    this.entries.push({ time: Date.now(), level, message });
    this.#execution.log(message, level);
  }

  /** Says how many lines were dropped, if any. */
  close(): void {
    if (this.#dropped > 0) this.#execution.log(`${this.#dropped} more log lines dropped`, "warn");
  }
}

async function callTool(
  tools: ToolRegistry,
  path: string,
  args: unknown,
  context: ToolContext,
): Promise<unknown> {
  const handler = Object.hasOwn(tools, path) ? tools[path] : undefined;
  if (handler === undefined) throw new TypeError(`tools.${path} is not a tool`);
  return handler(toolArgs(path, args), context);
}

function toolArgs(path: string, args: unknown): ToolArgs {
  if (args === undefined || args === null) return {};
  if (typeof args === "object" && !Array.isArray(args)) return args as ToolArgs;
  throw new TypeError(`tools.${path} expects one object argument, got ${JSON.stringify(args)}`);
}

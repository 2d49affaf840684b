/**
 * Elicitation: the code (the `elicit` global) or a tool (`context.elicit`) asks the user for
 * input. It is recorded as an `executor.interaction` and answered by the caller's handler.
 * Following the seed, `accept` continues the code with the answer, `decline` and `cancel`
 * cancel the execution; `pause` stops the VM so the execution can resume elsewhere.
 */
import type { Execution } from "@runtrace/sdk";
import { ExecutionCancelledError, ExecutionPausedSignal } from "./errors.ts";

export type ElicitationRequest =
  /** Structured input, e.g. an approval; `schema` is a JSON Schema of the expected answer. */
  | { kind: "form"; message: string; schema?: Record<string, unknown> }
  /** The user visits a URL (OAuth consent, a payment page…). */
  | { kind: "url"; message: string; url: string };

export type ElicitationResponse =
  | { action: "accept"; content?: unknown }
  | { action: "decline" | "cancel" }
  /** Nobody answers in this process: pause the execution (see `ExecuteResult` `paused`). */
  | { action: "pause" };

/** Answers an elicitation; may take as long as a human needs (the time limit is stopped). */
export type ElicitationHandler = (
  request: ElicitationRequest,
  info: { executionId: string; interactionId: string },
) => ElicitationResponse | Promise<ElicitationResponse>;

/** What the elicitation needs from the run it belongs to. */
export interface ElicitationScope {
  readonly execution: Execution;
  readonly handler: ElicitationHandler | undefined;
  /** Stops the time limit while a human answers; returns the release. */
  holdClock(): () => void;
  /** Ends the run with this reason (cancel or pause). */
  stop(reason: Error): void;
}

/** Thrown inside the sandbox when nobody can answer. */
export class ElicitationUnavailableError extends Error {
  override readonly name = "ElicitationUnavailableError";

  constructor() {
    super("elicit: this execution has no one to answer (no elicitation handler)");
  }
}

/** Validates what the code passed to `elicit` (a TypeError inside the sandbox otherwise). */
export function parseElicitationRequest(value: unknown): ElicitationRequest {
  if (typeof value !== "object" || value === null) {
    throw new TypeError("elicit expects { kind, message, ... }");
  }
  const { kind, message, schema, url } = value as Record<string, unknown>;
  if (typeof message !== "string" || message === "") {
    throw new TypeError("elicit: message must be a non-empty string");
  }
  if (kind === "url") {
    if (typeof url !== "string" || !URL.canParse(url)) {
      throw new TypeError("elicit: a url elicitation needs a valid url");
    }
    return { kind, message, url };
  }
  if (kind === undefined || kind === "form") {
    const form: ElicitationRequest = { kind: "form", message };
    if (typeof schema === "object" && schema !== null) {
      form.schema = schema as Record<string, unknown>;
    }
    return form;
  }
  throw new TypeError(`elicit: kind must be "form" or "url", got ${JSON.stringify(kind)}`);
}

/** Raises the interaction, waits for the handler and applies its answer. */
export async function elicit(
  scope: ElicitationScope,
  request: ElicitationRequest,
): Promise<unknown> {
  const { execution, handler } = scope;
  if (handler === undefined) throw new ElicitationUnavailableError();
  if (execution.pendingInteraction !== undefined) {
    throw new Error("elicit: another elicitation is still waiting for an answer");
  }
  const interaction = execution.interaction({
    kind: request.kind,
    purpose: request.message,
    payload: request,
  });
  const release = scope.holdClock();
  let response: ElicitationResponse;
  try {
    response = await handler(request, { executionId: execution.id, interactionId: interaction.id });
  } catch (error) {
    interaction.cancel({ error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    release();
  }
  switch (response.action) {
    case "accept":
      interaction.resolve(response);
      return response.content;
    case "pause": {
      // The interaction stays pending: the paused state carries it to whoever resumes.
      const signal = new ExecutionPausedSignal();
      scope.stop(signal);
      throw signal;
    }
    default: {
      interaction.cancel(response);
      const cancelled = new ExecutionCancelledError();
      scope.stop(cancelled);
      throw cancelled;
    }
  }
}

import type { InteractionKind, InteractionStatus } from "@runtrace/semconv";
import { guard, warnMisuse } from "./guard.ts";

/** How a handle reaches the execution that owns its interaction. */
export interface InteractionControl {
  status(): InteractionStatus;
  /** Records the answer; false when nothing was recorded (e.g. the execution already ended). */
  settle(status: Exclude<InteractionStatus, "pending">, response: unknown): boolean;
}

/**
 * Handle of one interaction. Answering it ends its span and puts the execution back to
 * `running`. Answering twice, or after the execution ended or paused, only warns.
 */
export class Interaction {
  /** Interaction id (`executor.interaction.id`). */
  readonly id: string;
  readonly kind: InteractionKind;
  readonly purpose: string | undefined;
  readonly #control: InteractionControl;

  constructor(
    id: string,
    kind: InteractionKind,
    purpose: string | undefined,
    control: InteractionControl,
  ) {
    this.id = id;
    this.kind = kind;
    this.purpose = purpose;
    this.#control = control;
  }

  /** `pending` until resolved or cancelled (an execution that ends first cancels it). */
  get status(): InteractionStatus {
    return this.#control.status();
  }

  /** The user answered; `response` is recorded as JSON. */
  resolve(response?: unknown): void {
    this.#answer("resolved", response);
  }

  /** The user declined or the request was withdrawn; `response` is recorded as JSON. */
  cancel(response?: unknown): void {
    this.#answer("cancelled", response);
  }

  #answer(status: Exclude<InteractionStatus, "pending">, response: unknown): void {
    const current = this.#control.status();
    if (current !== "pending") {
      warnMisuse(`interaction ${this.id} is already ${current}; ${status} ignored`);
      return;
    }
    guard("answering an interaction", () => this.#control.settle(status, response), false);
  }
}

/** A handle for an interaction that is not recorded (the execution ended, or one is pending). */
export function inertInteraction(
  options: { kind?: InteractionKind; purpose?: string } | undefined,
): Interaction {
  return new Interaction(
    globalThis.crypto.randomUUID(),
    options?.kind ?? "form",
    options?.purpose,
    {
      status: () => "cancelled",
      settle: () => false,
    },
  );
}

/** The demo's stand-in for a human answering elicitations. */
import { setTimeout as sleep } from "node:timers/promises";
import type { ElicitationHandler } from "../sandbox/index.ts";
import type { AnswerPolicy } from "./programs.ts";

/** Answers after `thinkMillis`, as the policy says. */
export function answer(policy: AnswerPolicy, thinkMillis: number): ElicitationHandler {
  return async () => {
    await sleep(thinkMillis);
    switch (policy) {
      case "approve":
        return { action: "accept", content: { approve: true } };
      case "deny":
        return { action: "accept", content: { approve: false, reason: "not during the freeze" } };
      case "decline":
        return { action: "decline" };
      case "dismiss":
        return { action: "cancel" };
    }
  };
}

/** Nobody answers in this process: the execution pauses (to be resumed elsewhere). */
export const pauseForLater: ElicitationHandler = () => ({ action: "pause" });

/**
 * Nobody ever answers: the execution stays `waiting_for_interaction`. `asked` resolves once the
 * question was raised, so the demo knows that state was reported.
 */
export function neverAnswer(): { handler: ElicitationHandler; asked: Promise<void> } {
  let markAsked = () => {};
  const asked = new Promise<void>((resolve) => {
    markAsked = resolve;
  });
  return {
    asked,
    handler: () => {
      markAsked();
      return new Promise(() => {});
    },
  };
}

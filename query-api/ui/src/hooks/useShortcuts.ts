import { useEffect, useRef } from "react";

export type Shortcuts = Partial<Record<string, (event: KeyboardEvent) => void>>;

/** A text field, where keys are text. */
export function isField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

function interactive(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("button, a, summary, [role]") !== null;
}

/**
 * Page-wide keys (`j`, `r`, `/`, `?`, `b`, arrows, Enter, Escape). Keys typed into a field are
 * the field's, except Escape, which leaves it.
 */
export function useShortcuts(shortcuts: Shortcuts): void {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (isField(event.target) && event.key !== "Escape") return;
      // Enter and Space on a focused button or link are that control's own.
      if ((event.key === "Enter" || event.key === " ") && interactive(event.target)) return;
      const handler = ref.current[event.key];
      if (handler) {
        event.preventDefault();
        handler(event);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

import { useEffect, useRef } from "react";

export type Shortcuts = Partial<Record<string, (event: KeyboardEvent) => void>>;

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
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
      if (typing(event.target) && event.key !== "Escape") return;
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

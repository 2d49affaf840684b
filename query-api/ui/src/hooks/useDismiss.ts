import { type RefObject, useEffect, useRef } from "react";

/** A pop-up menu's box: while `open`, a mouse press outside it calls `close`. */
export function useDismiss(open: boolean, close: () => void): RefObject<HTMLDivElement | null> {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onPress = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) close();
    };
    document.addEventListener("mousedown", onPress);
    return () => document.removeEventListener("mousedown", onPress);
  }, [open, close]);
  return box;
}

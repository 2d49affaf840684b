import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { holdBehindFirstScreen } from "./first-screen/takeover.ts";

function render(root: HTMLElement): void {
  holdBehindFirstScreen(root);
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

const root = document.getElementById("root");
if (root) render(root);
else {
  // Started by a first screen while the page is still coming (its root is written before, so
  // this is a page that differs from what the query API writes): once it has been parsed.
  document.addEventListener("DOMContentLoaded", () => {
    const later = document.getElementById("root");
    if (!later) throw new Error("no #root element");
    render(later);
  });
}

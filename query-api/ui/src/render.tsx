import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { holdBehindFirstScreen } from "./first-screen/takeover.ts";

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
holdBehindFirstScreen(root);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The query API serves the built page at /runs (query-api/src/ui), so every asset URL is
// under /runs/. `npm run dev -w @runtrace/runs-ui` proxies the API to a running server.
export default defineConfig({
  base: "/runs/",
  plugins: [react()],
  // The workspaces' packages resolve to their TypeScript sources (runtrace-source), not to the
  // compiled dist/ they ship to runtimes.
  resolve: { conditions: ["runtrace-source", ...defaultClientConditions] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/v1": process.env.RUNTRACE_QUERY_URL ?? "http://127.0.0.1:8080",
    },
  },
});

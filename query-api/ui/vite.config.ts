import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { build, defaultClientConditions, defineConfig, type Plugin } from "vite";

// The workspaces' packages resolve to their TypeScript sources (runtrace-source), not to the
// compiled dist/ they ship to runtimes.
const conditions = ["runtrace-source", ...defaultClientConditions];

/**
 * Puts the page's first requests into index.html itself (`src/boot-inline.ts` as an inline
 * script in <head>): they leave while the HTML is parsed instead of after the entry script has
 * been fetched and run (about 20 ms earlier on a cold load, measured). Preloading the app's
 * chunk beside it was tried and left out: two paired runs disagreed on whether it helped (see
 * the README's UI benchmark).
 */
function inlineBoot(): Plugin {
  return {
    name: "runtrace-inline-boot",
    apply: "build",
    async transformIndexHtml() {
      const built = await build({
        configFile: false,
        logLevel: "warn",
        resolve: { conditions },
        build: {
          write: false,
          target: "es2022",
          minify: true,
          lib: {
            entry: fileURLToPath(new URL("src/boot-inline.ts", import.meta.url)),
            formats: ["iife"],
            name: "runtraceBoot",
          },
        },
      });
      const output = (Array.isArray(built) ? built[0] : built) as {
        output: { type: string; code?: string }[];
      };
      const code = output.output.find((o) => o.type === "chunk")?.code;
      if (!code) throw new Error("inlineBoot: the boot script built to nothing");
      return [
        // After the charset and viewport (the charset must come in the first 1024 bytes); it
        // runs as soon as it is parsed. Nothing in it may end the element early.
        {
          tag: "script",
          children: code.replaceAll("</", "<\\/").replaceAll("<!--", "<\\!--"),
          injectTo: "head",
        },
      ];
    },
  };
}

// The query API serves the built page at /runs (query-api/src/ui), so every asset URL is
// under /runs/. `npm run dev -w @runtrace/runs-ui` proxies the API to a running server.
export default defineConfig({
  base: "/runs/",
  plugins: [react(), inlineBoot()],
  resolve: { conditions },
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

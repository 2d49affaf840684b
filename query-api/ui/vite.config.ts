import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import {
  build,
  defaultClientConditions,
  defaultServerConditions,
  defineConfig,
  type Plugin,
} from "vite";

// The workspaces' packages resolve to their TypeScript sources (runtrace-source), not to the
// compiled dist/ they ship to runtimes.
const conditions = ["runtrace-source", ...defaultClientConditions];

/** Where index.html wants the boot script. */
const BOOT_MARKER = "<!-- runtrace:boot -->";

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
    transformIndexHtml: {
      // After Vite has added the entry's script and style links: the boot goes before them,
      // where index.html marks its place (after the charset, which must come in the first
      // 1024 bytes), and runs as soon as it is parsed — not after the style has loaded.
      order: "post",
      async handler(html) {
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
        if (!html.includes(BOOT_MARKER))
          throw new Error(`inlineBoot: index.html has no ${BOOT_MARKER}`);
        // Nothing in it may end the element early.
        const script = code.replaceAll("</", "<\\/").replaceAll("<!--", "<\\!--");
        return html.replace(BOOT_MARKER, () => `<script>${script}</script>`);
      },
    },
  };
}

// The query API serves the built page at /runs (query-api/src/ui), so every asset URL is
// under /runs/. `npm run dev -w @runtrace/runs-ui` proxies the API to a running server.
// `vite build --ssr` builds the first screen the query API renders (src/first-screen/server.tsx)
// into dist-server/first-screen.js: one file with React in it, nothing left to resolve.
export default defineConfig(({ isSsrBuild }) =>
  isSsrBuild
    ? {
        plugins: [react()],
        resolve: { conditions },
        ssr: {
          noExternal: true,
          resolve: { conditions: ["runtrace-source", ...defaultServerConditions] },
        },
        // React's production build: the query API's environment says nothing about it.
        define: { "process.env.NODE_ENV": JSON.stringify("production") },
        build: {
          outDir: "dist-server",
          emptyOutDir: true,
          target: "node20",
          ssr: "src/first-screen/server.tsx",
          rollupOptions: { output: { entryFileNames: "first-screen.js" } },
        },
      }
    : {
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
      },
);

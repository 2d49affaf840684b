/**
 * The entry point of the installed `runtrace` command (the `@runtrace/cli` package): bundled
 * with the workspaces it runs into `dist/runtrace.js` by `scripts/build-cli.mjs`, beside
 * `dist/runs-page/`, the built /runs page, and `dist/runs-first-screen/`, its first screen. In this repository `bin/runtrace.js` runs the sources
 * instead.
 */
import { fileURLToPath } from "node:url";
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2), {
  uiDir: fileURLToPath(new URL("./runs-page/", import.meta.url)),
  firstScreenDir: fileURLToPath(new URL("./runs-first-screen/", import.meta.url)),
  repository: false,
});

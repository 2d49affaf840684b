// Builds the /runs page (query-api/ui, a Vite + React app) into query-api/ui/dist, which the
// query API serves, and the first screen it renders into the page into query-api/ui/dist-server. `npm run build` runs it, and so does `npm install` / `npm ci` (the root
// `prepare` script), so a checkout has the page after its first install.
//
// Vite is a dev dependency: a production install (`npm ci --omit=dev`) has no Vite, and failing
// there would fail the whole install of a server that runs fine without the page (it answers
// /runs with a 503 "not built" page). So a missing Vite is a one-line notice and exit 0; the
// Docker image builds the page in a stage of its own that has the dev dependencies.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const UI_DIR = fileURLToPath(new URL("../query-api/ui/", import.meta.url));

/** Vite's CLI script as the UI workspace resolves it (hoisted or not), or undefined. */
function viteBin() {
  let manifest;
  try {
    manifest = createRequire(join(UI_DIR, "package.json")).resolve("vite/package.json");
  } catch {
    return undefined;
  }
  const { bin } = JSON.parse(readFileSync(manifest, "utf8"));
  return join(dirname(manifest), typeof bin === "string" ? bin : bin.vite);
}

const bin = viteBin();
if (!bin) {
  console.log(
    "runtrace: the /runs page is not built: vite is not installed (dev dependencies omitted)",
  );
  process.exit(0);
}
/** Runs vite with `args` through this Node (node_modules/.bin is a shell shim on Windows). */
function vite(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: UI_DIR, stdio: "inherit" });
    child.once("error", (error) => {
      console.error(`runtrace: could not run vite: ${error.message}`);
      resolve(1);
    });
    child.once("exit", (code, signal) => {
      if (signal) console.error(`runtrace: vite ${args.join(" ")} was stopped by ${signal}`);
      resolve(code ?? 1);
    });
  });
}

// The page (dist), then the first screen the query API renders into it (dist-server).
let code = await vite(["build"]);
if (code === 0) code = await vite(["build", "--ssr", "src/first-screen/server.tsx"]);
process.exit(code);

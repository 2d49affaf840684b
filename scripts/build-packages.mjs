// Compiles the packages a runtime installs — @runtrace/semconv, @runtrace/sdk, @runtrace/sdk-node —
// to ESM JavaScript with type declarations in each package's dist/, in dependency order (the
// SDK's declarations import the conventions' declarations). `npm pack` of any of them runs it
// (their `prepack` script). Inside this repository nothing runs dist/: the workspaces resolve
// these packages to their sources through the `runtrace-source` export condition.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = ["semconv", "sdk", "sdk-node"];
const tsc = createRequire(`${ROOT}package.json`).resolve("typescript/bin/tsc");

for (const name of PACKAGES) {
  const dir = `${ROOT}packages/${name}`;
  rmSync(`${dir}/dist`, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, "-p", `${dir}/tsconfig.build.json`], {
    // stderr only: `npm pack --json` prints its answer on stdout after this prepack script.
    stdio: ["ignore", 2, 2],
  });
}
console.error(`built: ${PACKAGES.map((name) => `packages/${name}/dist`).join(", ")}`);

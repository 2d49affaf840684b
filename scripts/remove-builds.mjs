// Removes build folders after `npm pack` (the packages' `postpack` script): the tarball has
// them, and a build left in the checkout could be run by mistake instead of the sources (npm
// links the `runtrace` bin to cli/dist/runtrace.js whenever it exists). Paths are relative to
// the repository's root.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
for (const dir of process.argv.slice(2)) rmSync(`${ROOT}${dir}`, { recursive: true, force: true });

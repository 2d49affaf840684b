#!/usr/bin/env node
// runtrace from this repository's TypeScript sources (`npm start`): tsx compiles them on load,
// and the workspaces resolve to their sources. The installed package runs dist/runtrace.js.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

register("./source-condition.js", import.meta.url);
registerTsx();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));

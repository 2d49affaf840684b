// Builds the installable `runtrace` command (@runtrace/cli) into cli/dist/: runtrace.js, one ES
// module bundling the workspaces it runs (collector, query API, storage, OTLP decoder, …) from
// their sources, which are not on the npm registry; the packages they use from the registry stay
// imports and must be the CLI's declared dependencies, at the versions this repository installs
// (checked here). Beside it, runs-page/: the built /runs page (`npm run build`, run first when
// missing), and runs-first-screen/, what the query API renders into it. `npm pack -w @runtrace/cli` runs this (its `prepack` script).
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = `${ROOT}cli/`;
const DIST = `${CLI}dist/`;
const UI_DIST = `${ROOT}query-api/ui/dist/`;
const FIRST_SCREEN_DIST = `${ROOT}query-api/ui/dist-server/`;

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Registry packages stay imports; the workspaces (@runtrace/*) are bundled from source. */
const registryExternal = {
  name: "registry-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || args.path.startsWith("@runtrace/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

rmSync(DIST, { recursive: true, force: true });
const result = await build({
  entryPoints: [`${CLI}src/installed.ts`],
  outfile: `${DIST}runtrace.js`,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  conditions: ["runtrace-source"],
  plugins: [registryExternal],
  banner: { js: "#!/usr/bin/env node" },
  metafile: true,
  logLevel: "warning",
  legalComments: "none",
});

// Every registry import must be a declared dependency, at the version installed here.
const manifest = JSON.parse(readFileSync(`${CLI}package.json`, "utf8"));
const declared = manifest.dependencies ?? {};
// Resolved by path at run time, not imported: the /docs viewer's assets (query-api/src/docs).
const imported = new Set(["swagger-ui-dist"]);
for (const output of Object.values(result.metafile.outputs)) {
  for (const { path, external } of output.imports) {
    if (external && !path.startsWith("node:")) imported.add(packageName(path));
  }
}
const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, "utf8"));
const problems = [];
for (const name of [...imported].sort()) {
  if (!(name in declared)) {
    problems.push(`${name} is imported by the bundle but not a dependency of @runtrace/cli`);
    continue;
  }
  const locked = lock.packages[`node_modules/${name}`]?.version;
  if (locked !== declared[name]) {
    problems.push(`${name}: @runtrace/cli asks ${declared[name]}, package-lock.json has ${locked}`);
  }
}
for (const name of Object.keys(declared)) {
  if (!imported.has(name))
    problems.push(`${name} is a dependency of @runtrace/cli the bundle never imports`);
}
if (problems.length > 0) {
  console.error(`build-cli: ${problems.join("\n  ")}`);
  process.exit(1);
}

if (!existsSync(`${UI_DIST}index.html`) || !existsSync(`${FIRST_SCREEN_DIST}first-screen.js`)) {
  const { execFileSync } = await import("node:child_process");
  execFileSync(process.execPath, [`${ROOT}scripts/build-ui.mjs`], { stdio: ["ignore", 2, 2] });
}
cpSync(UI_DIST, `${DIST}runs-page/`, { recursive: true });
cpSync(FIRST_SCREEN_DIST, `${DIST}runs-first-screen/`, { recursive: true });
console.error(
  `built: cli/dist/runtrace.js (imports ${[...imported].sort().join(", ")}), cli/dist/runs-page/, cli/dist/runs-first-screen/`,
);

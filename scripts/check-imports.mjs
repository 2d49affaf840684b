// Fails when a file imports another workspace's files by path instead of through that
// workspace's package entry points (its package.json "exports"): a workspace's src/ and test/
// are its own. Run by `npm run lint`.
//
// Usage: node scripts/check-imports.mjs
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIP = new Set(["node_modules", "dist", ".git", "coverage"]);
/** An import's specifier: `from "x"`, `import "x"`, `import("x")`, `export … from "x"`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

const rootManifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
/** Workspace folders, longest first so a nested one (query-api/ui) wins over its parent. */
const workspaces = rootManifest.workspaces
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"));
    return { dir, name: manifest.name };
  })
  .sort((a, b) => b.dir.length - a.dir.length);

/** The workspace a path (relative to the root) belongs to; the root package otherwise. */
function workspaceOf(path) {
  return (
    workspaces.find((w) => path === w.dir || path.startsWith(`${w.dir}/`)) ?? {
      dir: "",
      name: rootManifest.name,
    }
  );
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(name)) yield path;
  }
}

const problems = [];
for (const file of sourceFiles(ROOT)) {
  const from = relative(ROOT, file).split(sep).join("/");
  const own = workspaceOf(from);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1];
    if (!specifier.startsWith(".")) continue;
    const to = relative(ROOT, resolve(dirname(file), specifier))
      .split(sep)
      .join("/");
    const target = workspaceOf(to);
    if (target.dir === own.dir) continue;
    const entry = target.name ? ` (import "${target.name}" instead)` : "";
    problems.push(`${from}: imports ${to}, a file of ${target.name ?? target.dir}${entry}`);
  }
}
if (problems.length > 0) {
  console.error(
    `imports across workspaces must go through package entry points:\n  ${problems.join("\n  ")}`,
  );
  process.exit(1);
}
console.log("imports: every cross-workspace import goes through a package entry point");

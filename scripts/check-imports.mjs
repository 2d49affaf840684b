// Fails when a file imports another workspace's files by path instead of through that
// workspace's package entry points (its package.json "exports"): a workspace's src/ and test/
// are its own. Run by `npm run lint`.
//
// Usage: node scripts/check-imports.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
/**
 * A module specifier: `from "x"`, `import "x"`, `import("x")` (also with a template literal),
 * `require("x")`, `vi.mock("x")`, `createRequire(…).resolve("x")`.
 */
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bvi\.mock\s*\(\s*|\.resolve\s*\(\s*)["'`]([^"'`$]+)["'`]/g;
/** Comments are not imports: a path named in prose is fine. */
const COMMENTS = /\/\*[\s\S]*?\*\/|(^|[^:"'`\\])\/\/[^\n]*/g;

const rootManifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
/** Workspace folders, longest first so a nested one (query-api/ui) wins over its parent. */
const workspaces = rootManifest.workspaces
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"));
    return { dir, name: manifest.name, exports: manifest.exports };
  })
  .sort((a, b) => b.dir.length - a.dir.length);
const byName = new Map(workspaces.map((w) => [w.name, w]));

/** The workspace a path (relative to the root) belongs to; the root package otherwise. */
function workspaceOf(path) {
  return (
    workspaces.find((w) => path === w.dir || path.startsWith(`${w.dir}/`)) ?? {
      dir: "",
      name: rootManifest.name,
    }
  );
}

/** `@runtrace/x/sub`: allowed when x's "exports" has `./sub`; x without "exports" has none. */
function deepImportProblem(specifier) {
  const m = /^(@runtrace\/[^/]+)\/(.+)$/.exec(specifier);
  if (!m) return undefined;
  const target = byName.get(m[1]);
  if (!target) return undefined;
  const keys =
    target.exports && typeof target.exports === "object" ? Object.keys(target.exports) : [];
  if (keys.includes(`./${m[2]}`)) return undefined;
  return `imports ${specifier}, which ${m[1]}'s package.json "exports" does not name`;
}

// The files git knows, tracked or not, without the ignored ones (data directories, builds).
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => SOURCE.test(f) && existsSync(join(ROOT, f)));

const problems = [];
for (const from of files) {
  const own = workspaceOf(from);
  const text = readFileSync(join(ROOT, from), "utf8").replace(COMMENTS, "$1");
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1];
    if (!specifier.startsWith(".")) {
      const problem = deepImportProblem(specifier);
      if (problem) problems.push(`${from}: ${problem}`);
      continue;
    }
    const to = relative(ROOT, resolve(dirname(join(ROOT, from)), specifier))
      .split(sep)
      .join("/");
    const target = workspaceOf(to);
    if (target.dir === own.dir) continue;
    const entry = target.exports ? ` (import "${target.name}" instead)` : "";
    problems.push(`${from}: imports ${to}, a file of ${target.name}${entry}`);
  }
}
if (problems.length > 0) {
  console.error(
    `imports across workspaces must go through package entry points:\n  ${problems.join("\n  ")}`,
  );
  process.exit(1);
}
console.log("imports: every cross-workspace import goes through a package entry point");

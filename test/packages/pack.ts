/**
 * Packs workspaces as npm would publish them and installs the tarballs into a project of its
 * own outside this repository: its own package.json, dependencies from the registry only (from
 * npm's cache when it has them).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

const run = promisify(execFile);
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs npm in `cwd`; rejects with its output when it fails. */
export async function npm(cwd: string, args: string[], timeoutMs = 240_000): Promise<string> {
  try {
    const { stdout } = await run(NPM, args, {
      cwd,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

/** The build each packed workspace's `prepack` script runs, and the folders it writes. */
const SDK_BUILD = {
  script: "scripts/build-packages.mjs",
  writes: ["packages/semconv/dist", "packages/sdk/dist", "packages/sdk-node/dist"],
};
const BUILD: Record<string, { script: string; writes: string[] }> = {
  "@runtrace/semconv": SDK_BUILD,
  "@runtrace/sdk": SDK_BUILD,
  "@runtrace/sdk-node": SDK_BUILD,
  "@runtrace/cli": { script: "scripts/build-cli.mjs", writes: ["cli/dist"] },
};

/**
 * `npm pack` of the named workspaces into `dest`. Returns each workspace's tarball path by
 * package name. Their `prepack` scripts (the builds) run once each, before.
 */
export async function pack(workspaces: string[], dest: string): Promise<Map<string, string>> {
  const builds = new Set(
    workspaces.map((name) => {
      const build = BUILD[name];
      if (build === undefined) throw new Error(`no build known for ${name}`);
      return build;
    }),
  );
  let out: string;
  try {
    for (const { script } of builds) {
      await run(process.execPath, [join(REPO, script)], { cwd: REPO });
    }
    out = await npm(REPO, [
      "pack",
      "--json",
      "--ignore-scripts",
      `--pack-destination=${dest}`,
      ...workspaces.map((name) => `--workspace=${name}`),
    ]);
  } finally {
    // Nothing else in this repository may run the build by mistake (the workspaces use their
    // sources): remove it once it is in the tarballs, or the packing failed.
    for (const { writes } of builds) {
      for (const dir of writes) rmSync(join(REPO, dir), { recursive: true, force: true });
    }
  }
  const packed = JSON.parse(out) as { name: string; filename: string }[];
  return new Map(packed.map((p) => [p.name, join(dest, p.filename)]));
}

/** A new project folder outside the repository, with its own package.json. */
export function newProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "a-runtime", private: true, type: "module" }, null, 2)}\n`,
  );
  return dir;
}

/** Installs tarballs (and whatever registry packages they depend on) into `dir`. */
export async function install(dir: string, tarballs: string[]): Promise<void> {
  await npm(dir, ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs]);
}

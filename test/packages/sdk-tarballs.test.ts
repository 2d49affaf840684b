/**
 * The packages a runtime installs, as it installs them: @runtrace/semconv, @runtrace/sdk and
 * @runtrace/sdk-node packed by npm, installed into a project outside this repository (registry
 * dependencies only), used by a plain-node script against a running `runtrace start`, and read
 * back from the API.
 */
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { SDK_VERSION } from "@runtrace/sdk";
import { type AllInOneServer, startAllInOne } from "@runtrace/testkit-harness/runtrace-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { install, newProject, npm, pack, REPO } from "./pack.ts";

const run = promisify(execFile);
const CONSUMER = join(REPO, "test/packages/consumer");
const PACKAGES = ["@runtrace/semconv", "@runtrace/sdk", "@runtrace/sdk-node"];

let packs: string;
let tarballs: Map<string, string>;
const projects: string[] = [];
let server: AllInOneServer | undefined;

function tarball(name: string): string {
  const path = tarballs.get(name);
  if (path === undefined) throw new Error(`${name} was not packed`);
  return path;
}

function project(prefix: string): string {
  const dir = newProject(prefix);
  projects.push(dir);
  return dir;
}

beforeAll(async () => {
  packs = project("runtrace-packs-");
  tarballs = await pack(PACKAGES, packs);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

describe("the packed SDK packages", () => {
  it("ship the build only: JavaScript, declarations, README and package.json", async () => {
    for (const name of PACKAGES) {
      const listing = await run("tar", ["-tzf", tarball(name)]);
      const files = listing.stdout.trim().split("\n").sort();
      const unexpected = files.filter(
        (file) =>
          !/^package\/dist\/[\w-]+\.(js|d\.ts)$/.test(file) &&
          !["package/package.json", "package/README.md"].includes(file),
      );
      expect(unexpected, name).toEqual([]);
      expect(files, name).toContain("package/dist/index.js");
      expect(files, name).toContain("package/dist/index.d.ts");
      expect(files, name).toContain("package/README.md");
    }
  });

  it("move together: one version, and the SDK asks for that version of the conventions", () => {
    const manifests = PACKAGES.map((name) => {
      const dir = name.replace("@runtrace/", "packages/");
      return JSON.parse(readFileSync(join(REPO, dir, "package.json"), "utf8"));
    });
    const versions = new Set(manifests.map((m) => m.version));
    expect(versions.size).toBe(1);
    const sdk = manifests.find((m) => m.name === "@runtrace/sdk");
    expect(sdk.dependencies["@runtrace/semconv"]).toBe(manifests[0].version);
    // The SDK's instrumentation scope version is the package's.
    expect(SDK_VERSION).toBe(sdk.version);
  });

  it("the recorder and the conventions install with @opentelemetry/api alone", async () => {
    const dir = project("runtrace-recorder-only-");
    await install(dir, [tarball("@runtrace/semconv"), tarball("@runtrace/sdk")]);
    const tree = JSON.parse(await npm(dir, ["ls", "--all", "--json"]));
    const names = new Set<string>();
    const walk = (deps: Record<string, { dependencies?: object }> = {}) => {
      for (const [name, dep] of Object.entries(deps)) {
        names.add(name);
        walk(dep.dependencies as Record<string, { dependencies?: object }>);
      }
    };
    walk(tree.dependencies);
    expect([...names].sort()).toEqual(["@opentelemetry/api", "@runtrace/sdk", "@runtrace/semconv"]);
  }, 240_000);

  it("record a run with a tool call and an elicitation from plain node, read back from the API", async () => {
    const dir = project("runtrace-runtime-");
    await install(dir, PACKAGES.map(tarball));
    copyFileSync(join(CONSUMER, "record.mjs"), join(dir, "record.mjs"));
    server = await startAllInOne();
    await recordAndReadBack(process.execPath, dir, "ws_packed_node");
  }, 240_000);

  it("do the same under Bun (installed from the registry)", async () => {
    const dir = projects.find((p) => p.includes("runtrace-runtime-"));
    if (dir === undefined || server === undefined) throw new Error("the node case did not run");
    const bunDir = project("runtrace-bun-");
    await install(bunDir, ["bun@1.4.5"]);
    await recordAndReadBack(join(bunDir, "node_modules/.bin/bun"), dir, "ws_packed_bun");
  }, 240_000);

  it("load with require() from CommonJS (Node 20.19 and later)", async () => {
    const dir = projects.find((p) => p.includes("runtrace-runtime-"));
    if (dir === undefined) throw new Error("the runtime project was not installed");
    copyFileSync(join(CONSUMER, "require.cjs"), join(dir, "require.cjs"));
    const { stdout } = await run(process.execPath, ["require.cjs"], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual(["function", "function", "executor.execution"]);
  });

  it("type-check in a strict TypeScript project against the shipped declarations", async () => {
    const dir = projects.find((p) => p.includes("runtrace-runtime-"));
    if (dir === undefined) throw new Error("the runtime project was not installed");
    copyFileSync(join(CONSUMER, "typed.ts"), join(dir, "typed.ts"));
    const compilerOptions = {
      strict: true,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      noEmit: true,
      // The project's Node types (as any Node project has them), from this repository.
      typeRoots: [join(REPO, "node_modules/@types")],
      types: ["node"],
    };
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions, files: ["typed.ts"] }),
    );
    const tsc = join(REPO, "node_modules/typescript/bin/tsc");
    const checked = await run(process.execPath, [tsc, "-p", dir]).catch((error) => error);
    expect(`${checked.stdout ?? ""}${checked.stderr ?? ""}`).toBe("");
  }, 120_000);
});

/**
 * Runs the installed project's record.mjs with `runtime` against the server, then reads the run
 * back from the API: list row, detail with its interaction, tool calls.
 */
async function recordAndReadBack(runtime: string, dir: string, scope: string): Promise<void> {
  if (server === undefined) throw new Error("no server");
  const { stdout } = await run(runtime, ["record.mjs", server.collectorUrl, scope], {
    cwd: dir,
    timeout: 60_000,
  });
  const sent = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
  expect(sent.status).toBe("completed");
  expect(sent.knownStatus).toBe(true);

  // Stored once the collector has answered the exporter: no waiting needed past shutdown().
  const base = server.queryUrl;
  const list = await getJson(`${base}/v1/executions?id=${sent.executionId}&scope=${scope}`);
  expect(list.executions).toHaveLength(1);
  expect(list.executions[0]).toMatchObject({
    id: sent.executionId,
    scope,
    status: "completed",
    trigger: { kind: "cli" },
    runtime: "plain-node",
    toolCallCount: 1,
    interactionCount: 1,
    hadElicitation: true,
    traceId: sent.traceId,
  });

  const detail = await getJson(`${base}/v1/executions/${sent.executionId}`);
  expect(detail.code).toBe(sent.code);
  expect(detail.result).toEqual(sent.result);
  expect(detail.interactions).toHaveLength(1);
  expect(detail.interactions[0]).toMatchObject({
    kind: sent.interaction.kind,
    purpose: sent.interaction.purpose,
    payload: sent.interaction.payload,
    status: "resolved",
    response: sent.interaction.response,
  });

  const calls = await getJson(`${base}/v1/executions/${sent.executionId}/tool-calls`);
  expect(calls.toolCalls).toHaveLength(1);
  expect(calls.toolCalls[0]).toMatchObject({
    toolPath: sent.tool.path,
    namespace: "math",
    status: "completed",
    args: sent.tool.args,
    result: sent.tool.result,
    error: null,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field.
async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return response.json();
}

/**
 * The `runtrace` command as a user installs it: `npm pack` of @runtrace/cli (one bundled
 * module and the built /runs page), installed into a project outside this repository with
 * registry dependencies only (chdb, ~550 MB, from npm's cache), run with plain `node` — no
 * TypeScript loader, no repository — serving /healthz, /runs and /docs, storing what its
 * collector receives.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type AllInOneServer, startAllInOne } from "@runtrace/testkit-harness/runtrace-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { install, newProject, pack } from "./pack.ts";

const dirs: string[] = [];
let project: string;
let server: AllInOneServer;

beforeAll(async () => {
  const packs = newProject("runtrace-cli-pack-");
  project = newProject("runtrace-cli-");
  dirs.push(packs, project);
  const tarball = (await pack(["@runtrace/cli"], packs)).get("@runtrace/cli");
  if (tarball === undefined) throw new Error("@runtrace/cli was not packed");
  await install(project, [tarball]);
  server = await startAllInOne({
    bin: { path: join(project, "node_modules/.bin/runtrace"), cwd: project },
  });
}, 400_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the packed runtrace command", () => {
  it("is installed with registry packages only, and no TypeScript loader", () => {
    const modules = join(project, "node_modules");
    expect(existsSync(join(modules, "@runtrace/cli/dist/runtrace.js"))).toBe(true);
    expect(existsSync(join(modules, "chdb"))).toBe(true);
    for (const loader of ["tsx", "typescript", "esbuild"]) {
      expect(existsSync(join(modules, loader)), loader).toBe(false);
    }
    const installed = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
    const ours = Object.keys(installed.packages).filter((path) => path.includes("@runtrace/"));
    expect(ours).toEqual(["node_modules/@runtrace/cli"]);
  });

  it("listens for OTLP/gRPC as well", () => {
    expect(server.output()).toMatch(/OTLP\/gRPC collector on 127\.0\.0\.1:\d+/);
  });

  it("serves /healthz, the /runs page with its assets, and /docs", async () => {
    const health = await fetch(`${server.queryUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const page = await fetch(`${server.queryUrl}/runs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>Runs · runtrace</title>");
    const script = html.match(/src="(\/runs\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.queryUrl}${script}`);
    expect(asset.status).toBe(200);
    // The entry is small (it asks for the first data, then loads the app): the app's chunk too.
    const entry = await asset.text();
    const app = entry.match(/render-[A-Za-z0-9_-]+\.js/)?.[0];
    expect(app).toBeDefined();
    const chunk = await fetch(`${server.queryUrl}/runs/assets/${app}`);
    expect(chunk.status).toBe(200);
    expect((await chunk.text()).length).toBeGreaterThan(100_000);

    const docs = await fetch(`${server.queryUrl}/docs`);
    expect(docs.status).toBe(200);
    const viewer = await fetch(`${server.queryUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(viewer.status).toBe(200);
  });

  it("stores a run its collector receives and lists it", async () => {
    const executionId = `packed-${Date.now()}`;
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [attribute("service.name", "packed-cli-test")] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  name: "executor.execution",
                  kind: 1,
                  startTimeUnixNano: String(nowNs - 5_000_000n),
                  endTimeUnixNano: String(nowNs),
                  attributes: [
                    attribute("executor.execution.id", executionId),
                    attribute("executor.scope.id", "ws_cli"),
                    attribute("executor.execution.status", "completed"),
                    attribute("executor.execution.code", "return 1"),
                  ],
                  status: { code: 1 },
                },
              ],
            },
          ],
        },
      ],
    };
    const sent = await fetch(`${server.collectorUrl}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(sent.status).toBe(200);
    const list = await fetch(`${server.queryUrl}/v1/executions?id=${executionId}&scope=ws_cli`);
    const answer = (await list.json()) as { executions: unknown[] };
    expect(answer.executions).toHaveLength(1);
    expect(answer.executions[0]).toMatchObject({
      id: executionId,
      scope: "ws_cli",
      status: "completed",
      durationMs: 5,
    });
  });
});

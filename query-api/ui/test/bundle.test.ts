import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll, expect, it } from "vitest";

/**
 * The page takes the API's shapes from the query API's contract as types only: its browser
 * bundle must hold none of the server's code (zod, the contract's schemas, zod-openapi). A
 * value imported from `@runtrace/query-api/contract` by mistake would pull them in.
 */

const UI_DIR = fileURLToPath(new URL("..", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "runtrace-ui-bundle-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it("builds a bundle with no server code in it", async () => {
  await build({ root: UI_DIR, logLevel: "silent", build: { outDir, emptyOutDir: true } });
  const assets = join(outDir, "assets");
  const js = readdirSync(assets)
    .filter((f) => f.endsWith(".js"))
    .map((f) => readFileSync(join(assets, f), "utf8"))
    .join("\n");
  // The real page: its own code is there.
  expect(js).toContain("runtrace.token");
  for (const marker of ["ZodError", "zod-openapi", "ExecutionListMeta", "strictObject"]) {
    expect(js.includes(marker), marker).toBe(false);
  }
}, 120_000);

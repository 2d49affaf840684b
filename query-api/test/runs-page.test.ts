/**
 * The /runs page as the query API serves it, over real HTTP on loopback, from a dist folder
 * this test writes (what `vite build` with `base: "/runs/"` produces). Requests go through
 * node:http so paths reach the server byte for byte (fetch would resolve `..` first).
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { ClickHouse } from "@runtrace/clickhouse";
import { type Listening, listen } from "@runtrace/collector";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { DEFAULT_UI_DIR } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";

const INDEX_HTML = `<!doctype html>
<html><head><script type="module" src="/runs/assets/index-abc123.js"></script>
<link rel="stylesheet" href="/runs/assets/index-abc123.css"></head>
<body><div id="root">RUNS-INDEX</div></body></html>
`;
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** The built page: path in dist → content. */
const DIST: Record<string, string | Uint8Array> = {
  "index.html": INDEX_HTML,
  "assets/index-abc123.js": 'console.log("runs-js");\n',
  "assets/index-abc123.css": "body{color:#123456}\n",
  "assets/index-abc123.js.map": '{"version":3,"sources":[]}',
  "assets/logo-abc123.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
  "assets/logo-abc123.png": PNG,
  "assets/inter-abc123.woff2": Uint8Array.from([0x77, 0x4f, 0x46, 0x32]),
  "assets/data-abc123.json": '{"ok":true}',
  // Big enough to be worth compressing.
  "assets/vendor-abc123.js": `${"export const rows = [];\n".repeat(200)}`,
  "favicon.ico": Uint8Array.from([0, 0, 1, 0]),
  "robots.txt": "User-agent: *\n",
};

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Body = any;
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** One request with the path sent exactly as given. */
function raw(
  server: Listening,
  path: string,
  { method = "GET", headers = {} }: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, path, method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString() });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function writeDist(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

let root: string;
let dist: string;
/** Serves `dist`, with API tokens configured. */
let api: Listening;
/** Serves a folder with nothing built in it (yet). */
let unbuilt: Listening;
let unbuiltDir: string;
let ch: ClickHouse | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runtrace-runs-page-"));
  // What a traversal out of dist would reach: dist/../package.json, dist/../../package.json.
  writeFileSync(join(root, "package.json"), '{"secret":"LEAK-OUTER"}');
  dist = join(root, "ui", "dist");
  writeDist(dist, DIST);
  writeFileSync(join(root, "ui", "package.json"), '{"secret":"LEAK-INNER"}');
  // A link out of the folder, under a name an attacker could ask for.
  symlinkSync(join(root, "package.json"), join(dist, "assets", "leak-abc123.js"));
  unbuiltDir = join(root, "unbuilt", "dist");
  ch = await openMigrated();
  api = await listen(
    createQueryApiApp({
      checkAnswer: contractCheck(),
      clickhouse: ch,
      uiDir: dist,
      apiTokens: new Map([["tok-all", null]]),
    }),
    0,
    "127.0.0.1",
  );
  unbuilt = await listen(
    createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: ch, uiDir: unbuiltDir }),
    0,
    "127.0.0.1",
  );
}, 120_000);

afterAll(async () => {
  await api?.close();
  await unbuilt?.close();
  await ch?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the /runs page", () => {
  it("defaults to query-api/ui/dist, where npm run build puts it", () => {
    const repo = fileURLToPath(new URL("../../", import.meta.url));
    expect(DEFAULT_UI_DIR).toBe(join(repo, "query-api", "ui", "dist"));
  });

  it("answers /runs and /runs/ with index.html, revalidated every time", async () => {
    for (const path of ["/runs", "/runs/", "/runs/index.html"]) {
      const res = await raw(api, path);
      expect(res.status, path).toBe(200);
      expect(res.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"], path).toBe("no-cache");
      expect(res.text, path).toBe(INDEX_HTML);
    }
  });

  it("answers any other /runs path that is not a file with index.html (the app routes it)", async () => {
    for (const path of [
      "/runs/executions/exec_0123abcd",
      "/runs/executions/exec_0123abcd?tab=timeline",
      "/runs/stats/",
      "/runs/assets",
      "/runs/missing.png",
      "/runs/a%20b/%252e%252e",
    ]) {
      const res = await raw(api, path);
      expect(res.status, path).toBe(200);
      expect(res.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"], path).toBe("no-cache");
      expect(res.text, path).toBe(INDEX_HTML);
    }
  });

  it("serves each built file byte for byte with its content type", async () => {
    const types: Record<string, string> = {
      "assets/index-abc123.js": "text/javascript; charset=utf-8",
      "assets/index-abc123.css": "text/css; charset=utf-8",
      "assets/index-abc123.js.map": "application/json",
      "assets/logo-abc123.svg": "image/svg+xml",
      "assets/logo-abc123.png": "image/png",
      "assets/inter-abc123.woff2": "font/woff2",
      "assets/data-abc123.json": "application/json",
      "favicon.ico": "image/x-icon",
      "robots.txt": "text/plain; charset=utf-8",
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await raw(api, `/runs/${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers["content-type"], path).toBe(type);
      expect(res.headers["x-content-type-options"], path).toBe("nosniff");
      expect(res.body.equals(Buffer.from(DIST[path]!)), path).toBe(true);
      expect(res.headers["content-length"], path).toBe(String(res.body.length));
    }
  });

  it("caches hashed assets for a year, immutable, and files outside assets/ not at all", async () => {
    for (const path of ["assets/index-abc123.js", "assets/index-abc123.css"]) {
      const res = await raw(api, `/runs/${path}`);
      expect(res.headers["cache-control"], path).toBe("public, max-age=31536000, immutable");
    }
    expect((await raw(api, "/runs/robots.txt")).headers["cache-control"]).toBe("no-cache");
  });

  it("answers a missing asset with the API's 404, never with index.html", async () => {
    for (const path of ["/runs/assets/index-old999.js", "/runs/assets/", "/runs/assets/x/y.css"]) {
      const res = await raw(api, path);
      expect(res.status, path).toBe(404);
      expect(res.headers["content-type"], path).toMatch(/^application\/json/);
      expect((JSON.parse(res.text) as Body).error, path).toBe("not_found");
    }
  });

  it("gzips text assets for clients that accept it, and only those", async () => {
    const source = DIST["assets/vendor-abc123.js"] as string;
    const zipped = await raw(api, "/runs/assets/vendor-abc123.js", {
      headers: { "accept-encoding": "br, gzip, deflate" },
    });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toBe("accept-encoding");
    expect(zipped.headers["content-length"]).toBe(String(zipped.body.length));
    expect(zipped.body.length).toBeLessThan(Buffer.byteLength(source) / 4);
    expect(gunzipSync(zipped.body).toString()).toBe(source);
    const again = await raw(api, "/runs/assets/vendor-abc123.js", {
      headers: { "accept-encoding": "gzip" },
    });
    expect(again.body.equals(zipped.body)).toBe(true);

    const plain = await raw(api, "/runs/assets/vendor-abc123.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.text).toBe(source);
    // Binary files and tiny ones go as they are.
    const png = await raw(api, "/runs/assets/logo-abc123.png", {
      headers: { "accept-encoding": "gzip" },
    });
    expect(png.headers["content-encoding"]).toBeUndefined();
    expect(png.body.equals(Buffer.from(PNG))).toBe(true);
    const tiny = await raw(api, "/runs/assets/index-abc123.css", {
      headers: { "accept-encoding": "gzip" },
    });
    expect(tiny.headers["content-encoding"]).toBeUndefined();
  });

  it("answers HEAD with the headers and no body", async () => {
    const js = await raw(api, "/runs/assets/index-abc123.js", { method: "HEAD" });
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["content-length"]).toBe(
      String(Buffer.byteLength(DIST["assets/index-abc123.js"] as string)),
    );
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body.length).toBe(0);
    const page = await raw(api, "/runs/executions/x", { method: "HEAD" });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body.length).toBe(0);
    expect((await raw(api, "/runs/assets/nope.js", { method: "HEAD" })).status).toBe(404);
  });

  it("never serves a file outside its folder, however the path is spelled", async () => {
    // The files a naive join(dist, path) would reach are there to be leaked.
    const attempts = [
      "/runs/../package.json",
      "/runs/../../package.json",
      "/runs/%2e%2e/%2e%2e/package.json",
      "/runs/%2e%2e/package.json",
      "/runs/.%2e/.%2e/package.json",
      "/runs/assets/..%2f..%2fpackage.json",
      "/runs/assets/..%2F..%2F..%2Fpackage.json",
      "/runs/..%2f..%2fpackage.json",
      "/runs/%2e%2e%2f%2e%2e%2fpackage.json",
      "/runs/assets/..%5c..%5cpackage.json",
      "/runs/assets/%2e%2e/%2e%2e/package.json",
      "/runs/assets/index-abc123.js%00.css",
      "/runs/assets/leak-abc123.js",
      "/runs/assets/%ZZ",
    ];
    for (const path of attempts) {
      const res = await raw(api, path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain("LEAK");
      expect(res.text, path).not.toContain("RUNS-INDEX");
    }
  });

  it("redirects / to /runs", async () => {
    const res = await raw(api, "/");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/runs");
  });

  it("keeps the JSON 404 for paths that are not the page's", async () => {
    for (const path of ["/runsx", "/nope", "/assets/index-abc123.js"]) {
      const res = await raw(api, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.text) as Body, path).toMatchObject({ error: "not_found" });
    }
  });

  it("needs no API token, while the API behind it still does", async () => {
    expect((await raw(api, "/runs")).status).toBe(200);
    expect((await raw(api, "/runs/assets/index-abc123.js")).status).toBe(200);
    expect((await raw(api, "/runs/executions/x")).status).toBe(200);
    const denied = await raw(api, "/v1/executions");
    expect(denied.status).toBe(401);
    expect(denied.headers["www-authenticate"]).toBe('Bearer realm="runtrace"');
    const allowed = await raw(api, "/v1/executions", {
      headers: { authorization: "Bearer tok-all" },
    });
    expect(allowed.status, allowed.text).toBe(200);
    expect((JSON.parse(allowed.text) as Body).executions).toEqual([]);
  });
});

describe("the /runs page when it is not built", () => {
  it("answers every /runs path with a 503 page saying how to build it", async () => {
    for (const path of ["/runs", "/runs/", "/runs/executions/x", "/runs/assets/index-abc123.js"]) {
      const res = await raw(unbuilt, path);
      expect(res.status, path).toBe(503);
      expect(res.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"], path).toBe("no-store");
      expect(res.text, path).toContain("not built");
      expect(res.text, path).toContain("npm run build");
    }
    // The rest of the API answers as usual.
    expect((await raw(unbuilt, "/healthz")).status).toBe(200);
  });

  it("answers 503 when the folder exists without index.html", async () => {
    writeDist(unbuiltDir, { "assets/index-abc123.js": "x" });
    expect((await raw(unbuilt, "/runs")).status).toBe(503);
  });

  it("serves a build made while the server runs, and the next rebuild's new assets", async () => {
    writeDist(unbuiltDir, DIST);
    const first = await raw(unbuilt, "/runs");
    expect(first.status).toBe(200);
    expect(first.text).toBe(INDEX_HTML);
    expect((await raw(unbuilt, "/runs/assets/index-abc123.js")).status).toBe(200);

    // A rebuild: new hashes, the old ones gone, index.html replaced.
    rmSync(join(unbuiltDir, "assets"), { recursive: true });
    const rebuilt = INDEX_HTML.replaceAll("abc123", "def456");
    writeDist(unbuiltDir, { "assets/index-def456.js": 'console.log("v2");\n' });
    writeFileSync(join(unbuiltDir, "index.next.html"), rebuilt);
    renameSync(join(unbuiltDir, "index.next.html"), join(unbuiltDir, "index.html"));
    expect((await raw(unbuilt, "/runs")).text).toBe(rebuilt);
    const js = await raw(unbuilt, "/runs/assets/index-def456.js");
    expect(js.status).toBe(200);
    expect(js.text).toBe('console.log("v2");\n');
    expect((await raw(unbuilt, "/runs/assets/index-abc123.js")).status).toBe(404);
  });
});

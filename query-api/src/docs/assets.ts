import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { INIT_SCRIPT, PAGE_STYLE } from "./page.ts";

/**
 * The files of swagger-ui-dist the page loads, by name, with their content types: nothing
 * else of the package is ever read or served (no source maps, no index.html, no
 * swagger-initializer.js pointing at the petstore, no oauth2-redirect.html).
 */
const PACKAGE_FILES: ReadonlyMap<string, string> = new Map([
  ["swagger-ui.css", "text/css; charset=utf-8"],
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
  ["favicon-16x16.png", "image/png"],
  ["favicon-32x32.png", "image/png"],
]);

/** Our own files: the script that starts Swagger UI (a file, for the CSP) and the page's style. */
const OWN_FILES: ReadonlyMap<string, { text: string; contentType: string }> = new Map([
  ["runtrace-docs.js", { text: INIT_SCRIPT, contentType: "text/javascript; charset=utf-8" }],
  ["runtrace-docs.css", { text: PAGE_STYLE, contentType: "text/css; charset=utf-8" }],
]);

/** Text the browser inflates for free, worth compressing above this size. */
const COMPRESSIBLE = /^text\//;
const MIN_GZIP_BYTES = 1024;

const gzipAsync = promisify(gzip);

/** One file of /docs/assets, held in memory. */
export interface DocsAsset {
  name: string;
  body: Uint8Array;
  contentType: string;
  /**
   * The first 16 characters of the content's SHA-256 (base64url): the page links the asset
   * with `?v=<hash>`, which is what makes a year of caching safe, and it is the ETag.
   */
  hash: string;
  /** The gzipped body when worth it (compressed once, on first demand), else undefined. */
  gzipped(): Promise<Uint8Array | undefined>;
}

/** Every servable file, by the name in `/docs/assets/<name>`, and the viewer's version. */
export interface DocsAssets {
  /** swagger-ui-dist's `version`. */
  swaggerUiVersion: string;
  files: ReadonlyMap<string, DocsAsset>;
}

/**
 * The installed swagger-ui-dist's folder, found the way Node finds the package from this
 * module (the workspace's node_modules here, wherever npm put it elsewhere).
 */
export function swaggerUiDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}

/**
 * Reads the allow-listed files once (about 2 MB) into memory. Rejects when swagger-ui-dist is
 * not installed or a file of the list is missing.
 */
export async function loadDocsAssets(packageDir = swaggerUiDistDir()): Promise<DocsAssets> {
  const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    version?: unknown;
  };
  const files = new Map<string, DocsAsset>();
  for (const [name, contentType] of PACKAGE_FILES) {
    files.set(name, asset(name, await readFile(join(packageDir, name)), contentType));
  }
  for (const [name, { text, contentType }] of OWN_FILES) {
    files.set(name, asset(name, new TextEncoder().encode(text), contentType));
  }
  return { swaggerUiVersion: String(manifest.version ?? "unknown"), files };
}

function asset(name: string, body: Uint8Array, contentType: string): DocsAsset {
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 16);
  const worthIt = COMPRESSIBLE.test(contentType) && body.byteLength >= MIN_GZIP_BYTES;
  let gzipped: Promise<Uint8Array | undefined> | undefined;
  return {
    name,
    body,
    contentType,
    hash,
    gzipped() {
      if (!worthIt) return Promise.resolve(undefined);
      // Off the event loop's thread, once; a failure (out of memory) just serves it plain.
      gzipped ??= gzipAsync(body).then(
        (bytes) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        () => undefined,
      );
      return gzipped;
    },
  };
}

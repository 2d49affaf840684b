/**
 * @module
 * The /docs page: Swagger UI (the npm package swagger-ui-dist) rendering `/openapi.json`,
 * with every file it loads served by the query API itself under /docs/assets, so the page
 * works offline and sends nothing off the machine.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { type DocsAsset, type DocsAssets, loadDocsAssets } from "./assets.ts";
import { ASSETS_PATH, CONTENT_SECURITY_POLICY, docsPageHtml, VIEWER_MISSING_PAGE } from "./page.ts";

export { type DocsAsset, type DocsAssets, loadDocsAssets, swaggerUiDistDir } from "./assets.ts";
export { ASSETS_PATH, CONTENT_SECURITY_POLICY, PAGE_TITLE } from "./page.ts";

/** A link carrying the asset's content hash: what it names never changes, cache it for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Without (or with another) `?v=`: the browser asks again, and the ETag answers 304. */
const REVALIDATE = "no-cache";

/**
 * `GET /docs` (and `/docs/`): the page; `GET /docs/assets/<name>`: one of its files, from an
 * allow-list (anything else is a 404: a name is a key of that list, never a path). Mounted at
 * `/`. It holds no data, so it sits outside the API token guard, like /openapi.json.
 */
export function docsRoutes(): Hono<AppEnv> {
  let loading: Promise<DocsAssets> | undefined;
  /** Read once; a failure is not kept, so installing the package needs no restart. */
  const assets = (): Promise<DocsAssets> => {
    loading ??= loadDocsAssets().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  const page = async () => {
    let files: DocsAssets["files"];
    try {
      files = (await assets()).files;
    } catch {
      return html(VIEWER_MISSING_PAGE, 503, "no-store");
    }
    const assetUrl = (name: string) => {
      const file = files.get(name);
      return `${ASSETS_PATH}/${name}${file ? `?v=${file.hash}` : ""}`;
    };
    return html(docsPageHtml(assetUrl), 200, REVALIDATE);
  };

  const routes = new Hono<AppEnv>();
  routes.get("/docs", page);
  routes.get("/docs/", page);
  routes.get(`${ASSETS_PATH}/:file`, async (c) => {
    let files: DocsAssets["files"];
    try {
      files = (await assets()).files;
    } catch {
      return c.notFound();
    }
    const file = files.get(c.req.param("file"));
    if (!file) return c.notFound();
    return sendAsset(c, file);
  });
  return routes;
}

async function sendAsset(c: Context<AppEnv>, file: DocsAsset): Promise<Response> {
  // Weak: the same content is served plain or gzipped.
  const etag = `W/"${file.hash}"`;
  const headers: Record<string, string> = {
    "content-type": file.contentType,
    "cache-control": c.req.query("v") === file.hash ? IMMUTABLE : REVALIDATE,
    etag,
    "x-content-type-options": "nosniff",
    vary: "accept-encoding",
  };
  if (matches(c.req.header("if-none-match"), file.hash)) {
    return new Response(null, { status: 304, headers });
  }
  const accepts = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  const gzipped = accepts ? await file.gzipped() : undefined;
  const body = gzipped ?? file.body;
  if (gzipped) headers["content-encoding"] = "gzip";
  headers["content-length"] = String(body.byteLength);
  return new Response(body, { status: 200, headers });
}

/** Whether an `If-None-Match` header names this hash (weak comparison, or `*`). */
function matches(header: string | undefined, hash: string): boolean {
  if (!header) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === `"${hash}"`);
}

function html(body: string, status: 200 | 503, cacheControl: string): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": cacheControl,
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { type DistFile, DistFolder } from "./dist-folder.ts";
import {
  canServeFirstScreen,
  type FirstScreenModule,
  firstScreenPage,
  loadFirstScreen,
  type ReadApi,
} from "./first-screen.ts";

/** Where `npm run build` puts the page: `query-api/ui/dist`, found from this module. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL("../../ui/dist", import.meta.url));

/** Where `npm run build` puts the first screen's renderer: `query-api/ui/dist-server`. */
export const DEFAULT_FIRST_SCREEN_DIR = fileURLToPath(
  new URL("../../ui/dist-server", import.meta.url),
);

export interface RunsPageOptions {
  /**
   * The built page's folder (Vite's `dist`: index.html and assets/).
   * @default DEFAULT_UI_DIR
   */
  dir?: string;
  /**
   * Render the first screen into the page (first-screen.ts), reading the API in-process with
   * `read`. Only for an API without tokens: a page request carries none, and the page must
   * not hold data its viewer could not read.
   */
  firstScreen?: {
    read: ReadApi;
    /** @default DEFAULT_FIRST_SCREEN_DIR */
    dir?: string;
  };
}

/** Hashed names (`assets/index-abc123.js`) change with their content: cache them for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html names the current assets, so a browser asks again every time. */
const REVALIDATE = "no-cache";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>runtrace: the /runs page is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>The /runs page is not built</h1>
<p>This query API has no built page to serve. In the runtrace checkout, run
<code>npm run build</code> (or <code>npm install</code>, which builds it too; both need the
dev dependencies), then reload.</p>
<p>The API itself works: see <a href="/docs">/docs</a>.</p>
</body>
</html>
`;

/**
 * The /runs page: the React app built by Vite (`base: "/runs/"`). `/runs/assets/…` are its
 * files; every other path under /runs is a route of the app, answered with index.html.
 * `GET /` redirects to it. It holds no data, so it sits outside the API token guard: the
 * app's own API calls carry the token.
 */
export function runsPageRoutes(options: RunsPageOptions = {}): Hono<AppEnv> {
  const folder = new DistFolder(options.dir ?? DEFAULT_UI_DIR);
  const firstScreen = options.firstScreen;
  // Loaded once found, on a page request; a build without it serves the plain page (and
  // looks again on the next request: `npm run build` may come while the server runs).
  // A renderer that does not load is said once and not tried again.
  let renderer: Promise<FirstScreenModule | undefined | null> | undefined;
  const firstScreenModule = async () => {
    renderer ??= loadFirstScreen(firstScreen?.dir ?? DEFAULT_FIRST_SCREEN_DIR).catch((error) => {
      console.error(`runtrace query-api: no /runs first screen: ${String(error)}`);
      return null;
    });
    const module = await renderer;
    if (module === undefined) renderer = undefined;
    return module ?? undefined;
  };
  const routes = new Hono<AppEnv>();
  // Gzipped assets, compressed once: a hashed name never changes its content.
  const gzipped = new Map<string, Uint8Array>();

  const sendAsset = (c: Context<AppEnv>, file: DistFile): Response => {
    const accepts = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    if (!accepts || !COMPRESSIBLE.test(file.contentType) || file.body.byteLength < 1024) {
      return send(file, IMMUTABLE);
    }
    let body = gzipped.get(file.path);
    if (!body) {
      body = gzipSync(file.body);
      gzipped.set(file.path, body);
    }
    return send({ ...file, body }, IMMUTABLE, { "content-encoding": "gzip" });
  };

  const page = async (c: Context<AppEnv>) => {
    if (!(await folder.built())) return notBuilt();
    const path = pagePath(new URL(c.req.url).pathname);
    if (path === undefined) return c.notFound();
    const isAsset = path.startsWith("assets/");
    const file = path === "" ? undefined : await folder.read(path);
    if (file) return isAsset ? sendAsset(c, file) : send(file, REVALIDATE);
    // A missing asset is a stale or mistyped link, not a route of the app.
    if (isAsset) return c.notFound();
    const index = await folder.read("index.html");
    if (!index) return notBuilt();
    // HEAD: the headers alone, not four reads whose answers would be dropped.
    const module = firstScreen && c.req.method !== "HEAD" ? await firstScreenModule() : undefined;
    const html = module ? new TextDecoder().decode(index.body) : "";
    if (firstScreen && module && canServeFirstScreen(html)) {
      return servedOrPlain(
        () =>
          firstScreenPage(
            html,
            module,
            {
              search: new URL(c.req.url).search,
              cookie: c.req.header("cookie"),
              signal: c.req.raw.signal,
            },
            firstScreen.read,
          ),
        () => send(index, REVALIDATE),
      );
    }
    return send(index, REVALIDATE);
  };

  routes.get("/", (c) => c.redirect("/runs", 302));
  routes.get("/runs", page);
  routes.get("/runs/*", page);
  return routes;
}

/**
 * The `/`-separated file path a `/runs/…` URL path names (`""` for /runs itself), each
 * segment percent-decoded; undefined when a segment decodes to `..`, `.`, or holds a
 * separator or NUL (`%2e%2e`, `..%2f`, `%5c`): such a request names no file and no route.
 */
export function pagePath(urlPath: string): string | undefined {
  const rest = urlPath.replace(/^\/runs\/?/, "");
  const segments: string[] = [];
  for (const raw of rest.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === ".." || segment === "." || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments.join("/");
}

/** The page with its first screen; the plain page without one, or if it could not start. */
function servedOrPlain(served: () => Response | undefined, plain: () => Response): Response {
  try {
    return served() ?? plain();
  } catch (error) {
    console.error(`runtrace query-api: the /runs first screen did not start: ${String(error)}`);
    return plain();
  }
}

function notBuilt(): Response {
  return new Response(NOT_BUILT_PAGE, {
    status: 503,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/** Text the browser inflates for free: scripts, styles, JSON, SVG, source maps. */
const COMPRESSIBLE = /^(text\/|application\/(javascript|json)|image\/svg)/;

function send(file: DistFile, cacheControl: string, extra: Record<string, string> = {}): Response {
  return new Response(file.body, {
    status: 200,
    headers: {
      "content-type": file.contentType,
      "content-length": String(file.body.byteLength),
      "cache-control": cacheControl,
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
      ...extra,
    },
  });
}

/** Where the page's files are served (see ./index.ts). */
export const ASSETS_PATH = "/docs/assets";

/** The page's title (Swagger UI shows the document's own `info.title` in the page). */
export const PAGE_TITLE = "runtrace query API";

/**
 * Starts Swagger UI on the query API's own document. Served as a file, not inline, so the
 * page's Content-Security-Policy needs no `'unsafe-inline'` for scripts.
 *
 * - BaseLayout without the standalone preset: no top bar with a URL box to fetch from, and no
 *   validator badge; `validatorUrl: null` turns the badge off as well, should the layout
 *   change, so nothing is ever sent to validator.swagger.io.
 * - `queryConfigEnabled: false`: `?url=` / `?configUrl=` in the address bar cannot make the
 *   page load another document (Swagger UI's default too, said out loud).
 * - Schemas shown as models (with descriptions), expanded enough to read a response's fields.
 */
export const INIT_SCRIPT = `"use strict";
// The /docs page of the runtrace query API: Swagger UI on /openapi.json.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  queryConfigEnabled: false,
  docExpansion: "list",
  defaultModelRendering: "model",
  defaultModelsExpandDepth: 1,
  defaultModelExpandDepth: 2,
  displayRequestDuration: true,
  filter: true,
  tryItOutEnabled: false,
  persistAuthorization: false,
});
`;

/** The page's own style, under swagger-ui.css (what swagger-ui-dist's index.css sets). */
export const PAGE_STYLE = `html {
  box-sizing: border-box;
  overflow-y: scroll;
}
*,
*::before,
*::after {
  box-sizing: inherit;
}
body {
  margin: 0;
  background: #fafafa;
}
`;

/**
 * What the page may load: its own origin only. Swagger UI sets inline styles (the syntax
 * highlighter, the model toggles) and its CSS draws icons from `data:` SVGs; "Try it out"
 * calls this same API (`connect-src 'self'`).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join("; ");

/**
 * The /docs page. `assetUrl(name)` is the versioned URL of an asset
 * (`/docs/assets/swagger-ui-bundle.js?v=…`).
 */
export function docsPageHtml(assetUrl: (name: string) => string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${PAGE_TITLE}</title>
<link rel="stylesheet" href="${assetUrl("swagger-ui.css")}">
<link rel="stylesheet" href="${assetUrl("runtrace-docs.css")}">
<link rel="icon" type="image/png" href="${assetUrl("favicon-32x32.png")}" sizes="32x32">
<link rel="icon" type="image/png" href="${assetUrl("favicon-16x16.png")}" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<noscript><p style="font-family: system-ui, sans-serif; margin: 2rem">This page needs
JavaScript. The API's OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<script src="${assetUrl("swagger-ui-bundle.js")}"></script>
<script src="${assetUrl("runtrace-docs.js")}"></script>
</body>
</html>
`;
}

/** Answered when swagger-ui-dist cannot be read (not installed, or a file of it is missing). */
export const VIEWER_MISSING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${PAGE_TITLE}: the viewer is not installed</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>The API viewer is not installed</h1>
<p>This page renders the API's OpenAPI document with Swagger UI, from the npm package
<code>swagger-ui-dist</code>, a dependency of <code>@runtrace/query-api</code> that could not be
read here. Reinstall the dependencies (<code>npm install</code>), then reload.</p>
<p>The document itself is served: <a href="/openapi.json">/openapi.json</a>.</p>
</body>
</html>
`;

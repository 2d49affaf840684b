/**
 * The /docs page (Swagger UI from swagger-ui-dist, served by the query API itself) in Debian's
 * Chromium (playwright-core) against a real query API on embedded ClickHouse, on loopback. Every
 * request that is not to that server is aborted and recorded: the page must make none. The
 * screenshot goes to query-api/ui/test/screenshots/ (git-ignored).
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Listening, listen } from "@runtrace/collector";
import { createQueryApiApp } from "@runtrace/query-api";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_MISSING, findChromium, launchChromium } from "./harness/index.ts";

const SHOTS = fileURLToPath(new URL("screenshots", import.meta.url));

/** The operation the test opens, and the response whose schema it expands. */
const PATH = "/v1/executions";

const chromiumPath = findChromium();
const title = chromiumPath
  ? "the /docs page in Chromium"
  : `the /docs page in Chromium (skipped: ${CHROMIUM_MISSING})`;

// Said out loud as well: a skipped file's test titles are not printed by the default reporter.
if (!chromiumPath) console.warn(`/docs browser tests skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!chromiumPath)(title, () => {
  let backend: RunningCollector;
  let server: Listening;
  /** `http://[::1]:<port>` (or `http://127.0.0.1:<port>` on a machine without IPv6). */
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Requests to anywhere but the query API: aborted, and listed here. */
  const offMachine = new Set<string>();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A real query API on embedded ClickHouse (the test collector's engine), on loopback.
    backend = await startTestCollector();
    ({ server, base } = await listenOnLoopback(createQueryApiApp({ clickhouse: backend.ch })));
    browser = await launchChromium(chromiumPath as string);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const origin = new URL(base).origin;
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      offMachine.add(url);
      return route.abort("blockedbyclient");
    });
    // A second net: every request the context reports (WebSockets below, which no route sees).
    context.on("request", (request) => {
      const url = request.url();
      if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) offMachine.add(url);
    });
    // Content-Security-Policy violations as the page sees them (Chromium also logs them).
    await context.addInitScript(() => {
      const seen: string[] = [];
      (globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
      // The root tsconfig has no DOM lib: the window is an EventTarget, the event a plain Event.
      (globalThis as unknown as EventTarget).addEventListener(
        "securitypolicyviolation",
        (event) => {
          const e = event as unknown as { violatedDirective: string; blockedURI: string };
          seen.push(`${e.violatedDirective} ${e.blockedURI}`);
        },
      );
    });
    page = await context.newPage();
    page.on("websocket", (socket) => offMachine.add(socket.url()));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await backend?.stop();
  }, 60_000);

  /** Nothing left the machine, nothing was refused by the CSP, nothing failed. */
  async function expectQuiet(): Promise<void> {
    const violations = await page.evaluate(
      () => (globalThis as unknown as { cspViolations: string[] }).cspViolations,
    );
    expect([...offMachine]).toEqual([]);
    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  }

  it("renders the API from /openapi.json offline and expands a response's schema", async () => {
    const response = await page.goto(`${base}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    expect(await page.title()).toBe("runtrace query API");

    // Swagger UI fetched the document and rendered its operations.
    await page.waitForSelector(".swagger-ui .opblock", { timeout: 30_000 });
    await expect
      .poll(() => page.locator(".swagger-ui .info .title").innerText())
      .toContain("runtrace query API");

    // Open GET /v1/executions (deep linking puts it in the address).
    const operation = await openOperation(page);
    await expect.poll(() => new URL(page.url()).hash).not.toBe("");

    // Its 200 response, on the Schema tab.
    const ok = operation.locator('.responses-wrapper tr.response[data-code="200"]').first();
    await ok.waitFor();
    const schemaTab = ok.locator('button.tablinks[data-name="model"]').first();
    if ((await schemaTab.getAttribute("aria-selected")) !== "true") await schemaTab.click();
    const schema = ok.locator(".model-box").first();
    await schema.waitFor();
    await expandTopLevel(schema);

    // The response's top-level properties are on screen: the page of runs and its meta.
    for (const name of ["executions", "meta"]) {
      await expect
        .poll(() => propertyTitle(schema, name).isVisible(), { message: `${name} is shown` })
        .toBe(true);
    }

    await ok.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/docs-1280.png`, fullPage: true });
    await ok.screenshot({ path: `${SHOTS}/docs-schema-1280.png` });
    await expectQuiet();
  });

  it("calls this same API from Try it out, under the page's CSP", async () => {
    const operation = await openOperation(page);
    await operation.locator("button.try-out__btn").click();
    await operation.locator("button.execute").click();
    const status = operation.locator(".live-responses-table tr.response .response-col_status");
    await status.first().waitFor();
    expect((await status.first().innerText()).trim()).toBe("200");
    await expectQuiet();
  });

  it("serves only the allow-listed viewer files", async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    const links = [...html.matchAll(/(?:src|href)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(links.map((link) => link?.replace(/\?.*/, ""))).toEqual(
      expect.arrayContaining(["/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js"]),
    );
    for (const link of links) {
      const asset = await fetch(`${base}${link}`);
      await asset.body?.cancel();
      expect(asset.status, link).toBe(200);
      expect(asset.headers.get("cache-control"), link).toBe("public, max-age=31536000, immutable");
      // A revalidation with the ETag costs no body.
      const again = await fetch(`${base}${link}`, {
        headers: { "if-none-match": asset.headers.get("etag") ?? "" },
      });
      expect(again.status, link).toBe(304);
    }
    for (const name of ["swagger-ui-bundle.js.map", "index.html", "..%2Fpackage.json"]) {
      const other = await fetch(`${base}/docs/assets/${name}`);
      await other.body?.cancel();
      expect(other.status, name).toBe(404);
    }
  });
});

/**
 * The query API on loopback: IPv6's `[::1]` when the machine has it, else 127.0.0.1. Swagger UI
 * skips its host-dependent calls out (the validator badge, an image from validator.swagger.io)
 * for a document on `localhost` or `127.0.0.1`: on `[::1]` the "nothing left the machine" check
 * also covers them, should the page ever render the badge (BaseLayout does not; `validatorUrl:
 * null` turns it off anyway).
 */
async function listenOnLoopback(app: Parameters<typeof listen>[0]) {
  try {
    const server = await listen(app, 0, "::1");
    return { server, base: `http://[::1]:${server.port}` };
  } catch {
    const server = await listen(app, 0, "127.0.0.1");
    return { server, base: server.url };
  }
}

/** Opens the GET /v1/executions operation (once the page has rendered its operations). */
async function openOperation(page: Page): Promise<Locator> {
  const operation = page
    .locator(`.opblock-get:has(.opblock-summary-path[data-path="${PATH}"])`)
    .first();
  await operation.waitFor();
  const control = operation.locator(".opblock-summary-control").first();
  if ((await control.getAttribute("aria-expanded")) !== "true") await control.click();
  await operation.locator(".responses-wrapper tr.response").first().waitFor();
  return operation;
}

/**
 * A property's name in an expanded schema: Swagger UI's JSON Schema 2020-12 view (OpenAPI 3.1)
 * shows it as a title, its older model view (OpenAPI 3.0) in a table cell (`name*` if required).
 */
function propertyTitle(schema: Locator, name: string): Locator {
  return schema
    .locator(".json-schema-2020-12__title, .property-row > td:first-child")
    .filter({ hasText: new RegExp(`^\\s*${name}\\s*\\*?\\s*$`) })
    .first();
}

/** Opens the schema's top level if Swagger UI shows it collapsed (either view). */
async function expandTopLevel(schema: Locator): Promise<void> {
  const accordion = schema.locator(
    'article[data-json-schema-level="0"] > .json-schema-2020-12-head > button.json-schema-2020-12-accordion',
  );
  if ((await accordion.count()) > 0) {
    if ((await accordion.first().getAttribute("aria-expanded")) !== "true") {
      await accordion.first().click();
    }
    return;
  }
  const toggle = schema.locator(".model-toggle.collapsed").first();
  if ((await toggle.count()) > 0) await toggle.click();
}

/**
 * The Chromium of the /runs browser tests and the `ui` benchmark: the system's (Debian's
 * `chromium` package), driven by playwright-core. Playwright's own browser downloads are never
 * used.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where a system Chromium is looked for, after `RUNTRACE_CHROMIUM`. */
export const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"] as const;

/** Why browser tests are skipped when {@link findChromium} finds nothing. */
export const CHROMIUM_MISSING =
  "no Chromium found (looked at RUNTRACE_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser): " +
  "install it with `apt-get install -y chromium`, or set RUNTRACE_CHROMIUM to a Chromium or " +
  "Chrome executable";

/**
 * Flags given to Chromium. Playwright adds its own for `headless: true` (a plain `--headless`,
 * Chromium's new headless mode, plus `--no-sandbox`, `--disable-background-networking`,
 * `--disable-component-update`, `--disable-sync`, `--no-first-run` among others); repeating a
 * switch is harmless, so these stay valid whoever launches the binary.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
] as const;

/**
 * The Chromium to use: `RUNTRACE_CHROMIUM` when set to an existing file, else the first of
 * {@link CHROMIUM_PATHS} that exists; `undefined` when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.RUNTRACE_CHROMIUM?.trim();
  if (configured && existsSync(configured)) return configured;
  return CHROMIUM_PATHS.find((path) => existsSync(path));
}

/**
 * Launches a headless Chromium. Playwright gives it a fresh temporary profile
 * (`--user-data-dir`) and removes it on `close()`; each `browser.newContext()` is a separate
 * incognito-like context with its own cookies and HTTP cache.
 *
 * @example
 * ```ts
 * const executablePath = findChromium();
 * if (!executablePath) throw new Error(CHROMIUM_MISSING);
 * const browser = await launchChromium(executablePath);
 * const page = await (await browser.newContext()).newPage();
 * await page.goto(`${server.queryUrl}/runs`);
 * await browser.close();
 * ```
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    // The Debian launcher script sources /etc/chromium.d and then execs the real binary; 30 s
    // covers a cold start on a loaded 2-core machine.
    timeout: 30_000,
  });
}

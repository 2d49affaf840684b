import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The first screen the query API renders into the /runs page: the list's first page and its
 * numbers, read in-process, rendered by the app's own screen component
 * (`query-api/ui/src/first-screen/server.tsx`, built into `dist-server/first-screen.js`), and
 * sent inside the page with the answers themselves, so rows are on screen before the app's
 * scripts have even run; the app starts from those answers and replaces the markup. The
 * browser's half is `query-api/ui/src/first-screen/served.ts`.
 */

/** The paths a view reads first (the same the page's boot would ask for). */
export interface FirstScreenPaths {
  page: string;
  counts: string;
  numbers: string;
  about: string;
  /** The error groups, read once the counts are sent (older renderers: none, the app asks). */
  errors?: string;
}

interface ServedAnswer {
  status: number;
  body: string;
}

/** An answer read in-process: its JSON text, and that text parsed (it must parse to be sent). */
interface ReadAnswer extends ServedAnswer {
  value: unknown;
}

/** What `dist-server/first-screen.js` exports. */
export interface FirstScreenModule {
  /** Null when the view depends on the browser's time zone (a date without one in the URL). */
  firstScreenPaths(search: string, nowMs: number): FirstScreenPaths | null;
  renderFirstScreen(input: {
    search: string;
    now: number;
    cookie: string | undefined;
    page: ServedAnswer;
    numbers: ServedAnswer;
    about: ServedAnswer | undefined;
  }): string | null;
}

/** Reads an API path in-process, as the page's own request would (no credentials). */
export type ReadApi = (path: string, signal: AbortSignal) => Promise<Response>;

/** The built module in `dir`; undefined when it is not built or does not export what it must. */
export async function loadFirstScreen(dir: string): Promise<FirstScreenModule | undefined> {
  const file = join(dir, "first-screen.js");
  if (!existsSync(file)) return undefined;
  const module = (await import(pathToFileURL(file).href)) as Partial<FirstScreenModule>;
  if (
    typeof module.firstScreenPaths !== "function" ||
    typeof module.renderFirstScreen !== "function"
  ) {
    throw new Error(`${file}: not a first-screen module (rebuild with npm run build)`);
  }
  return module as FirstScreenModule;
}

/** Where index.html has the query API say that it sends a first screen. */
const SERVED_MARKER = "<!-- runtrace:served -->";
/** Where the first screen goes: before the app's own root. */
const ROOT = '<div id="root"></div>';

/** Whether this index.html has the places a first screen needs. */
export function canServeFirstScreen(index: string): boolean {
  return index.includes(SERVED_MARKER) && index.includes(ROOT);
}

/** JSON text made safe inside a <script> element: `<` can only be inside its strings. */
function scriptJson(json: string): string {
  return json.replaceAll("<", "\\u003c");
}

async function read(
  readApi: ReadApi,
  path: string,
  signal: AbortSignal,
): Promise<ReadAnswer | undefined> {
  try {
    const answer = await readApi(path, signal);
    const body = await answer.text();
    // Only JSON goes into the page as it is; anything else the browser asks for itself.
    if (!(answer.headers.get("content-type") ?? "").includes("application/json")) return undefined;
    return { status: answer.status, body, value: JSON.parse(body) };
  } catch {
    return undefined;
  }
}

function delivery(path: string, answer: ServedAnswer | undefined): string {
  // An answer not read (an error, the page closed): the browser asks for it once the page
  // has loaded (served.ts), so nothing is delivered here.
  if (!answer) return "";
  return `<script>__runtraceDeliver(${scriptJson(JSON.stringify(path))},${answer.status},${scriptJson(answer.body)})</script>`;
}

/**
 * The page with its first screen, streamed: the head at once (its style and scripts load
 * while the answers are read), then the first screen as soon as the first page and its
 * numbers are read, with those answers and the app's root, then the counts, which the first
 * screen never waits for, the error groups, and the end of the page. Undefined when this view gets no first
 * screen (its times depend on the browser's time zone): the plain page then.
 */
export function firstScreenPage(
  index: string,
  module: FirstScreenModule,
  request: { search: string; cookie: string | undefined; signal: AbortSignal },
  readApi: ReadApi,
): Response | undefined {
  const now = Date.now();
  const paths = module.firstScreenPaths(request.search, now);
  if (!paths) return undefined;
  // The app's entry, which the first screen imports once it has been painted.
  const app = /<script type="module"[^>]*\ssrc="(\/[^"]+)"/.exec(index)?.[1];
  const served = `{now:${now}${app ? `,app:${scriptJson(JSON.stringify(app))}` : ""}}`;
  const [head, rest] = splitAt(
    index.replace(SERVED_MARKER, `<script>window.__runtraceServed=${served}</script>`),
    ROOT,
  );
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  request.signal.addEventListener("abort", onAbort, { once: true });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        if (text) controller.enqueue(encoder.encode(text));
      };
      try {
        write(head);
        // Out of this task before the reads start: their statements are prepared synchronously
        // (1.5–10 ms measured), and the head — its style and scripts to fetch — need not wait.
        await new Promise((resolve) => setImmediate(resolve));
        const [page, numbers, about] = await Promise.all([
          read(readApi, paths.page, abort.signal),
          read(readApi, paths.numbers, abort.signal),
          read(readApi, paths.about, abort.signal),
        ]);
        const markup =
          page && numbers ? render(module, { ...request, now, page, numbers, about }) : null;
        // The app's root before the first screen's script, which may start the app (below).
        const screen = page !== undefined && numbers !== undefined && markup !== null;
        if (screen) {
          // Whether it shows rows and their numbers: the first-data mark, then.
          const shown = hasRows(page) && numbers.status === 200;
          // Inert: clicks and keys do nothing before the app is there, so none lands on it.
          write(
            `<div id="first-screen" inert>${markup}</div>${ROOT}<script>__runtraceFirstScreen(${shown})</script>`,
          );
        } else {
          write(ROOT);
        }
        write(
          delivery(paths.page, page) +
            delivery(paths.numbers, numbers) +
            delivery(paths.about, about),
        );
        // The counts after the first screen (read beside it, the first data came later: cold
        // p50 156–191 ms against 138–159). The page stays open until they are here, and the
        // app's scripts wait for its paint (a page that ended before the counts ran them beside
        // it: 160–169 against 136–146), but not for the counts: the first screen imports the
        // app's entry once painted.
        write(delivery(paths.counts, await read(readApi, paths.counts, abort.signal)));
        // Then the error groups, which the app would ask for once it has taken over: read here,
        // after everything on screen, they no longer run beside a reload of the page (the
        // engine cannot stop a statement whose request is gone) nor beside the counts. Not
        // without a first screen: there the app starts once the page has ended (the browser
        // asks for what was not sent).
        if (paths.errors && screen) {
          write(delivery(paths.errors, await read(readApi, paths.errors, abort.signal)));
        }
        write(rest.slice(ROOT.length));
        controller.close();
      } catch (error) {
        controller.error(error);
      } finally {
        request.signal.removeEventListener("abort", onAbort);
      }
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      // It holds data read for this request.
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** The markup, or null (the app renders the page as without a first screen) if it threw. */
function render(
  module: FirstScreenModule,
  input: Parameters<FirstScreenModule["renderFirstScreen"]>[0],
): string | null {
  try {
    return module.renderFirstScreen(input);
  } catch (error) {
    console.error(`runtrace query-api: the /runs first screen did not render: ${String(error)}`);
    return null;
  }
}

function hasRows(page: ReadAnswer): boolean {
  const list = page.status === 200 ? (page.value as { executions?: unknown[] }) : {};
  return (list.executions?.length ?? 0) > 0;
}

function splitAt(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  return [text.slice(0, at), text.slice(at)];
}

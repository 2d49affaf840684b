import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

/** The content type a built file is served with, by extension. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** A file of the built page: its bytes and what to answer it with. */
export interface DistFile {
  /** Its path in the dist folder, `/`-separated (`assets/index-abc123.js`). */
  path: string;
  body: Uint8Array;
  contentType: string;
}

/**
 * The built page's folder. Only files found by listing it are ever read: a request names a
 * key of that listing, never a path, so `..`, encoded separators and symlinks out of the
 * folder have nothing to reach. The listing is redone when index.html changes (a rebuild
 * renames the hashed assets), so `npm run build` while the server runs needs no restart.
 */
export class DistFolder {
  readonly dir: string;
  #listing: Promise<ReadonlySet<string>> | undefined;
  #stamp = "";

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Whether index.html is there; re-lists the folder when it changed since the last look. */
  async built(): Promise<boolean> {
    const index = await stat(join(this.dir, "index.html")).catch(() => undefined);
    if (!index?.isFile()) {
      this.#listing = undefined;
      return false;
    }
    const stamp = `${index.ino}:${index.size}:${index.mtimeMs}`;
    if (stamp !== this.#stamp || !this.#listing) {
      this.#stamp = stamp;
      this.#listing = listFiles(this.dir);
    }
    return true;
  }

  /** A listed file by its `/`-separated path in the folder, or undefined. Call built() first. */
  async read(path: string): Promise<DistFile | undefined> {
    const listing = await this.#listing;
    if (!listing?.has(path)) return undefined;
    const file = resolve(this.dir, ...path.split("/"));
    // The listing cannot name anything outside; checked again where the file is opened.
    if (!file.startsWith(this.dir + sep)) return undefined;
    try {
      return { path, body: await readFile(file), contentType: contentTypeOf(file) };
    } catch {
      // Removed since the listing (a rebuild in progress): as if it never existed.
      return undefined;
    }
  }
}

/** Every regular file under `dir` (no symlinks, no dot-files), as `/`-separated paths. */
async function listFiles(dir: string): Promise<ReadonlySet<string>> {
  const files = new Set<string>();
  const walk = async (folder: string, prefix: string) => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) files.add(`${prefix}${entry.name}`);
    }
  };
  await walk(dir, "");
  return files;
}

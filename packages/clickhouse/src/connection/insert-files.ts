import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync } from "node:fs";
import { rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Where insert files go when nothing is configured: RAM-backed, so a batch never hits a disk. */
export const SHARED_MEMORY_DIR = "/dev/shm";

/**
 * A tmpfs smaller than this (Docker gives containers 64 MiB) is not used by default: the folder
 * falls back to the data directory.
 */
const MIN_SHARED_MEMORY_BYTES = 512 * 1024 ** 2;

/** Free space the insert folder's file system keeps by default (`RUNTRACE_INSERT_RESERVE_BYTES`). */
export const DEFAULT_INSERT_RESERVE_BYTES = 64 * 1024 ** 2;

/**
 * A batch not written because its file system would fall under the reserve. Not permanent: the
 * writer retries it, then answers 503 with Retry-After, like any other failed insert.
 */
export class InsertSpaceError extends Error {
  readonly code = "RUNTRACE_INSERT_SPACE";
  constructor(dir: string, needed: number, free: number, reserve: number) {
    super(
      `no room for a ${needed}-byte insert file in ${dir}: ${free} bytes free, ` +
        `${reserve} kept in reserve (RUNTRACE_INSERT_RESERVE_BYTES)`,
    );
    this.name = "InsertSpaceError";
  }
}

/**
 * The parent folder of a data directory's insert folder: the configured one, else `/dev/shm`
 * when it is a tmpfs of useful size, else the data directory itself.
 */
export function insertParentDir(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  try {
    const fs = statfsSync(SHARED_MEMORY_DIR);
    if (fs.blocks * fs.bsize >= MIN_SHARED_MEMORY_BYTES) return SHARED_MEMORY_DIR;
  } catch {
    // No /dev/shm on this system.
  }
  return dataDir;
}

/**
 * The folder one data directory's inserts use: named after the data directory, so each process
 * (a data directory is held by one process at a time) has a folder of its own and sweeps only it.
 */
export function insertFolder(parent: string, dataDir: string): string {
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return join(parent, `runtrace-inserts-${hash}`);
}

/**
 * This process's mark on its files: several handles in one process may share a data directory
 * (and so a folder), and a pid alone can repeat across restarts (pid 1 in every container).
 */
const PROCESS_TAG = `${process.pid}.${randomUUID().slice(0, 8)}`;
let handles = 0;
/** Open handles per folder in this process: the last one to close removes the folder. */
const openHandles = new Map<string, number>();
let exitHook = false;

/** A process that exits without closing its handles leaves no folder behind either. */
function removeOpenFolders(): void {
  for (const dir of openHandles.keys()) rmSync(dir, { force: true, recursive: true });
  openHandles.clear();
}

/**
 * The files embedded ClickHouse reads batches from (`INSERT … FROM INFILE`): the engine parses a
 * file several times faster than the same rows sent as query text. Each file lives for one insert.
 */
export class InsertFiles {
  readonly dir: string;
  /** Free bytes the folder's file system keeps; adjustable at run time. */
  reserveBytes: number;
  readonly #prefix = `${PROCESS_TAG}-${++handles}-`;
  #next = 0;

  /**
   * Creates the folder and removes what an earlier process left in it (it crashed: the folder
   * belongs to one data directory, which one process holds at a time); the files of other
   * handles of this process stay.
   */
  constructor(dir: string, reserveBytes: number) {
    this.dir = dir;
    this.reserveBytes = reserveBytes;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!exitHook) {
      exitHook = true;
      process.once("exit", removeOpenFolders);
    }
    openHandles.set(dir, (openHandles.get(dir) ?? 0) + 1);
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${PROCESS_TAG}-`))
        rmSync(join(dir, name), { force: true, recursive: true });
    }
  }

  /** Writes a batch to a new file, refusing when the reserve would be touched. */
  async write(body: string | Uint8Array): Promise<string> {
    const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    const fs = await statfs(this.dir);
    const free = fs.bavail * fs.bsize;
    if (free - bytes < this.reserveBytes) {
      throw new InsertSpaceError(this.dir, bytes, free, this.reserveBytes);
    }
    const path = join(this.dir, `${this.#prefix}${this.#next++}.rows`);
    try {
      await writeFile(path, body, { flag: "wx" });
    } catch (error) {
      // A partly written file is ours to remove; one that already existed is not.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") await rm(path, { force: true });
      throw error;
    }
    return path;
  }

  /** Writes `body` to a file, runs `insert` on it, and removes the file whatever happens. */
  async with<T>(body: string | Uint8Array, insert: (path: string) => Promise<T>): Promise<T> {
    const path = await this.write(body);
    try {
      return await insert(path);
    } finally {
      await rm(path, { force: true });
    }
  }

  /** On close: the last handle of this process on the folder removes it. */
  remove(): void {
    const open = (openHandles.get(this.dir) ?? 1) - 1;
    if (open > 0) {
      openHandles.set(this.dir, open);
      return;
    }
    openHandles.delete(this.dir);
    rmSync(this.dir, { force: true, recursive: true });
  }

  /** Files currently in the folder (for tests and diagnostics). */
  files(): string[] {
    return existsSync(this.dir) ? readdirSync(this.dir) : [];
  }
}

/** The embedded engine's data directory is held by another process. */
export class DataDirectoryLockedError extends Error {
  readonly path: string;
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      `The ClickHouse data directory ${path} is in use by another process (the embedded engine ` +
        `could not lock ${path}/status). Stop the process that holds it (a running ` +
        "`runtrace start`?), or set RUNTRACE_DATA_DIR to another directory.",
      options,
    );
    this.name = "DataDirectoryLockedError";
    this.path = path;
  }
}

/** Any other failure to open embedded ClickHouse. */
export class EmbeddedOpenError extends Error {
  readonly path: string;
  constructor(path: string, options?: { cause?: unknown }) {
    super(`Could not open embedded ClickHouse in ${path}`, options);
    this.name = "EmbeddedOpenError";
    this.path = path;
  }
}

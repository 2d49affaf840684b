/**
 * @module
 * Number formatting of the ingest benchmark's report.
 */

export const fmt = (n: number) => String(Math.round(n));
export const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
export const mb = (kib: number) => `${Math.round(kib / 1024)} MB`;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

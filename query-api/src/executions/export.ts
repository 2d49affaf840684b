import type { ClickHouse } from "@runtrace/clickhouse";
import type { ExecutionSummary } from "../contract/index.ts";
import { decodeCursor } from "./cursor.ts";
import { listExecutions } from "./list.ts";
import type { ListRequest } from "./list-params.ts";

/**
 * The filtered runs as CSV or JSON lines, streamed: the list read page after page with its own
 * cursor, so an export holds one page in memory, lists every matching run in the list's order
 * and filters (not only the page a reader has loaded), and stops at `rows`.
 */

/**
 * Rows of the first page read (its bytes leave soon), then each page 5 times larger, up to the
 * last: a statement per page costs about the same at 200 rows as at 5 000. 10 000 runs of 1M
 * over 30 days (6.8 MB of JSON lines) in pages of 200: 1.9 s, of failed runs 3.7 s; in pages of
 * 200, 1 000, then 5 000 (3.4 MB each in memory): 0.47 and 0.70 s.
 */
const FIRST_PAGE = 200;
const LAST_PAGE = 5_000;

/** The CSV's columns: the list's row, times as RFC 3339. */
export const CSV_COLUMNS = [
  "id",
  "scope",
  "status",
  "stale",
  "trigger",
  "runtime",
  "createdAt",
  "startedAt",
  "completedAt",
  "durationMs",
  "toolCallCount",
  "interactionCount",
  "hadElicitation",
  "traceId",
  "codePreview",
] as const;

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. Text a spreadsheet
 * would run as a formula (starting with =, +, -, @, tab or CR) is prefixed with ' so opening
 * the file never executes a run's code preview.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(run: ExecutionSummary): string {
  const cells: (string | number | boolean | null)[] = [
    run.id,
    run.scope,
    run.status,
    run.stale,
    run.trigger.kind,
    run.runtime,
    iso(run.createdAt),
    iso(run.startedAt),
    iso(run.completedAt),
    run.durationMs,
    run.toolCallCount,
    run.interactionCount,
    run.hadElicitation,
    run.traceId,
    run.codePreview,
  ];
  return `${cells.map(csvField).join(",")}\r\n`;
}

export function exportStream(
  ch: ClickHouse,
  req: ListRequest,
  scopes: readonly string[] | null,
  staleAfterMs: number,
  format: "csv" | "jsonl",
  rows: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let sent = 0;
  let cursor: string | null | undefined;
  let started = false;
  let pageRows = FIRST_PAGE;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = "";
      if (!started) {
        started = true;
        if (format === "csv") text += `${CSV_COLUMNS.join(",")}\r\n`;
      } else if (cursor === null || sent >= rows) {
        controller.close();
        return;
      }
      const page = await listExecutions(
        ch,
        {
          ...req,
          limit: Math.min(pageRows, rows - sent),
          ...(cursor ? { cursor: decodeCursor(cursor, "cursor") } : {}),
        },
        scopes,
        staleAfterMs,
        signal,
      );
      for (const run of page.executions) {
        text += format === "csv" ? csvRow(run) : `${JSON.stringify(run)}\n`;
      }
      sent += page.executions.length;
      pageRows = Math.min(pageRows * 5, LAST_PAGE);
      cursor = page.nextCursor;
      controller.enqueue(encoder.encode(text));
    },
  });
}

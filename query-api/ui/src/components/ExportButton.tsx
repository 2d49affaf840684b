import { useState } from "react";
import { exportRuns } from "../api/client.ts";
import { integerText } from "../format.ts";

/**
 * Downloads every run of the current filter and range as CSV — the server streams them all, not
 * the page loaded here — and then says how many came and the server's row limit.
 */
export function ExportButton({ params }: { params: () => URLSearchParams }) {
  const [state, setState] = useState<string | null>(null);
  const run = async () => {
    setState("exporting…");
    try {
      const q = params();
      q.delete("chart");
      q.delete("limit");
      q.set("format", "csv");
      const { blob, rowLimit } = await exportRuns(q);
      // Every line but the header is a run (quoted fields may hold line breaks: count rows).
      const rows = countCsvRows(await blob.text()) - 1;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "runs.csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      const limit = rowLimit === null ? "" : ` (at most ${integerText(rowLimit)})`;
      setState(`${integerText(rows)} runs exported${limit}`);
    } catch (error) {
      setState(`export failed: ${(error as Error).message}`);
    }
  };
  return (
    <span className="export">
      <button
        type="button"
        data-testid="export"
        title="Download every run of this filter and range as CSV (up to the server's row limit)"
        onClick={() => void run()}
      >
        Export CSV
      </button>
      {state && <span data-testid="export-state">{state}</span>}
    </span>
  );
}

/** Rows of an RFC 4180 text: line breaks outside quotes. */
export function countCsvRows(text: string): number {
  let rows = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === "\n" && !quoted) rows++;
  }
  return rows;
}

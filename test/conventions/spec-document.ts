import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Reading docs/semantic-conventions.md: its marked tables and its marked examples. A table is
 * the Markdown table after `<!-- table: NAME -->`, an example the ```json block after
 * `<!-- example: NAME -->`.
 */

export const SPEC_PATH = fileURLToPath(
  new URL("../../docs/semantic-conventions.md", import.meta.url),
);

export function readSpec(): string {
  return readFileSync(SPEC_PATH, "utf8");
}

/** A table: its header cells and its rows, cells trimmed, as written. */
export interface Table {
  name: string;
  header: string[];
  rows: string[][];
}

function cells(line: string): string[] {
  // A `\|` inside a cell is a literal bar, not a column break.
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll("\\|", "|"));
}

/** Every marked table, in document order. */
export function tables(doc: string): Table[] {
  const lines = doc.split("\n");
  const out: Table[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- table: (.+?) -->$/.exec(lines[i]!.trim());
    if (!marker) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === "") j++;
    const header = cells(lines[j] ?? "");
    const rows: string[][] = [];
    // The line after the header is the |---| separator.
    for (let k = j + 2; k < lines.length && lines[k]!.trim().startsWith("|"); k++) {
      rows.push(cells(lines[k]!));
    }
    out.push({ name: marker[1]!, header, rows });
  }
  return out;
}

/** Every marked example's text, by name; a name used twice is an error. */
export function examples(doc: string): Map<string, string> {
  const out = new Map<string, string>();
  const pattern = /<!-- example: (.+?) -->\s*```json\n([\s\S]*?)\n```/g;
  for (const match of doc.matchAll(pattern)) {
    const name = match[1]!;
    if (out.has(name)) throw new Error(`example ${name} appears twice`);
    out.set(name, match[2]!);
  }
  return out;
}

/** The text of a backticked cell (`x` → x), or the cell itself. */
export function code(cell: string): string {
  const m = /^`([^`]*)`$/.exec(cell.trim());
  return m ? m[1]! : cell.trim();
}

/** Every backticked text in a cell. */
export function codes(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
}

/** The examples' base time: 2026-01-01T00:00:00Z. */
export const BASE_MS = Date.UTC(2026, 0, 1);
/** Every time in the examples lies within this much after the base. */
const SPAN_MS = 24 * 60 * 60 * 1000;
const SPAN_NS = BigInt(SPAN_MS) * 1_000_000n;

/**
 * Moves every time in an example's text by `offsetMs`: the whole numbers of 13 digits (epoch ms)
 * and 19 digits (epoch ns) within a day after the base time, wherever they are (span and event
 * times, time attributes, times inside JSON-encoded attributes, the answers' times).
 */
export function shiftTimes(text: string, offsetMs: number, baseMs = BASE_MS): string {
  const offsetNs = BigInt(offsetMs) * 1_000_000n;
  const fromNs = BigInt(baseMs) * 1_000_000n;
  return text.replace(/(?<![\w.])(\d{19}|\d{13})(?![\w.])/g, (digits) => {
    if (digits.length === 13) {
      const ms = Number(digits);
      return ms >= baseMs && ms < baseMs + SPAN_MS ? String(ms + offsetMs) : digits;
    }
    const ns = BigInt(digits);
    return ns >= fromNs && ns < fromNs + SPAN_NS ? String(ns + offsetNs) : digits;
  });
}

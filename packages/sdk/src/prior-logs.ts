import type { LogLine } from "./record.ts";
import type { EncodedValue } from "./values.ts";

const encoder = new TextEncoder();
// Prior logs never change within a segment, yet every snapshot of it carries them: encode once.
const cache = new WeakMap<readonly LogLine[], { maxBytes: number; encoded: EncodedValue }>();

/**
 * JSON array of log lines within `maxBytes`. Unlike other values it is not cut mid-text,
 * which would leave unparseable JSON: the oldest whole lines are dropped instead (the lines
 * just before a pause are usually the ones that explain it) and the value is flagged truncated.
 */
export function encodeLogLines(lines: readonly LogLine[], maxBytes: number): EncodedValue {
  const cached = cache.get(lines);
  if (cached !== undefined && cached.maxBytes === maxBytes) return cached.encoded;
  const encoded = encode(lines, maxBytes);
  cache.set(lines, { maxBytes, encoded });
  return encoded;
}

function encode(lines: readonly LogLine[], maxBytes: number): EncodedValue {
  const kept: string[] = [];
  // Two brackets, plus one comma per line after the first.
  let bytes = 2;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    const json = JSON.stringify({
      time: line.time,
      severity: line.severity,
      message: line.message,
    });
    const size = encoder.encode(json).length + (kept.length > 0 ? 1 : 0);
    if (bytes + size > maxBytes) break;
    kept.push(json);
    bytes += size;
  }
  kept.reverse();
  return { value: `[${kept.join(",")}]`, truncated: kept.length < lines.length };
}

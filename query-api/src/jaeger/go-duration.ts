const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// "ms" before "m" and "s", so "1ms" is not read as minutes.
const PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Go's `time.ParseDuration` syntax, which Jaeger's duration parameters use: a sequence of
 * decimal numbers with units (`300ms`, `1.5h`, `1m30s`), or `0`. Returns nanoseconds, or
 * undefined when the text is not a duration. Negative durations are refused: no search bound
 * means anything by them.
 */
export function parseGoDuration(text: string): bigint | undefined {
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body === "0") return 0n;
  if (body === "") return undefined;
  let total = 0n;
  PART.lastIndex = 0;
  while (PART.lastIndex < body.length) {
    const start = PART.lastIndex;
    const m = PART.exec(body);
    if (!m || m.index !== start) return undefined;
    const [, whole = "", fraction = "", unit = ""] = m;
    if (whole === "" && fraction === "") return undefined;
    const scale = UNIT_NS[unit]!;
    total += BigInt(whole || "0") * scale;
    if (fraction !== "") total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  }
  return total;
}

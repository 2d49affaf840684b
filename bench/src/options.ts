/**
 * An integer flag of a benchmark (`--executions 1_000_000`: underscores allowed), at least
 * `min`; a readable error naming the flag otherwise.
 */
export function integerOption(text: string, flag: string, min = 1): number {
  const n = Number(text.replace(/_/g, ""));
  if (!(n >= min) || !Number.isInteger(n)) {
    const expected = min === 1 ? "a positive integer" : `an integer ≥ ${min}`;
    throw new Error(`${flag}: not ${expected}: ${text}`);
  }
  return n;
}

/**
 * The error-group mask as the API documents it, written out in JavaScript for the tests'
 * oracles (the API computes it in SQL): quoted values become '?' / "?", a number standing alone
 * (with a unit stuck to it) becomes <n>, what is left of a word holding a digit becomes <id>;
 * spaces collapse; the first 200 characters count.
 */
export function maskErrorMessage(message: string): string {
  return message
    .replace(/'[^']*'/g, "'?'")
    .replace(/"[^"]*"/g, '"?"')
    .replace(/\b[0-9]+(\.[0-9]+)?[A-Za-z]*\b/g, "<n>")
    .replace(/[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*/g, "<id>")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

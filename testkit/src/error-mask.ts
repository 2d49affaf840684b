/**
 * The error-group mask as the API documents it, written out in JavaScript for the tests'
 * oracles (the API computes it in SQL, RE2): quoted values become '?' / "?", a number standing
 * alone with one of a few units becomes <n>, what is left of a word holding a digit becomes
 * <id>; runs of ASCII white space (RE2's \s, which is narrower than JavaScript's) become one
 * space, leading and trailing spaces go; the first 200 code points count.
 */
export function maskErrorMessage(message: string): string {
  const masked = message
    .replace(/'[^']*'/g, "'?'")
    .replace(/"[^"]*"/g, '"?"')
    .replace(/\b[0-9]+(\.[0-9]+)?(ms|us|ns|s|m|h|d|b|kb|mb|gb|KB|MB|GB|x)?\b/g, "<n>")
    .replace(/[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*/g, "<id>")
    .replace(/[\t\n\f\r ]+/g, " ")
    .replace(/^ +| +$/g, "");
  return Array.from(masked).slice(0, 200).join("");
}

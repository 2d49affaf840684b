/**
 * Error groups: failed runs whose errors differ only in their values — numbers, ids, quoted
 * text — fall into one group, keyed by the error type and the message with those masked.
 *
 * The mask, in order: a quoted value ('…' or "…") becomes '?' or "?"; a number standing alone,
 * with one of a few units stuck to it (`30s`, `2.5ms`, `10MB`, `3x`), becomes <n>; what is left
 * of a word holding a digit (an id, a hash, `job42`, `job-12abc`) becomes <id>; runs of ASCII
 * white space (RE2's \s: tab, newline, form feed, return, space) become one space; leading and
 * trailing spaces go; the first 200 code points count.
 *
 * The stored `error_group` (schema 12) is this expression as it was when the column was made:
 * changing the mask needs a migration that gives the column the new expression and computes
 * it again for stored rows, or stored groups and newly read patterns disagree.
 */

/** The units a number may carry and still be one number: `\b` must follow them. */
const UNITS = "ms|us|ns|s|m|h|d|b|kb|mb|gb|KB|MB|GB|x";

/** The masked message of a ClickHouse String expression (RE2, ASCII classes). */
export function errorPatternSql(message: string): string {
  const quotedSingle = `replaceRegexpAll(${message}, '\\'[^\\']*\\'', '\\'?\\'')`;
  const quotedDouble = `replaceRegexpAll(${quotedSingle}, '"[^"]*"', '"?"')`;
  const numbers = `replaceRegexpAll(${quotedDouble}, '\\\\b[0-9]+(\\\\.[0-9]+)?(${UNITS})?\\\\b', '<n>')`;
  const ids = `replaceRegexpAll(${numbers}, '[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*', '<id>')`;
  return `leftUTF8(trimBoth(replaceRegexpAll(${ids}, '\\\\s+', ' ')), 200)`;
}

/** A failed run's group (0 for any other run): a hash of its error type and masked message. */
export function errorGroupSql(): string {
  return `if(status = 'failed', cityHash64(error_type, ${errorPatternSql("error")}), 0)`;
}

/**
 * Error groups: failed runs whose errors differ only in their values — numbers, ids, quoted
 * text — fall into one group, keyed by the error type and the message with those masked.
 *
 * The mask, in order: a quoted value ('…' or "…") becomes '?' or "?"; a number standing alone
 * (with a unit stuck to it: `30s`, `2.5ms`) becomes <n>; what is left of a word holding a digit (an id, a hash, `job42`) becomes <id>;
 * spaces collapse; the first 200 characters count.
 */

/** The masked message of a ClickHouse String expression (RE2, ASCII classes). */
export function errorPatternSql(message: string): string {
  const quotedSingle = `replaceRegexpAll(${message}, '\\'[^\\']*\\'', '\\'?\\'')`;
  const quotedDouble = `replaceRegexpAll(${quotedSingle}, '"[^"]*"', '"?"')`;
  const numbers = `replaceRegexpAll(${quotedDouble}, '\\\\b[0-9]+(\\\\.[0-9]+)?[A-Za-z]*\\\\b', '<n>')`;
  const ids = `replaceRegexpAll(${numbers}, '[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*', '<id>')`;
  return `leftUTF8(trimBoth(replaceRegexpAll(${ids}, '\\\\s+', ' ')), 200)`;
}

/** A failed run's group (0 for any other run): a hash of its error type and masked message. */
export function errorGroupSql(): string {
  return `if(status = 'failed', cityHash64(error_type, ${errorPatternSql("error")}), 0)`;
}

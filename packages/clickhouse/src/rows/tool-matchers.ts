/**
 * The tool filter's values a run answers, pre-computed so that the filter's counts can come
 * from a rollup (`tool_match_counts`) instead of testing every run's paths.
 *
 * A filter value is an exact path (`github.issues.create`) or a namespace (`github.*`, which
 * matches the namespace itself and everything under it). A path answers its own exact value and
 * `ns.*` for itself and every namespace above it: `github.issues.create` answers
 * `github.issues.create`, `github.*`, `github.issues.*` and `github.issues.create.*`. A filter
 * value never holds `*` except as that ending, so an exact value cannot be taken for a namespace.
 */

/** The matcher of an exact-path filter value. */
export function exactMatcher(path: string): string {
  return path;
}

/** The matcher of a `namespace.*` filter value (given without the `.*`). */
export function namespaceMatcher(namespace: string): string {
  return `${namespace}.*`;
}

/** Every matcher one stored path answers (the same as `TOOL_MATCHERS_SQL`). */
export function matchersOfPath(path: string): string[] {
  const parts = path.split(".");
  const out = [exactMatcher(path)];
  for (let k = 1; k <= parts.length; k++) out.push(namespaceMatcher(parts.slice(0, k).join(".")));
  return out;
}

/** Every matcher a run with these paths answers, each once. */
export function runToolMatchers(paths: readonly string[]): string[] {
  return [...new Set(paths.flatMap(matchersOfPath))];
}

/**
 * `runToolMatchers` in ClickHouse SQL over an array of paths: ClickHouse's `splitByChar`
 * splits as JavaScript's `split` does (empty parts kept), and both sides are tested against
 * each other.
 */
export function toolMatchersSql(paths: string): string {
  const parts = "splitByChar('.', toString(t))";
  return `arrayDistinct(arrayFlatten(arrayMap(t -> arrayConcat([toString(t)],
    arrayMap(k -> concat(arrayStringConcat(arraySlice(${parts}, 1, k), '.'), '.*'), range(1, length(${parts}) + 1))),
    ${paths})))`;
}

import { timingSafeEqual } from "node:crypto";
import type { TokenScopes } from "@runtrace/config";
import type { MetricRows, SpanInput } from "@runtrace/model";
import { ATTR_EXECUTION_ID, ATTR_SCOPE_ID } from "@runtrace/semconv";

/**
 * Ingest tokens bound to scopes (`RUNTRACE_INGEST_TOKENS`): a sender writes only into its own
 * scopes, over either transport.
 *
 * For a token limited to some scopes:
 * - a span or metric point that names another `executor.scope.id` is refused (`scope_not_allowed`);
 * - a run span, tool call, interaction or state span (anything with `executor.execution.id`)
 *   that names no scope is stored in the token's scope when it has exactly one — so a run and
 *   its children land where the token may write, and a child cannot join another tenant's run
 *   — and refused (`scope_missing`) when the token has several;
 * - other spans (a runtime's HTTP client, its sandbox work) and metric points that name no
 *   scope are stored as they are: runtrace reads no scope from them.
 */

export type ScopeRejection = "scope_not_allowed" | "scope_missing";

/** The scopes a bearer token may write (`null`: every scope), or undefined for no such token. */
export function scopesOfToken(
  header: string | undefined,
  tokens: TokenScopes,
): readonly string[] | null | undefined {
  const text = header ?? "";
  const given = Buffer.from(text.startsWith("Bearer ") ? text.slice(7).trim() : "");
  let found: readonly string[] | null | undefined;
  for (const [token, scopes] of tokens) {
    const expected = Buffer.from(token);
    // Every token is compared, found or not: the time taken does not tell which matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) found = scopes;
  }
  return found;
}

export interface Restricted<T> {
  kept: T;
  rejected: Partial<Record<ScopeRejection, number>>;
}

/** The spans a token with `scopes` may write; the others counted by reason. */
export function restrictSpans(
  spans: SpanInput[],
  scopes: readonly string[],
): Restricted<SpanInput[]> {
  const rejected: Partial<Record<ScopeRejection, number>> = {};
  const kept: SpanInput[] = [];
  for (const span of spans) {
    const values = span.attributes.values;
    const scope = values[ATTR_SCOPE_ID] ?? "";
    if (scope !== "") {
      if (scopes.includes(scope)) kept.push(span);
      else rejected.scope_not_allowed = (rejected.scope_not_allowed ?? 0) + 1;
      continue;
    }
    if (!values[ATTR_EXECUTION_ID]) {
      kept.push(span);
    } else if (scopes.length === 1) {
      values[ATTR_SCOPE_ID] = scopes[0]!;
      kept.push(span);
    } else {
      rejected.scope_missing = (rejected.scope_missing ?? 0) + 1;
    }
  }
  return { kept, rejected };
}

/** The metric points a token with `scopes` may write (points naming no scope are kept). */
export function restrictMetricPoints(
  rows: MetricRows,
  scopes: readonly string[],
): Restricted<MetricRows> {
  let notAllowed = 0;
  const allowed = (point: { attributes: { values: Record<string, string> } }) => {
    const scope = point.attributes.values[ATTR_SCOPE_ID] ?? "";
    if (scope === "" || scopes.includes(scope)) return true;
    notAllowed++;
    return false;
  };
  const kept: MetricRows = {
    sums: rows.sums.filter(allowed),
    gauges: rows.gauges.filter(allowed),
    histograms: rows.histograms.filter(allowed),
  };
  return { kept, rejected: notAllowed > 0 ? { scope_not_allowed: notAllowed } : {} };
}

/** The partial-success message part for scope rejections, "" when none. */
export function scopeRejectMessage(rejected: Partial<Record<ScopeRejection, number>>): string {
  const parts: string[] = [];
  if (rejected.scope_not_allowed) {
    parts.push(`${rejected.scope_not_allowed} naming a scope this token may not write`);
  }
  if (rejected.scope_missing) {
    parts.push(
      `${rejected.scope_missing} without executor.scope.id (this token writes several scopes: name one)`,
    );
  }
  return parts.join(", ");
}

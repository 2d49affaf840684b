import type { ClickHouse } from "@runtrace/clickhouse";
import { QueryParams } from "../executions/query-params.ts";
import { matchingSpansWhere, type TraceQuery } from "./search.ts";
import type { AttributeType } from "./span.ts";

/**
 * The attribute keys and values spans carry, for a query editor's autocomplete: read over the
 * spans that match a search (a time window, maybe conditions), so they stay bounded and the
 * request's scopes apply. `limit` on the query caps the number of keys or values.
 */

export type AttributeScope = "span" | "resource";

/** The keys of one scope's attributes; `service.name` is always a resource key. */
export async function listAttributeKeys(
  ch: ClickHouse,
  scope: AttributeScope,
  q: TraceQuery,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<string[]> {
  const p = new QueryParams();
  const keys =
    scope === "span"
      ? "mapKeys(SpanAttributes)"
      : "arrayPushBack(mapKeys(ResourceAttributes), 'service.name')";
  const rows = await ch.select<{ key: string }>(
    `SELECT DISTINCT arrayJoin(${keys}) AS key FROM otel_traces
     WHERE ${matchingSpansWhere(p, q, scopes)}
     ORDER BY key
     LIMIT ${p.add("UInt32", q.limit)}`,
    p.values,
    { signal },
  );
  return rows.map((r) => r.key);
}

/** Where a value list is read from. */
export type ValueSource =
  | { kind: "attribute"; scope: AttributeScope | "any"; key: string }
  | { kind: "spanName" };

export interface TypedValue {
  value: string;
  /** `string` for span names and for attributes without a stored type. */
  value_type: AttributeType;
}

/** Arrays, maps and bytes have no value a search could compare with; they are left out. */
const SCALAR_TYPES = ["", "string", "int", "double", "bool"];

function valueColumns(p: QueryParams, source: ValueSource): string[] {
  if (source.kind === "spanName") return ["SpanName AS value, '' AS type, 1 AS present"];
  const k = p.add("String", source.key);
  const span = `SpanAttributes[${k}] AS value, SpanAttributeTypes[${k}] AS type, mapContains(SpanAttributes, ${k}) AS present`;
  const resource =
    source.key === "service.name"
      ? "ServiceName AS value, '' AS type, 1 AS present"
      : `ResourceAttributes[${k}] AS value, ResourceAttributeTypes[${k}] AS type, mapContains(ResourceAttributes, ${k}) AS present`;
  if (source.scope === "span") return [span];
  if (source.scope === "resource") return [resource];
  return [span, resource];
}

/** The distinct values of a span name or attribute, each with its stored type, sorted. */
export async function listValues(
  ch: ClickHouse,
  source: ValueSource,
  q: TraceQuery,
  scopes: readonly string[] | null,
  signal: AbortSignal,
): Promise<TypedValue[]> {
  const p = new QueryParams();
  const where = matchingSpansWhere(p, q, scopes);
  const selects = valueColumns(p, source).map(
    (columns) => `SELECT ${columns} FROM otel_traces WHERE ${where}`,
  );
  const rows = await ch.select<TypedValue>(
    `SELECT DISTINCT value, if(type = '', 'string', toString(type)) AS value_type
     FROM (${selects.join(" UNION ALL ")})
     WHERE present AND type IN ${p.add("Array(String)", SCALAR_TYPES)}
     ORDER BY value, value_type
     LIMIT ${p.add("UInt32", q.limit)}`,
    p.values,
    { signal },
  );
  return rows;
}

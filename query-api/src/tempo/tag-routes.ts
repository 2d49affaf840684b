import { Hono } from "hono";
import type { TempoTagValue as TagValue } from "../contract/index.ts";
import type { AppEnv } from "../http/env.ts";
import { type AttributeType, listAttributeKeys, listValues } from "../traces/index.ts";
import { badParam, regexErrorsAreBadQueries } from "./errors.ts";
import { parseTagQuery, parseTagScopes } from "./params.ts";

/** The intrinsics the TraceQL subset can search by. */
const INTRINSICS = ["duration", "kind", "name", "status", "traceDuration"];

/** Tempo's value types (TraceQL's names) for the stored attribute types. */
const VALUE_TYPES: Partial<Record<AttributeType, string>> = {
  string: "string",
  int: "int",
  double: "float",
  bool: "bool",
};

/** Tempo lists status and kind values as fixed keywords, in its own order. */
const keywords = (values: readonly string[]): TagValue[] =>
  values.map((value) => ({ type: "keyword", value }));
const STATUS_VALUES = keywords(["ok", "error", "unset"]);
const KIND_VALUES = keywords([
  "client",
  "server",
  "producer",
  "consumer",
  "internal",
  "unspecified",
]);

type TagSource =
  | { kind: "fixed"; values: TagValue[] }
  | { kind: "spanName" }
  | { kind: "attribute"; scope: "resource" | "span" | "any"; key: string };

/** A TraceQL identifier: `resource.x`, `span.x`, `.x`, or an intrinsic (also as `span:name`). */
function tagSource(tag: string): TagSource | undefined {
  switch (tag) {
    case "status":
    case "span:status":
      return { kind: "fixed", values: STATUS_VALUES };
    case "kind":
    case "span:kind":
      return { kind: "fixed", values: KIND_VALUES };
    case "duration":
    case "span:duration":
    case "traceDuration":
    case "trace:duration":
      return { kind: "fixed", values: [] };
    case "name":
    case "span:name":
      return { kind: "spanName" };
  }
  for (const scope of ["resource", "span"] as const) {
    if (tag.startsWith(`${scope}.`) && tag.length > scope.length + 1) {
      return { kind: "attribute", scope, key: tag.slice(scope.length + 1) };
    }
  }
  if (tag.startsWith(".") && tag.length > 1)
    return { kind: "attribute", scope: "any", key: tag.slice(1) };
  return undefined;
}

/**
 * The search editor's autocomplete: `GET /api/v2/search/tags` (attribute keys by scope, and the
 * intrinsics) and `GET /api/v2/search/tag/{tag}/values` (typed values), over the spans of the
 * window that the editor's current query (`q`) matches.
 */
export function tagRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/api/v2/search/tags", async (c) => {
    const scopes = parseTagScopes(c.req.query("scope"));
    const query = parseTagQuery(c.req.query());
    const out: { name: string; tags: string[] }[] = [];
    for (const scope of scopes) {
      const tags =
        scope === "intrinsic"
          ? INTRINSICS
          : await listAttributeKeys(
              c.get("clickhouse"),
              scope,
              query,
              c.get("scopes"),
              c.get("signal"),
            );
      out.push({ name: scope, tags });
    }
    return c.json({ scopes: out });
  });

  routes.get("/api/v2/search/tag/:tag{.+}/values", async (c) => {
    const tag = c.req.param("tag");
    const source = tagSource(tag);
    if (!source) {
      throw badParam(
        "tag",
        `"${tag}" is not a TraceQL identifier such as resource.service.name, span.http.method, .attribute, name, status or kind`,
      );
    }
    const query = parseTagQuery(c.req.query());
    if (source.kind === "fixed") return c.json({ tagValues: source.values });
    const values = await regexErrorsAreBadQueries(
      listValues(
        c.get("clickhouse"),
        source.kind === "spanName" ? { kind: "spanName" } : source,
        query,
        c.get("scopes"),
        c.get("signal"),
      ),
    );
    const tagValues: TagValue[] = values.flatMap((v) => {
      const type = VALUE_TYPES[v.value_type];
      return type === undefined ? [] : [{ type, value: v.value }];
    });
    return c.json({ tagValues });
  });

  return routes;
}

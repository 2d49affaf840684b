import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { openApiDocument } from "../src/openapi.ts";
import { contractCheck } from "./contract-check.ts";

/**
 * The OpenAPI document is generated from the contract's zod schemas: it must be a valid
 * OpenAPI 3.1 document, describe every API route the app serves (and no route it does not),
 * and give each answer a schema. That each real answer matches its schema is checked in every
 * API test, through `contractCheck` (below: that the check itself can fail).
 */

type Operation = { responses: Record<string, { content?: Record<string, { schema?: object }> }> };
const doc = openApiDocument() as unknown as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
};

/** A path with its parameters unnamed: Hono's `:id`, `:tag{.+}` and OpenAPI's `{id}` alike. */
const shape = (path: string) => path.replace(/:[A-Za-z]+(\{[^}]*\})?|\{[^}]*\}/g, "{}");

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startTestCollector();
}, 60_000);
afterAll(async () => {
  await collector?.stop();
});

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    // The document as /openapi.json sends it.
    const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("documents every API route the app serves, and only those", () => {
    const app = createQueryApiApp({ clickhouse: collector.ch });
    const served = new Set(
      app.routes
        .filter((r) => r.method === "GET" && /^\/(v1|api|tempo)\//.test(r.path))
        .filter((r) => !r.path.endsWith("*"))
        .map((r) => shape(r.path)),
    );
    const documented = new Set(
      Object.keys(doc.paths)
        .filter((p) => /^\/(v1|api|tempo)\//.test(p))
        .map(shape),
    );
    expect([...served].filter((p) => !documented.has(p))).toEqual([]);
    expect([...documented].filter((p) => !served.has(p))).toEqual([]);
    expect(served.size).toBeGreaterThan(25);
  });

  it("gives every successful answer a schema", () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const ok = op.responses["200"];
        const schemas = Object.values(ok?.content ?? {}).filter((m) => m.schema);
        if (schemas.length === 0) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("the answer check the API tests run", () => {
  const check = contractCheck();
  const ask = (path: string) => new Request(`http://127.0.0.1${path}`);

  it("passes an answer of the documented shape", async () => {
    await expect(
      check(ask("/v1/executions/x/tool-calls"), Response.json({ executionId: "x", toolCalls: [] })),
    ).resolves.toBeUndefined();
  });

  it("fails a missing field, an undocumented field, a wrong type, status or route", async () => {
    await expect(
      check(ask("/v1/executions/x/tool-calls"), Response.json({ executionId: "x" })),
    ).rejects.toThrow(/toolCalls/);
    await expect(
      check(
        ask("/v1/executions/x/tool-calls"),
        Response.json({ executionId: "x", toolCalls: [], extra: 1 }),
      ),
    ).rejects.toThrow(/additional/);
    await expect(check(ask("/v1/about"), Response.json({ collectorUrl: 4318 }))).rejects.toThrow(
      /collectorUrl/,
    );
    await expect(
      check(ask("/v1/about"), Response.json({ collectorUrl: null }, { status: 418 })),
    ).rejects.toThrow(/status not documented/);
    await expect(check(ask("/v1/nothing-here"), Response.json({ ok: true }))).rejects.toThrow(
      /not documented/,
    );
  });
});

import { Ajv2020 } from "ajv/dist/2020.js";
import { openApiDocument } from "../src/openapi.ts";

/**
 * Checks every answer of an app against `/openapi.json`: its route and status must be
 * documented, and a JSON body must validate against the documented schema (Ajv, JSON Schema
 * 2020-12, which OpenAPI 3.1 uses). Pass it as `createQueryApiApp({ checkAnswer })`: a
 * mismatch becomes a 500 naming it, so the test that received the answer fails.
 */

/** Paths that are not part of the API document: the pages and the document itself. */
const UNDOCUMENTED = /^\/(runs|docs|openapi\.json|favicon|assets)(\/|$)|^\/$/;

interface Operation {
  pattern: RegExp;
  literal: boolean;
  pointer: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

type Document = {
  paths: Record<string, Record<string, { responses: Operation["responses"] }>>;
};

const escapePointer = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

function operations(doc: Document): Map<string, Operation[]> {
  const byMethod = new Map<string, Operation[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const source = path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
        .join("[^/]+");
      const list = byMethod.get(method.toUpperCase()) ?? [];
      list.push({
        pattern: new RegExp(`^${source}$`),
        literal: !path.includes("{"),
        pointer: `#/paths/${escapePointer(path)}/${method}`,
        responses: op.responses,
      });
      byMethod.set(method.toUpperCase(), list);
    }
  }
  return byMethod;
}

export function contractCheck(): (request: Request, answer: Response) => Promise<void> {
  const doc = openApiDocument() as unknown as Document;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(doc as object, "openapi.json");
  const byMethod = operations(doc);
  return async (request, answer) => {
    const { pathname } = new URL(request.url);
    // A HEAD answer has no body.
    if (UNDOCUMENTED.test(pathname) || request.method === "HEAD") return;
    const method = request.method;
    const candidates = (byMethod.get(method) ?? []).filter((o) => o.pattern.test(pathname));
    const op = candidates.find((o) => o.literal) ?? candidates[0];
    const where = `${method} ${pathname} ${answer.status}`;
    if (!op) {
      // An unknown route answers the app's 404, which is the /v1 error body.
      if (answer.status === 404) return validate("#/components/schemas/Error", await answer.json());
      throw new Error(`answer breaks the contract: ${where}: the route is not documented`);
    }
    const response = op.responses[String(answer.status)];
    // An undocumented 5xx is a failure the server logged: its test sees it as it is, not
    // replaced by a contract message (499: the client left, nobody reads it).
    if (!response && answer.status >= 499) return;
    if (!response) throw new Error(`answer breaks the contract: ${where}: status not documented`);
    const type = (answer.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const content = response.content ?? {};
    if (!(type in content)) {
      throw new Error(
        `answer breaks the contract: ${where}: content type ${type || "(none)"} not documented (${Object.keys(content).join(", ") || "no body"})`,
      );
    }
    const schema = `${op.pointer}/responses/${answer.status}/content/${escapePointer(type)}/schema`;
    if (type === "application/json") validate(schema, await answer.json());
    else if (type === "text/plain") validate(schema, await answer.text());

    function validate(pointer: string, body: unknown): void {
      const check = ajv.getSchema(`openapi.json${pointer}`);
      if (!check) throw new Error(`answer breaks the contract: ${where}: no schema at ${pointer}`);
      if (check(body)) return;
      const errors = (check.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)
        .join("; ");
      throw new Error(`answer breaks the contract: ${where}: ${errors}`);
    }
  };
}

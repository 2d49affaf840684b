import { describe, expect, it } from "vitest";
import type { ToolContext } from "./sandbox/index.ts";
import { createTools } from "./tools.ts";

const tools = createTools();

/** A context whose elicitations are approved at once. */
const approving: ToolContext = {
  executionId: "exec-1",
  scopeId: "ws_acme",
  elicit: async () => ({ approve: true }),
};

function call(path: string, args: Record<string, unknown>, context = approving) {
  const tool = tools[path];
  if (tool === undefined) throw new Error(`no tool ${path}`);
  return tool(args, context);
}

describe("demo tools", () => {
  it("exposes six namespaces", () => {
    const namespaces = new Set(Object.keys(tools).map((path) => path.split(".")[0]));
    expect([...namespaces].sort()).toEqual(["ci", "db", "fs", "github", "http", "slack"]);
  });

  it("returns the same data for the same call", async () => {
    const first = await call("github.issues.list", { repo: "acme/web", state: "all" });
    const second = await call("github.issues.list", { repo: "acme/web", state: "all" });
    expect(first).toEqual(second);
    expect(first).toHaveLength(12);
  });

  it("fails deterministically for the documented inputs", async () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [
        "github.issues.list",
        { repo: "acme/private-infra" },
        "ForbiddenError",
        "403: token has no access to acme/private-infra",
      ],
      [
        "github.issues.list",
        { repo: "acme/nope" },
        "NotFoundError",
        "404: repository acme/nope not found",
      ],
      ["github.issues.list", {}, "InvalidArgumentError", '"repo" must be a non-empty string'],
      [
        "slack.chat.post",
        { channel: "#random", text: "hi" },
        "SlackApiError",
        "slack: channel_not_found",
      ],
      [
        "slack.chat.post",
        { channel: "#archived-2019", text: "hi" },
        "SlackApiError",
        "slack: is_archived",
      ],
      [
        "slack.users.lookupByEmail",
        { email: "nobody@acme.example" },
        "SlackApiError",
        "slack: users_not_found",
      ],
      [
        "db.query",
        { sql: "DELETE FROM orders" },
        "DatabaseError",
        "ERROR: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)",
      ],
      [
        "db.query",
        { sql: "SELECT * FROM payments" },
        "DatabaseError",
        'ERROR: relation "payments" does not exist (SQLSTATE 42P01)',
      ],
      [
        "http.fetch",
        { url: "https://timeout.example/x" },
        "FetchTimeoutError",
        "GET https://timeout.example/x: no response within 1500 ms",
      ],
      [
        "http.fetch",
        { url: "http://169.254.169.254/latest" },
        "ForbiddenError",
        "blocked: 169.254.169.254 is not reachable from the sandbox",
      ],
      [
        "fs.read",
        { path: "/etc/shadow" },
        "PermissionDeniedError",
        "EACCES: permission denied, open '/etc/shadow'",
      ],
      [
        "fs.read",
        { path: "missing.txt" },
        "FileNotFoundError",
        "ENOENT: no such file or directory, open '/workspace/missing.txt'",
      ],
      [
        "ci.pipeline.run",
        { repo: "acme/web", branch: "broken-build" },
        "PipelineFailedError",
        'pl_i51t2a: job "test" failed: 3 failing tests in checkout.spec.ts',
      ],
    ];
    await Promise.all(
      cases.map(async ([path, args, name, message]) => {
        const error = await call(path, args).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, path).toMatchObject({ name, message });
      }),
    );
  });

  it("answers db queries from the fake tables", async () => {
    await expect(
      call("db.query", { sql: "SELECT count(*) FROM customers" }),
    ).resolves.toMatchObject({
      rows: [{ count: 30 }],
    });
    const paid = (await call("db.query", {
      sql: "SELECT * FROM orders WHERE status = 'paid' LIMIT 5",
    })) as {
      rows: Array<{ status: string }>;
    };
    expect(paid.rows).toHaveLength(5);
    expect(paid.rows.every((row) => row.status === "paid")).toBe(true);
  });

  it("answers unknown URLs with a 404 response instead of going to the network", async () => {
    await expect(
      call("http.fetch", { url: "https://example.org/anything" }),
    ).resolves.toMatchObject({
      status: 404,
      ok: false,
      body: "Not Found",
    });
  });

  it("asks before creating an issue in a protected repository", async () => {
    const asked: unknown[] = [];
    const denying: ToolContext = {
      ...approving,
      elicit: async (request) => {
        asked.push(request);
        return { approve: false };
      },
    };
    await expect(
      call("github.issues.create", { repo: "acme/payments", title: "Refund bug" }, denying),
    ).rejects.toMatchObject({ name: "ApprovalDeniedError" });
    expect(asked).toEqual([
      expect.objectContaining({
        kind: "form",
        message: 'Create issue "Refund bug" in protected repository acme/payments?',
      }),
    ]);
    await expect(
      call("github.issues.create", { repo: "acme/payments", title: "Refund bug" }),
    ).resolves.toMatchObject({ state: "open", title: "Refund bug" });
  });
});

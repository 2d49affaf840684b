/** Triggers as the three front doors of a code-execution service would report them. */
import type { ExecutionTrigger } from "@runtrace/sdk";
import type { SeededRandom } from "@runtrace/testkit/random";

export type TriggerKind = "cli" | "http" | "mcp";

const USERS = ["maria", "dan", "kim", "ravi"];
const MCP_CLIENTS = [
  { client: "claude-desktop", clientVersion: "0.9.3" },
  { client: "cursor", clientVersion: "1.2.0" },
  { client: "vscode-copilot", clientVersion: "1.101.0" },
];

export function trigger(kind: TriggerKind, random: SeededRandom): ExecutionTrigger {
  const id = random.int(0x100000, 0xffffff).toString(16);
  switch (kind) {
    case "cli": {
      const user = random.pick(USERS);
      return {
        kind,
        meta: {
          command: "executor run script.js",
          user,
          host: `${user}-laptop`,
          cwd: `/home/${user}/acme`,
          cliVersion: "1.4.2",
        },
      };
    }
    case "http":
      return {
        kind,
        meta: {
          method: "POST",
          route: "/v1/executions",
          requestId: `req_${id}`,
          userAgent: "acme-backend/2.3.1 (node 20)",
          clientIp: `10.0.${random.int(0, 9)}.${random.int(2, 250)}`,
        },
      };
    case "mcp":
      return {
        kind,
        meta: { ...random.pick(MCP_CLIENTS), tool: "execute", sessionId: `mcp_${id}` },
      };
  }
}

/** `github.*`: issues of a few fake repositories. */
import type { ToolHandler } from "../sandbox/index.ts";
import {
  hash,
  isoDaysAgo,
  latency,
  optionalNumber,
  optionalString,
  requireString,
  ToolError,
} from "./support.ts";

interface Issue {
  number: number;
  title: string;
  state: "open" | "closed";
  labels: string[];
  author: string;
  comments: number;
  createdAt: string;
  url: string;
}

const REPOS = ["acme/web", "acme/api", "acme/payments", "acme/mobile"] as const;
/** Creating issues here needs an approval (a form elicitation). */
const PROTECTED_REPOS = new Set(["acme/payments"]);
/** Exists, but the demo token has no access. */
const FORBIDDEN_REPOS = new Set(["acme/private-infra"]);

const TITLES = [
  "Login page flickers on Safari 17",
  "Checkout total rounds VAT twice",
  "Rate limiter returns 500 instead of 429",
  "Flaky test: OrdersController#refund",
  "Dark mode: unreadable code blocks",
  "Webhook retries ignore Retry-After",
  "Upgrade to Node 20 LTS",
  "Slow query on /reports/monthly",
  "Invoice PDF missing company address",
  "Search ignores diacritics",
  "Memory leak in websocket reconnect",
  "Add audit log for role changes",
];
const LABELS = ["bug", "enhancement", "p1", "p2", "flaky-test", "performance", "security"];
const AUTHORS = ["mlopez", "dchen", "asmith", "kwong", "rpatel", "jnovak"];

function repoOf(args: Parameters<ToolHandler>[0]): string {
  const repo = requireString(args, "repo");
  if (FORBIDDEN_REPOS.has(repo)) {
    throw new ToolError("ForbiddenError", `403: token has no access to ${repo}`);
  }
  if (!(REPOS as readonly string[]).includes(repo)) {
    throw new ToolError("NotFoundError", `404: repository ${repo} not found`);
  }
  return repo;
}

function issuesOf(repo: string): Issue[] {
  const seed = hash(repo);
  return TITLES.map((title, i) => {
    const n = (seed >>> i) & 0xff;
    return {
      number: 100 + i * 7 + (seed % 7),
      title,
      state: n % 4 === 0 ? "closed" : "open",
      labels: [
        LABELS[n % LABELS.length]!,
        ...(n % 3 === 0 ? [LABELS[(n >> 3) % LABELS.length]!] : []),
      ],
      author: AUTHORS[n % AUTHORS.length]!,
      comments: n % 13,
      createdAt: isoDaysAgo(1 + (n % 60)),
      url: `https://github.example/${repo}/issues/${100 + i * 7 + (seed % 7)}`,
    };
  });
}

let nextNumber = 400;

export const githubTools: Record<string, ToolHandler> = {
  "github.issues.list": async (args) => {
    const repo = repoOf(args);
    const state = optionalString(args, "state") ?? "open";
    const label = optionalString(args, "label");
    const limit = optionalNumber(args, "limit", 20);
    await latency(`github.issues.list ${repo} ${state}`, 60, 240);
    return issuesOf(repo)
      .filter((issue) => state === "all" || issue.state === state)
      .filter((issue) => label === undefined || issue.labels.includes(label))
      .slice(0, limit);
  },

  "github.issues.create": async (args, context) => {
    const repo = repoOf(args);
    const title = requireString(args, "title").trim();
    if (title.length > 256) throw new ToolError("ValidationError", "422: title is too long");
    if (PROTECTED_REPOS.has(repo)) {
      const answer = (await context.elicit({
        kind: "form",
        message: `Create issue "${title}" in protected repository ${repo}?`,
        schema: {
          type: "object",
          properties: { approve: { type: "boolean" }, reason: { type: "string" } },
          required: ["approve"],
        },
      })) as { approve?: boolean } | undefined;
      if (answer?.approve !== true) {
        throw new ToolError("ApprovalDeniedError", `creating issues in ${repo} was not approved`);
      }
    }
    await latency(`github.issues.create ${repo} ${title}`, 120, 380);
    const number = nextNumber++;
    return {
      number,
      title,
      state: "open",
      labels: Array.isArray(args.labels) ? args.labels : [],
      url: `https://github.example/${repo}/issues/${number}`,
    };
  },

  "github.issues.comment": async (args) => {
    const repo = repoOf(args);
    const number = optionalNumber(args, "number", Number.NaN);
    const body = requireString(args, "body");
    await latency(`github.issues.comment ${repo} ${number}`, 80, 200);
    if (!issuesOf(repo).some((issue) => issue.number === number)) {
      throw new ToolError("NotFoundError", `404: issue #${number} not found in ${repo}`);
    }
    return {
      id: hash(`${repo}#${number}${body}`),
      url: `https://github.example/${repo}/issues/${number}`,
    };
  },
};

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the programs are sandbox source text: their ${…} belong to the sandboxed code
/**
 * The code the demo submits: what an agent or a script would send to a code-execution service.
 * Each program says how its elicitations are answered and, in `expect`, how it should end, so
 * the catalogue doubles as documentation of the tools' behaviour.
 */

/** How the demo's "user" answers an elicitation. */
export type AnswerPolicy =
  /** Accept with `{ approve: true }` after a human-like pause. */
  | "approve"
  /** Accept with `{ approve: false }`: the tool refuses to go on. */
  | "deny"
  /** Decline: the execution is cancelled. */
  | "decline"
  /** Dismiss (cancel): the execution is cancelled. */
  | "dismiss";

export interface Program {
  name: string;
  code: string;
  expect: "completed" | "failed" | "cancelled";
  answer?: AnswerPolicy;
  timeoutMillis?: number;
  /** The caller gives up after this long (an AbortSignal): the run is cancelled. */
  abortAfterMillis?: number;
}

const lines = (...code: string[]) => code.join("\n");

/** Programs that complete, some after catching a failing tool. */
export function succeeding(params: { repo: string; city: string; email: string }): Program[] {
  const { repo, city, email } = params;
  return [
    {
      name: `triage ${repo}`,
      expect: "completed",
      code: lines(
        `const bugs = await tools.github.issues.list({ repo: "${repo}", label: "bug" });`,
        `console.log(\`\${bugs.length} open bugs in ${repo}\`);`,
        "const oldest = [...bugs].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];",
        "const text = bugs.length === 0 ? 'No open bugs 🎉' :",
        `  \`\${bugs.length} open bugs in ${repo}; oldest: #\${oldest.number} \${oldest.title}\`;`,
        'await tools.slack.chat.post({ channel: "#eng", text });',
        "return { bugs: bugs.length, oldest: oldest?.number ?? null };",
      ),
    },
    {
      name: "daily revenue",
      expect: "completed",
      code: lines(
        `const { rows } = await tools.db.query({ sql: "SELECT * FROM orders WHERE status = 'paid'" });`,
        "const cents = rows.reduce((sum, row) => sum + row.amount_cents, 0);",
        "const text = `Revenue today: $${(cents / 100).toFixed(2)} from ${rows.length} orders`;",
        "console.info(text);",
        'await tools.slack.chat.post({ channel: "#general", text });',
        "return { orders: rows.length, cents };",
      ),
    },
    {
      name: `weather ${city}`,
      expect: "completed",
      code: lines(
        `const cities = ["${city}", "Lisbon", "Osaka"];`,
        "const answers = await Promise.all(cities.map((city) =>",
        "  tools.http.fetch({ url: `https://api.weather.example/v1/forecast?city=${encodeURIComponent(city)}` })));",
        "return answers.map((r) => `${r.body.city}: ${r.body.tempC}°C, ${r.body.conditions}`);",
      ),
    },
    {
      name: "dependency audit",
      expect: "completed",
      code: lines(
        'const file = await tools.fs.read({ path: "/workspace/package.json" });',
        "const pkg = JSON.parse(file.content);",
        "const deps = Object.entries(pkg.dependencies);",
        "for (const [name, version] of deps) console.log(`${name}@${version}`);",
        "return { name: pkg.name, version: pkg.version, dependencies: deps.length };",
      ),
    },
    {
      name: "customers by plan",
      expect: "completed",
      code: lines(
        'const { rows } = await tools.db.query({ sql: "SELECT * FROM customers" });',
        "const byPlan = {};",
        "for (const row of rows) byPlan[row.plan] = (byPlan[row.plan] ?? 0) + 1;",
        "return byPlan;",
      ),
    },
    {
      name: "status page watch",
      expect: "completed",
      code: lines(
        'const res = await tools.http.fetch({ url: "https://status.example.com/api/v2/status.json" });',
        'if (res.body.status.indicator !== "none") {',
        '  await tools.slack.chat.post({ channel: "#alerts", text: res.body.status.description });',
        "}",
        "return res.body.status;",
      ),
    },
    {
      name: `ci ${repo}`,
      expect: "completed",
      code: lines(
        `const run = await tools.ci.pipeline.run({ repo: "${repo}", branch: "main" });`,
        "console.log(`pipeline ${run.id} ${run.status} in ${run.durationMs} ms`);",
        'await tools.slack.chat.post({ channel: "#deploys", text: `${run.repo}@main is green (${run.id})` });',
        "return run.jobs.map((job) => job.name);",
      ),
    },
    {
      name: "monthly report (slow query)",
      expect: "completed",
      timeoutMillis: 10_000,
      code: lines(
        'await tools.db.query({ sql: "SELECT pg_sleep(2)" });',
        `const { rows } = await tools.db.query({ sql: "SELECT * FROM invoices WHERE status = 'overdue'" });`,
        "console.warn(`${rows.length} overdue invoices`);",
        "return rows.map((row) => row.id);",
      ),
    },
    {
      name: "primes (pure compute)",
      expect: "completed",
      code: lines(
        "const primes = [];",
        "for (let n = 2; primes.length < 2000; n++) {",
        "  if (primes.every((p) => p * p > n || n % p !== 0)) primes.push(n);",
        "}",
        "return { count: primes.length, last: primes.at(-1) };",
      ),
    },
    {
      name: "workspace overview",
      expect: "completed",
      code: lines(
        'const entries = await tools.fs.list({ path: "/workspace" });',
        'const readme = await tools.fs.read({ path: "/workspace/README.md" });',
        'return { entries, title: readme.content.split("\\n")[0] };',
      ),
    },
    {
      name: "fx conversion",
      expect: "completed",
      code: lines(
        'const res = await tools.http.fetch({ url: "https://api.exchangerate.example/latest?base=USD" });',
        "const usd = 1249.5;",
        "return Object.fromEntries(Object.entries(res.body.rates).map(([c, r]) => [c, +(usd * r).toFixed(2)]));",
      ),
    },
    {
      name: "notify on-call",
      expect: "completed",
      code: lines(
        `const { user } = await tools.slack.users.lookupByEmail({ email: "${email}" });`,
        'await tools.slack.chat.post({ channel: "#alerts", text: `<@${user.id}> you are on call (${user.tz})` });',
        "return user.name;",
      ),
    },
    {
      name: "release overview (all repos)",
      expect: "completed",
      code: lines(
        'const repos = ["acme/web", "acme/api", "acme/mobile"];',
        "const lists = await Promise.all(repos.map((repo) => tools.github.issues.list({ repo, state: 'all' })));",
        "const summary = repos.map((repo, i) => ({ repo, open: lists[i].filter((x) => x.state === 'open').length }));",
        "console.log(JSON.stringify(summary));",
        "return summary;",
      ),
    },
    // Failing tools the code handles: the tool call fails, the run completes.
    {
      name: "post with fallback channel",
      expect: "completed",
      code: lines(
        "try {",
        '  await tools.slack.chat.post({ channel: "#random", text: "lunch?" });',
        "} catch (error) {",
        "  console.warn(`fallback after ${error.message}`);",
        '  await tools.slack.chat.post({ channel: "#general", text: "lunch?" });',
        "}",
        'return "posted";',
      ),
    },
    {
      name: "read env with fallback",
      expect: "completed",
      code: lines(
        "let file;",
        'try { file = await tools.fs.read({ path: "/workspace/.env" }); }',
        'catch (error) { console.warn(error.message); file = await tools.fs.read({ path: "/workspace/.env.example" }); }',
        'return file.content.split("\\n").filter(Boolean).map((line) => line.split("=")[0]);',
      ),
    },
    {
      name: "query with schema guess",
      expect: "completed",
      code: lines(
        "for (const table of ['payments', 'orders']) {",
        "  try {",
        "    const { rows } = await tools.db.query({ sql: `SELECT count(*) FROM ${table}` });",
        "    return { table, count: rows[0].count };",
        "  } catch (error) {",
        "    console.log(`${table}: ${error.message}`);",
        "  }",
        "}",
      ),
    },
  ];
}

/** Programs that fail: their own bugs, limits, or a tool error they do not catch. */
export function failing(params: { repo: string }): Program[] {
  return [
    {
      name: "assignee lookup (TypeError)",
      expect: "failed",
      code: lines(
        `const issues = await tools.github.issues.list({ repo: "${params.repo}" });`,
        "return issues.map((issue) => issue.assignee.login);",
      ),
    },
    {
      name: "parse CSV as JSON",
      expect: "failed",
      code: lines(
        'const file = await tools.fs.read({ path: "/workspace/data/customers.csv" });',
        "return JSON.parse(file.content);",
      ),
    },
    {
      name: "incident check (throws)",
      expect: "failed",
      code: lines(
        'const res = await tools.http.fetch({ url: "https://status.example.com/api/v2/incidents.json" });',
        "if (!res.ok) throw new Error(`status API answered ${res.status}`);",
        "return res.body;",
      ),
    },
    {
      name: "syntax error",
      expect: "failed",
      code: lines('const repos = ["acme/web", "acme/api";', "return repos.length;"),
    },
    {
      name: "busy wait (timeout)",
      expect: "failed",
      timeoutMillis: 1000,
      code: lines(
        "const until = Date.now() + 60_000;",
        "let spins = 0;",
        "while (Date.now() < until) spins++;",
        "return spins;",
      ),
    },
    {
      name: "buffer all samples (memory limit)",
      expect: "failed",
      code: lines(
        "const chunks = [];",
        "for (let i = 0; ; i++) chunks.push(new Float64Array(65536).fill(i));",
      ),
    },
    {
      name: "private repo (403)",
      expect: "failed",
      code: 'return await tools.github.issues.list({ repo: "acme/private-infra" });',
    },
    {
      name: "cleanup orders (read-only db)",
      expect: "failed",
      code: lines(
        "await tools.db.query({ sql: \"DELETE FROM orders WHERE status = 'failed'\" });",
        'return "cleaned";',
      ),
    },
    {
      name: "flaky upstream (fetch timeout)",
      expect: "failed",
      code: 'return await tools.http.fetch({ url: "https://timeout.example/api/slow" });',
    },
    {
      name: "ci broken-build",
      expect: "failed",
      code: lines(
        `const run = await tools.ci.pipeline.run({ repo: "${params.repo}", branch: "broken-build" });`,
        "return run.status;",
      ),
    },
    {
      name: "metadata probe (blocked)",
      expect: "failed",
      code: 'return await tools.http.fetch({ url: "http://169.254.169.254/latest/meta-data/" });',
    },
  ];
}

/** Programs that ask the user; the answer decides how they end. */
export function asking(): Program[] {
  const createIssue = lines(
    "const issue = await tools.github.issues.create({",
    '  repo: "acme/payments",',
    '  title: "Refund webhook drops events under load",',
    '  labels: ["bug", "p1"],',
    "});",
    "return issue.url;",
  );
  const refund = lines(
    `const { rows } = await tools.db.query({ sql: "SELECT * FROM orders WHERE status = 'refunded' LIMIT 1" });`,
    "const order = rows[0];",
    "const answer = await elicit({",
    '  kind: "form",',
    "  message: `Refund order #${order.id} ($${(order.amount_cents / 100).toFixed(2)})?`,",
    '  schema: { type: "object", properties: { approve: { type: "boolean" } }, required: ["approve"] },',
    "});",
    'return answer.approve ? `refunded #${order.id}` : "kept";',
  );
  const partner = lines(
    'const res = await tools.http.fetch({ url: "https://api.partner.example/v1/accounts" });',
    "return res.body.accounts.map((a) => a.name);",
  );
  return [
    {
      name: "protected issue (approved)",
      expect: "completed",
      answer: "approve",
      code: createIssue,
    },
    {
      name: "protected issue (denied, handled)",
      expect: "completed",
      answer: "deny",
      code: lines(
        "try {",
        ...createIssue.split("\n").map((line) => `  ${line}`),
        "} catch (error) {",
        "  console.warn(error.message);",
        '  return "not filed";',
        "}",
      ),
    },
    { name: "refund approval (approved)", expect: "completed", answer: "approve", code: refund },
    { name: "refund approval (declined)", expect: "cancelled", answer: "decline", code: refund },
    { name: "partner OAuth (authorized)", expect: "completed", answer: "approve", code: partner },
    { name: "partner OAuth (dismissed)", expect: "cancelled", answer: "dismiss", code: partner },
  ];
}

/** A run the caller stops: a report the user gave up on. */
export function abandoned(): Program {
  return {
    name: "report abandoned by the caller",
    expect: "cancelled",
    abortAfterMillis: 800,
    timeoutMillis: 10_000,
    code: lines(
      'await tools.db.query({ sql: "SELECT pg_sleep(3)" });',
      'return (await tools.db.query({ sql: "SELECT * FROM orders" })).rowCount;',
    ),
  };
}

/** Code of the run that pauses at an approval and is resumed by another process. */
export const PAUSING_CODE = lines(
  "const { rows } = await tools.db.query({ sql: \"SELECT * FROM invoices WHERE status = 'overdue'\" });",
  "console.log(`${rows.length} overdue invoices`);",
  "const answer = await elicit({",
  '  kind: "form",',
  "  message: `Send ${rows.length} payment reminders?`,",
  '  schema: { type: "object", properties: { approve: { type: "boolean" } } },',
  "});",
  "// Continued in another process with the answer (see resume-process.ts).",
);

/** What the resuming process runs once the reminders were approved. */
export const RESUMED_CODE = lines(
  "const { rows } = await tools.db.query({ sql: \"SELECT * FROM invoices WHERE status = 'overdue'\" });",
  "if (!resumed.content.approve) return { sent: 0 };",
  "for (const invoice of rows) console.log(`reminder sent for ${invoice.id}`);",
  'await tools.slack.chat.post({ channel: "#support", text: `${rows.length} payment reminders sent` });',
  "return { sent: rows.length };",
);

/** Code of the runs left in progress: they wait on a deploy that outlives the demo. */
export const LONG_RUNNING_CODE = lines(
  'const run = await tools.ci.pipeline.run({ repo: "acme/api", branch: "release-2026.05" });',
  "console.log(`deploying ${run.id}, waiting for the production rollout`);",
  "return await tools.ci.pipeline.wait({ id: run.id, minutes: 30 });",
);

/** Code of the runs left waiting: nobody ever answers their approval. */
export const UNANSWERED_CODE = lines(
  'const res = await tools.http.fetch({ url: "https://api.partner.example/v1/accounts" });',
  "return res.body.accounts;",
);

/** Code of the runs accepted into the queue and never started. */
export const QUEUED_CODE = lines(
  "const { rows } = await tools.db.query({ sql: \"SELECT * FROM customers WHERE plan = 'enterprise'\" });",
  "return rows.map((row) => row.name);",
);

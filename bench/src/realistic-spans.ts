import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_EXECUTION_CODE,
  ATTR_EXECUTION_COMPLETED_AT,
  ATTR_EXECUTION_CREATED_AT,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_SEGMENT,
  ATTR_EXECUTION_SEQ,
  ATTR_EXECUTION_STARTED_AT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_RESULT,
  ATTR_TOOL_RESULT_SIZE,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_KIND,
  ATTR_TRIGGER_META,
  codeExecSpanName,
  EVENT_EXCEPTION,
  EVENT_LOG,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  SPAN_EXECUTION,
  SPAN_EXECUTION_STATE,
  toolNamespace,
  toolSpanName,
} from "@runtrace/semconv";
import { SeededRandom } from "@runtrace/testkit/random";

/**
 * Spans shaped like the ones runtrace's SDK emits for agent code runs, made by the real
 * OpenTelemetry SDK so the exporter converts genuine `ReadableSpan`s (HrTime, Resource
 * objects, SDK attribute maps), not hand-built stand-ins.
 */

export interface GeneratedSpans {
  /** In end order across executions, as a BatchSpanProcessor would hand them over. */
  spans: ReadableSpan[];
  executions: number;
  roots: number;
  toolSpans: number;
  codeSpans: number;
  stateSpans: number;
  failedExecutions: number;
}

/** Keeps ended spans in memory: the SDK's own path to an exporter, minus the exporter. */
class CollectingProcessor implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Seeded so two bench runs insert the same content (span ids still come from the SDK). */
class Rng extends SeededRandom {
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  words(n: number): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.pick(WORDS));
    return out.join(" ");
  }
}

const WORDS = [
  "deploy",
  "latency",
  "regression",
  "customer",
  "invoice",
  "pipeline",
  "flaky",
  "test",
  "timeout",
  "billing",
  "webhook",
  "migration",
  "dashboard",
  "alert",
  "retry",
  "cache",
  "queue",
  "onboarding",
  "refund",
  "sync",
  "export",
  "report",
  "weekly",
  "error",
  "rate",
  "limit",
  "search",
  "index",
  "token",
  "expired",
  "permission",
  "staging",
  "release",
  "notes",
  "checkout",
  "mobile",
  "crash",
  "upgrade",
] as const;

interface ToolSpec {
  path: string;
  args: (g: Rng) => Record<string, unknown>;
  item: (g: Rng, i: number) => Record<string, unknown>;
}

const TOOLS: readonly ToolSpec[] = [
  {
    path: "github.issues.list",
    args: (g) => ({ owner: "acme", repo: g.pick(["platform", "web", "api"]), state: "open" }),
    item: (g, i) => ({
      number: 4000 + i,
      title: g.words(g.int(3, 9)),
      state: "open",
      labels: [g.pick(["bug", "p1", "infra", "ui"])],
      updated_at: "2025-06-12T09:14:33Z",
    }),
  },
  {
    path: "github.pulls.get",
    args: (g) => ({ owner: "acme", repo: "platform", pull_number: g.int(1000, 9999) }),
    item: (g) => ({ sha: g.hex(40), mergeable: g.chance(0.8), additions: g.int(1, 900) }),
  },
  {
    path: "slack.chat.postMessage",
    args: (g) => ({ channel: g.pick(["#oncall", "#eng", "#support"]), text: g.words(14) }),
    item: (g) => ({ ok: true, ts: `1718183${g.int(100000, 999999)}.000${g.int(100, 999)}` }),
  },
  {
    path: "linear.issues.create",
    args: (g) => ({ teamId: g.uuid(), title: g.words(6), priority: g.int(1, 4) }),
    item: (g) => ({
      id: g.uuid(),
      identifier: `ENG-${g.int(100, 9999)}`,
      url: "https://linear.app/acme",
    }),
  },
  {
    path: "notion.databases.query",
    args: (g) => ({ database_id: g.hex(32), filter: { property: "Status", equals: "Todo" } }),
    item: (g) => ({ id: g.uuid(), title: g.words(5), status: g.pick(["Todo", "Doing"]) }),
  },
  {
    path: "stripe.customers.retrieve",
    args: (g) => ({ id: `cus_${g.hex(14)}` }),
    item: (g) => ({ id: `cus_${g.hex(14)}`, email: "ops@example.com", balance: g.int(0, 90000) }),
  },
  {
    path: "http.fetch",
    args: (g) => ({ url: `https://api.example.com/v2/${g.pick(WORDS)}`, method: "GET" }),
    item: (g) => ({ status: 200, bytes: g.int(200, 90000), etag: g.hex(16) }),
  },
  {
    path: "postgres.query",
    args: (g) => ({ sql: `select * from ${g.pick(WORDS)}s where updated_at > $1 limit 50` }),
    item: (g, i) => ({ id: i + 1, name: g.words(2), amount: g.int(1, 5000) / 100 }),
  },
  {
    path: "google.calendar.events.list",
    args: () => ({ calendarId: "primary", timeMin: "2025-06-12T00:00:00Z", maxResults: 20 }),
    item: (g) => ({ id: g.hex(26), summary: g.words(4), start: "2025-06-12T15:00:00Z" }),
  },
  {
    path: "memory.search",
    args: (g) => ({ query: g.words(4), topK: 5 }),
    item: (g) => ({ id: g.uuid(), score: Math.round(g.next() * 1000) / 1000, text: g.words(20) }),
  },
];

const SCOPES = Array.from({ length: 24 }, (_, i) => `ws_${(0x5a17c3e1 * (i + 7)).toString(16)}`);

/** A JSON result of roughly `bytes` bytes: a page of items, like most tool results. */
function resultJson(g: Rng, tool: ToolSpec, bytes: number): string {
  const items: Record<string, unknown>[] = [];
  let size = 40;
  while (size < bytes) {
    const item = tool.item(g, items.length);
    items.push(item);
    size += JSON.stringify(item).length + 1;
  }
  return JSON.stringify({ items, has_more: g.chance(0.2) });
}

const CODE_BLOCKS: readonly ((g: Rng, v: string) => string)[] = [
  (g, v) =>
    `const ${v}Open = ${v}.items.filter((item) => item.state !== "closed" && !item.labels?.includes("${g.pick(WORDS)}"));\n`,
  (g, v) =>
    `for (const item of ${v}.items) {\n  if ((item.amount ?? 0) > ${g.int(10, 900)}) {\n    flagged.push({ id: item.id, reason: "${g.words(3)}" });\n  }\n}\n`,
  (g, v) =>
    `// ${g.words(g.int(4, 10))}\nconst ${v}ById = new Map(${v}.items.map((item) => [item.id, item]));\n`,
  (g) =>
    `if (flagged.length > ${g.int(1, 20)}) {\n  console.log(\`${g.words(4)}: \${flagged.length}\`);\n}\n`,
  (g, v) =>
    `const summary${v} = ${v}.items\n  .slice(0, ${g.int(3, 25)})\n  .map((item) => \`- \${item.title ?? item.name ?? item.id}\`)\n  .join("\\n");\n`,
  (g) =>
    `try {\n  await sleep(${g.int(50, 2000)});\n} catch (err) {\n  console.error("${g.words(3)}", err);\n}\n`,
  (g, v) =>
    `const ${v}Stats = { total: ${v}.items.length, recent: ${v}.items.filter((i) => Date.parse(i.updated_at ?? 0) > Date.now() - ${g.int(1, 72)} * 3600e3).length };\n`,
];

/** Agent-written JavaScript of about `bytes` bytes that calls `tools` in order. */
function codeFor(g: Rng, tools: readonly ToolSpec[], bytes: number): string {
  let code = `// ${g.words(g.int(5, 12))}\nconst flagged = [];\n`;
  tools.forEach((tool, i) => {
    code += `const r${i} = await tools.${tool.path}(${JSON.stringify(tool.args(g))});\n`;
  });
  while (code.length < bytes - 60) {
    code += g.pick(CODE_BLOCKS)(g, `r${g.int(0, tools.length - 1)}`);
  }
  return `${code}return { flagged: flagged.length, ok: true };\n`;
}

function triggerMeta(g: Rng, kind: string): string {
  switch (kind) {
    case "http":
      return JSON.stringify({
        route: "/v1/executions",
        method: "POST",
        requestId: g.uuid(),
        userAgent: "runtrace-client/1.4.0 node/20.20.2",
      });
    case "mcp":
      return JSON.stringify({
        client: g.pick(["claude-desktop", "cursor", "vscode"]),
        clientVersion: `0.${g.int(1, 12)}.${g.int(0, 9)}`,
        sessionId: g.uuid(),
        tool: "execute",
      });
    default:
      return JSON.stringify({
        argv: ["runtrace", "run", `${g.pick(WORDS)}.js`],
        cwd: "/srv/agent",
      });
  }
}

function recordException(span: Span, type: string, message: string, time: number): void {
  span.addEvent(
    EVENT_EXCEPTION,
    {
      [ATTR_EXCEPTION_TYPE]: type,
      [ATTR_EXCEPTION_MESSAGE]: message,
      [ATTR_EXCEPTION_STACKTRACE]: `${type}: ${message}\n    at callTool (sandbox.js:41:11)\n    at async main (script.js:${Math.trunc(time % 60) + 1}:17)`,
    },
    time,
  );
}

export interface GenerateOptions {
  /** At least this many spans: whole executions are generated until it is reached. */
  spans: number;
  seed?: number;
  /** Executions started per second (of span time): sets how much executions overlap. */
  executionsPerSecond?: number;
  /** Size range of each run's JavaScript (log-uniform). @default [200, 5000] */
  codeBytes?: readonly [min: number, max: number];
  /** Size range of each tool result (log-uniform). @default [60, 2500] */
  resultBytes?: readonly [min: number, max: number];
}

/** Runs executions through a real SDK tracer and returns their ended spans. */
export function generateSpans(options: GenerateOptions): GeneratedSpans {
  const g = new Rng(options.seed ?? 42);
  const collector = new CollectingProcessor();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": "agent-executor",
      "service.namespace": "runtrace",
      "service.version": "1.14.2",
      "service.instance.id": "5c2b8f0e-7d1a-4e57-9b66-0f3c1d2e4a71",
      "host.name": "executor-7f9c4d6b8-2xkqp",
      "host.arch": "amd64",
      "os.type": "linux",
      "os.version": "6.1.0-28-cloud-amd64",
      "process.pid": 48213,
      "process.runtime.name": "nodejs",
      "process.runtime.version": "20.20.2",
      "process.runtime.description": "Node.js",
      "telemetry.sdk.name": "opentelemetry",
      "telemetry.sdk.language": "nodejs",
      "telemetry.sdk.version": "2.12.0",
      "deployment.environment.name": "production",
      "cloud.provider": "aws",
      "cloud.region": "eu-west-1",
      "cloud.availability_zone": "eu-west-1b",
    }),
    spanProcessors: [collector],
  });
  const tracer = provider.getTracer("@runtrace/sdk", "0.1.0");

  const perSecond = options.executionsPerSecond ?? 60;
  const [codeMin, codeMax] = options.codeBytes ?? [200, 5000];
  const [resultMin, resultMax] = options.resultBytes ?? [60, 2500];
  // Executions start in the recent past (inside retention) and never in the future.
  const expected = Math.ceil(options.spans / 6);
  let clock = Date.now() - (expected / perSecond) * 1000 - 60_000;
  const counts = { executions: 0, roots: 0, tools: 0, code: 0, states: 0, failed: 0 };

  while (collector.spans.length < options.spans) {
    clock += g.logUniform(0.2, 5) * (1000 / perSecond / 1.7);
    counts.executions++;
    const executionId = g.uuid();
    const scopeId = g.pick(SCOPES);
    const createdAt = Math.floor(clock);
    const startedAt = createdAt + g.int(0, 15);
    const triggerKind = g.pick(["http", "http", "mcp", "mcp", "cli"]);
    const meta = triggerMeta(g, triggerKind);
    const tools = Array.from({ length: g.int(2, 6) }, () => g.pick(TOOLS));
    const code = codeFor(g, tools, Math.round(g.logUniform(codeMin, codeMax)));

    const root = tracer.startSpan(
      SPAN_EXECUTION,
      {
        kind: SpanKind.INTERNAL,
        startTime: createdAt,
        attributes: {
          [ATTR_EXECUTION_ID]: executionId,
          [ATTR_SCOPE_ID]: scopeId,
          [ATTR_EXECUTION_CREATED_AT]: createdAt,
          [ATTR_EXECUTION_SEGMENT]: 1,
        },
      },
      ROOT_CONTEXT,
    );
    const parent: Context = trace.setSpan(ROOT_CONTEXT, root);
    let seq = 0;

    // Long or queued runs publish a snapshot so they show up as running before they end.
    if (g.chance(0.3)) {
      seq++;
      counts.states++;
      const state = tracer.startSpan(
        SPAN_EXECUTION_STATE,
        {
          kind: SpanKind.INTERNAL,
          startTime: startedAt,
          attributes: {
            [ATTR_EXECUTION_ID]: executionId,
            [ATTR_SCOPE_ID]: scopeId,
            [ATTR_EXECUTION_STATUS]: "running",
            [ATTR_EXECUTION_CREATED_AT]: createdAt,
            [ATTR_EXECUTION_STARTED_AT]: startedAt,
            [ATTR_EXECUTION_TOOL_CALL_COUNT]: 0,
            [ATTR_EXECUTION_INTERACTION_COUNT]: 0,
            [ATTR_EXECUTION_SEQ]: seq,
            [ATTR_EXECUTION_SEGMENT]: 1,
            [ATTR_TRIGGER_KIND]: triggerKind,
            [ATTR_TRIGGER_META]: meta,
            [ATTR_RUNTIME]: "quickjs",
            [ATTR_EXECUTION_CODE]: code,
          },
        },
        parent,
      );
      state.end(startedAt);
    }

    const execStart = startedAt + g.next() * 3;
    const exec = tracer.startSpan(
      codeExecSpanName("quickjs"),
      {
        kind: SpanKind.INTERNAL,
        startTime: execStart,
        attributes: {
          [ATTR_EXECUTION_ID]: executionId,
          [ATTR_SCOPE_ID]: scopeId,
          [ATTR_RUNTIME]: "quickjs",
          "executor.code.bytes": code.length,
          "executor.code.sha256": g.hex(64),
          "executor.sandbox.memory_limit_bytes": 67_108_864,
          "executor.sandbox.timeout_ms": 30_000,
          "quickjs.version": "2024-01-13",
        },
      },
      parent,
    );

    let t = execStart + g.logUniform(0.3, 8);
    let toolFailed = false;
    tools.forEach((tool, i) => {
      const callStart = t;
      const callEnd = callStart + g.logUniform(2, 900);
      const failed = g.chance(0.04);
      const args = JSON.stringify(tool.args(g));
      const attributes: Attributes = {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_EXECUTE_TOOL,
        [ATTR_GEN_AI_TOOL_NAME]: tool.path,
        [ATTR_GEN_AI_TOOL_CALL_ID]: g.uuid(),
        [ATTR_TOOL_PATH]: tool.path,
        [ATTR_TOOL_NAMESPACE]: toolNamespace(tool.path),
        [ATTR_EXECUTION_ID]: executionId,
        [ATTR_SCOPE_ID]: scopeId,
        [ATTR_TOOL_ARGS]: args,
      };
      const span = tracer.startSpan(
        toolSpanName(tool.path),
        { kind: SpanKind.INTERNAL, startTime: callStart, attributes },
        parent,
      );
      if (failed) {
        toolFailed = true;
        const message = `${tool.path} failed: 429 ${g.words(3)}`;
        recordException(span, "ToolError", message, callEnd);
        span.setAttributes({
          [ATTR_TOOL_STATUS]: "failed",
          [ATTR_TOOL_ERROR]: message,
          [ATTR_ERROR_TYPE]: "ToolError",
        });
        span.setStatus({ code: SpanStatusCode.ERROR, message });
      } else {
        const result = resultJson(g, tool, g.logUniform(resultMin, resultMax));
        span.setAttributes({
          [ATTR_TOOL_STATUS]: "completed",
          [ATTR_TOOL_RESULT]: result,
          [ATTR_TOOL_RESULT_SIZE]: result.length,
        });
      }
      span.end(callEnd);
      counts.tools++;
      // Most agent code awaits each call; some fire the next before the last returns.
      t = i % 3 === 2 ? callStart + g.logUniform(0.5, 20) : callEnd + g.logUniform(0.1, 30);
    });

    const execEnd = Math.max(t, execStart + 1) + g.logUniform(0.2, 15);
    exec.setAttribute("executor.sandbox.heap_used_bytes", g.int(400_000, 40_000_000));
    exec.end(execEnd);
    counts.code++;

    const failed = toolFailed ? g.chance(0.5) : g.chance(0.03);
    const completedAt = Math.ceil(execEnd + g.logUniform(0.1, 4));
    if (g.chance(0.35)) {
      root.addEvent(
        EVENT_LOG,
        { [ATTR_LOG_SEVERITY]: g.pick(["info", "info", "warn"]), [ATTR_LOG_MESSAGE]: g.words(8) },
        execStart + (execEnd - execStart) * g.next(),
      );
    }
    seq++;
    const final: Attributes = {
      [ATTR_EXECUTION_STATUS]: failed ? "failed" : "completed",
      [ATTR_EXECUTION_STARTED_AT]: startedAt,
      [ATTR_EXECUTION_COMPLETED_AT]: completedAt,
      [ATTR_TRIGGER_KIND]: triggerKind,
      [ATTR_TRIGGER_META]: meta,
      [ATTR_RUNTIME]: "quickjs",
      [ATTR_EXECUTION_CODE]: code,
      [ATTR_EXECUTION_TOOL_CALL_COUNT]: tools.length,
      [ATTR_EXECUTION_INTERACTION_COUNT]: 0,
      [ATTR_EXECUTION_SEQ]: seq,
    };
    if (failed) {
      const message = `TypeError: Cannot read properties of undefined (reading '${g.pick(["items", "id", "length"])}')`;
      final[ATTR_EXECUTION_ERROR] = message;
      final[ATTR_ERROR_TYPE] = "TypeError";
      recordException(root, "TypeError", message, completedAt);
      root.setStatus({ code: SpanStatusCode.ERROR, message });
      counts.failed++;
    } else {
      final[ATTR_EXECUTION_RESULT] = JSON.stringify({
        flagged: g.int(0, 40),
        summary: g.words(g.int(4, 60)),
        ok: true,
      });
      root.setStatus({ code: SpanStatusCode.OK });
    }
    root.setAttributes(final);
    root.end(completedAt);
    counts.roots++;
  }

  // Executions overlap in time: a processor sees their spans interleaved, in end order, so a
  // run's snapshot and its final span can fall into different export batches.
  const keyed = collector.spans.map((span) => ({
    span,
    end: span.endTime[0] * 1e9 + span.endTime[1],
  }));
  keyed.sort((a, b) => a.end - b.end);
  return {
    spans: keyed.map((k) => k.span),
    executions: counts.executions,
    roots: counts.roots,
    toolSpans: counts.tools,
    codeSpans: counts.code,
    stateSpans: counts.states,
    failedExecutions: counts.failed,
  };
}

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sandbox source text: its ${…} belong to the sandboxed code
import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXECUTION_ERROR,
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_INTERACTION_COUNT,
  ATTR_EXECUTION_RESULT,
  ATTR_EXECUTION_STATUS,
  ATTR_EXECUTION_TOOL_CALL_COUNT,
  ATTR_INTERACTION_KIND,
  ATTR_INTERACTION_PURPOSE,
  ATTR_INTERACTION_RESPONSE,
  ATTR_INTERACTION_STATUS,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_RESUME_ACTION,
  ATTR_RUNTIME,
  ATTR_SCOPE_ID,
  ATTR_TOOL_ARGS,
  ATTR_TOOL_ERROR,
  ATTR_TOOL_NAMESPACE,
  ATTR_TOOL_PATH,
  ATTR_TOOL_STATUS,
  ATTR_TRIGGER_KIND,
  codeExecSpanName,
  EVENT_LOG,
  SPAN_EXECUTION,
  SPAN_EXECUTION_RESUME,
  SPAN_EXECUTION_STATE,
  SPAN_INTERACTION,
  toolSpanName,
} from "@runtrace/semconv";
import { describe, expect, it } from "vitest";
import { ToolError } from "../tools.ts";
import {
  createSandbox,
  type ElicitationHandler,
  type ExecuteResult,
  type SandboxOptions,
  type ToolRegistry,
} from "./index.ts";

const CODE_SPAN = codeExecSpanName("quickjs");

/** Small deterministic tools: the assertions below know every value they return. */
const TOOLS: ToolRegistry = {
  "github.issues.list": async (args) => {
    if (args.repo !== "acme/web") throw new ToolError("NotFoundError", `404: ${String(args.repo)}`);
    return [
      { number: 101, title: "Login flickers" },
      { number: 102, title: "VAT rounding" },
    ];
  },
  "slack.chat.post": async (args) => ({ ok: true, channel: args.channel, ts: "1717000000.0001" }),
  "ci.pipeline.wait": () => new Promise(() => {}),
  "deploy.production": async (_args, context) => {
    const answer = (await context.elicit({
      kind: "form",
      message: "Deploy v2 to production?",
    })) as {
      approve?: boolean;
    };
    return answer.approve === true ? "deployed" : "skipped";
  },
};

function setup(options: Partial<SandboxOptions> = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const sandbox = createSandbox({
    tools: TOOLS,
    tracer: provider.getTracer("test"),
    recordToolArgs: true,
    timeoutMillis: 2000,
    ...options,
  });
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((span) => span.name === name);
  const one = (name: string): ReadableSpan => {
    const found = named(name);
    if (found.length !== 1) throw new Error(`expected one ${name} span, got ${found.length}`);
    return found[0]!;
  };
  return { sandbox, spans, named, one };
}

function millis([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}

function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function expectStatus<S extends ExecuteResult["status"]>(
  result: ExecuteResult,
  status: S,
): asserts result is Extract<ExecuteResult, { status: S }> {
  expect(result.status).toBe(status);
}

describe("QuickJS sandbox", () => {
  it("runs code that calls two tools and records the execution, both tool calls and the code span", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: [
        'const issues = await tools.github.issues.list({ repo: "acme/web" });',
        "const post = await tools.slack.chat.post({ channel: '#eng', text: `${issues.length} open` });",
        "return { count: issues.length, ts: post.ts };",
      ].join("\n"),
      trigger: { kind: "cli", meta: { command: "run" } },
    });

    expectStatus(result, "completed");
    expect(result.result).toEqual({ count: 2, ts: "1717000000.0001" });

    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("completed");
    expect(root.attributes[ATTR_EXECUTION_ID]).toBe(result.executionId);
    expect(root.attributes[ATTR_SCOPE_ID]).toBe("ws_acme");
    expect(root.attributes[ATTR_RUNTIME]).toBe("quickjs");
    expect(root.attributes[ATTR_TRIGGER_KIND]).toBe("cli");
    expect(root.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(2);
    expect(root.attributes[ATTR_EXECUTION_RESULT]).toBe('{"count":2,"ts":"1717000000.0001"}');
    expect(root.spanContext().traceId).toBe(result.traceId);

    const list = t.one(toolSpanName("github.issues.list"));
    const post = t.one(toolSpanName("slack.chat.post"));
    expect(list.attributes[ATTR_TOOL_PATH]).toBe("github.issues.list");
    expect(list.attributes[ATTR_TOOL_NAMESPACE]).toBe("github");
    expect(list.attributes[ATTR_TOOL_ARGS]).toBe('{"repo":"acme/web"}');
    expect(list.attributes[ATTR_TOOL_STATUS]).toBe("completed");
    expect(post.attributes[ATTR_TOOL_PATH]).toBe("slack.chat.post");
    expect(post.attributes[ATTR_TOOL_ARGS]).toBe('{"channel":"#eng","text":"2 open"}');
    // The second call starts after the first one ended: the code awaited it.
    expect(millis(post.startTime)).toBeGreaterThanOrEqual(millis(list.endTime));

    const code = t.one(CODE_SPAN);
    expect(code.name).toBe("executor.code.exec.quickjs");
    for (const child of [list, post, code]) {
      expect(parentId(child)).toBe(root.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(result.traceId);
    }
    expect(code.attributes[ATTR_EXECUTION_ID]).toBe(result.executionId);
    expect(code.attributes["quickjs.timeout_ms"]).toBe(2000);
    expect(code.attributes["quickjs.memory_used_bytes"]).toBeGreaterThan(0);
    expect(code.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("runs tool calls concurrently under Promise.all", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: `return (await Promise.all(["#eng", "#ops", "#qa"].map((channel) => tools.slack.chat.post({ channel, text: "hi" })))).map((r) => r.channel);`,
    });
    expectStatus(result, "completed");
    expect(result.result).toEqual(["#eng", "#ops", "#qa"]);
    expect(t.named(toolSpanName("slack.chat.post"))).toHaveLength(3);
  });

  it("fails the execution when the code throws", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'const n = 1;\nthrow new TypeError("expected a repository, got " + n);',
    });

    expectStatus(result, "failed");
    expect(result.error.name).toBe("TypeError");
    expect(result.error.message).toBe("expected a repository, got 1");
    expect(result.error.stack).toContain("sandbox.js:2");
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("failed");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("expected a repository, got 1");
    expect(root.attributes[ATTR_ERROR_TYPE]).toBe("TypeError");
    expect(root.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: "expected a repository, got 1",
    });
    const code = t.one(CODE_SPAN);
    expect(code.status.code).toBe(SpanStatusCode.ERROR);
    expect(code.attributes[ATTR_ERROR_TYPE]).toBe("TypeError");
  });

  it("fails on a syntax error before anything runs", async () => {
    const t = setup();
    const result = await t.sandbox.execute({ scopeId: "ws_acme", code: "return {" });
    expectStatus(result, "failed");
    expect(result.error.name).toBe("SyntaxError");
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_ERROR_TYPE]).toBe("SyntaxError");
  });

  it("records a failing tool as a failed tool call; the code catches it and completes", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: [
        "try {",
        '  await tools.github.issues.list({ repo: "acme/nope" });',
        "} catch (error) {",
        "  return `${error.name}: ${error.message}`;",
        "}",
      ].join("\n"),
    });

    expectStatus(result, "completed");
    expect(result.result).toBe("NotFoundError: 404: acme/nope");
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("completed");
    expect(root.status.code).toBe(SpanStatusCode.OK);
    const tool = t.one(toolSpanName("github.issues.list"));
    expect(tool.attributes[ATTR_TOOL_STATUS]).toBe("failed");
    expect(tool.attributes[ATTR_TOOL_ERROR]).toBe("404: acme/nope");
    expect(tool.attributes[ATTR_ERROR_TYPE]).toBe("NotFoundError");
    expect(tool.status).toEqual({ code: SpanStatusCode.ERROR, message: "404: acme/nope" });
  });

  it("fails the execution with the tool's error when the code does not catch it", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'return await tools.github.issues.list({ repo: "acme/nope" });',
    });
    expectStatus(result, "failed");
    expect(result.error).toMatchObject({ name: "NotFoundError", message: "404: acme/nope" });
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_ERROR_TYPE]).toBe("NotFoundError");
  });

  it("stops a busy loop at the time limit and fails with a timeout error", async () => {
    const t = setup({ timeoutMillis: 200 });
    const started = Date.now();
    const result = await t.sandbox.execute({ scopeId: "ws_acme", code: "while (true) {}" });

    expect(Date.now() - started).toBeLessThan(1500);
    expectStatus(result, "failed");
    expect(result.error).toEqual({
      name: "TimeoutError",
      message: "Execution timed out after 200 ms",
      stack: "TimeoutError: Execution timed out after 200 ms",
    });
    const root = t.one(SPAN_EXECUTION);
    expect(root.attributes[ATTR_EXECUTION_STATUS]).toBe("failed");
    expect(root.attributes[ATTR_ERROR_TYPE]).toBe("TimeoutError");
    expect(root.attributes[ATTR_EXECUTION_ERROR]).toBe("Execution timed out after 200 ms");
  });

  it("times out while the code awaits a tool that does not answer", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'return await tools.ci.pipeline.wait({ id: "pl_1" });',
      timeoutMillis: 150,
    });
    expectStatus(result, "failed");
    expect(result.error.name).toBe("TimeoutError");
    expect(result.error.message).toBe("Execution timed out after 150 ms");
  });

  it("stops code that exceeds the memory limit", async () => {
    const t = setup({ memoryLimitBytes: 8 * 1024 * 1024, timeoutMillis: 60_000 });
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: "const chunks = []; for (let i = 0; ; i++) chunks.push(new Float64Array(65536).fill(i));",
    });
    expectStatus(result, "failed");
    expect(result.error.name).toBe("MemoryLimitError");
    expect(result.error.message).toBe("Execution exceeded its memory limit of 8388608 bytes");
  });

  it("turns runaway recursion into a QuickJS stack overflow", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: "function f() { return f(); } return f();",
    });
    expectStatus(result, "failed");
    expect(result.error).toMatchObject({ name: "InternalError", message: "stack overflow" });
  });

  it("survives recursion QuickJS does not bound: the run fails, the next one works", async () => {
    const t = setup();
    const nested = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'return JSON.parse("[".repeat(200000));',
    });
    expectStatus(nested, "failed");
    // V8's stack overflows inside the WebAssembly, or QuickJS notices first (stack sizes vary).
    expect(["SandboxFaultError", "InternalError", "SyntaxError"]).toContain(nested.error.name);
    const next = await t.sandbox.execute({ scopeId: "ws_acme", code: "return [1, 2, 3].length;" });
    expectStatus(next, "completed");
    expect(next.result).toBe(3);
  });

  it("captures console output as log events and in the result", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: [
        'console.log("fetched", 2, "issues", { repo: "acme/web" });',
        'console.warn("rate limit at 90%");',
        'console.error(new RangeError("page out of range"));',
        'console.debug("done");',
        "return 1;",
      ].join("\n"),
    });

    expectStatus(result, "completed");
    expect(result.logs.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: "info", message: 'fetched 2 issues {"repo":"acme/web"}' },
      { level: "warn", message: "rate limit at 90%" },
      { level: "error", message: "RangeError: page out of range" },
      { level: "debug", message: "done" },
    ]);
    const events = t.one(SPAN_EXECUTION).events.filter((event) => event.name === EVENT_LOG);
    expect(events.map((event) => event.attributes)).toEqual([
      { [ATTR_LOG_SEVERITY]: "info", [ATTR_LOG_MESSAGE]: 'fetched 2 issues {"repo":"acme/web"}' },
      { [ATTR_LOG_SEVERITY]: "warn", [ATTR_LOG_MESSAGE]: "rate limit at 90%" },
      { [ATTR_LOG_SEVERITY]: "error", [ATTR_LOG_MESSAGE]: "RangeError: page out of range" },
      { [ATTR_LOG_SEVERITY]: "debug", [ATTR_LOG_MESSAGE]: "done" },
    ]);
  });

  it("raises an elicitation, waits for the answer and continues with it", async () => {
    const t = setup({ timeoutMillis: 300 });
    const asked: unknown[] = [];
    const onElicitation: ElicitationHandler = async (request, info) => {
      asked.push({ request, executionId: info.executionId });
      // Longer than the time limit: waiting for a human does not count against it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { action: "accept", content: { approve: true, note: "ship it" } };
    };
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: [
        "const answer = await elicit({",
        '  kind: "form",',
        '  message: "Post the release notes to #general?",',
        '  schema: { type: "object", properties: { approve: { type: "boolean" } } },',
        "});",
        'return answer.approve ? "posted: " + answer.note : "skipped";',
      ].join("\n"),
      onElicitation,
    });

    expectStatus(result, "completed");
    expect(result.result).toBe("posted: ship it");
    expect(asked).toEqual([
      {
        request: {
          kind: "form",
          message: "Post the release notes to #general?",
          schema: { type: "object", properties: { approve: { type: "boolean" } } },
        },
        executionId: result.executionId,
      },
    ]);
    const interaction = t.one(SPAN_INTERACTION);
    expect(interaction.attributes[ATTR_INTERACTION_KIND]).toBe("form");
    expect(interaction.attributes[ATTR_INTERACTION_PURPOSE]).toBe(
      "Post the release notes to #general?",
    );
    expect(interaction.attributes[ATTR_INTERACTION_STATUS]).toBe("resolved");
    expect(interaction.attributes[ATTR_INTERACTION_RESPONSE]).toBe(
      '{"action":"accept","content":{"approve":true,"note":"ship it"}}',
    );
    const root = t.one(SPAN_EXECUTION);
    expect(parentId(interaction)).toBe(root.spanContext().spanId);
    expect(root.attributes[ATTR_EXECUTION_INTERACTION_COUNT]).toBe(1);
    const states = t.named(SPAN_EXECUTION_STATE).map((s) => s.attributes[ATTR_EXECUTION_STATUS]);
    expect(states).toEqual(["running", "waiting_for_interaction", "running"]);
  });

  it("lets a tool elicit: the approval happens inside the tool call", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: "return await tools.deploy.production({});",
      onElicitation: () => ({ action: "accept", content: { approve: true } }),
    });
    expectStatus(result, "completed");
    expect(result.result).toBe("deployed");
    expect(t.one(SPAN_INTERACTION).attributes[ATTR_INTERACTION_PURPOSE]).toBe(
      "Deploy v2 to production?",
    );
    expect(t.one(toolSpanName("deploy.production")).attributes[ATTR_TOOL_STATUS]).toBe("completed");
  });

  it("cancels the execution when the user declines, as the seed does", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'await elicit({ kind: "url", message: "Sign in to Partner", url: "https://auth.partner.example/x" });\nreturn "unreachable";',
      onElicitation: () => ({ action: "decline" }),
    });
    expectStatus(result, "cancelled");
    expect(result.error).toMatchObject({
      name: "CancelledError",
      message: "Execution cancelled by user",
    });
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_STATUS]).toBe("cancelled");
    const interaction = t.one(SPAN_INTERACTION);
    expect(interaction.attributes[ATTR_INTERACTION_KIND]).toBe("url");
    expect(interaction.attributes[ATTR_INTERACTION_STATUS]).toBe("cancelled");
  });

  it("throws inside the sandbox when nobody can answer an elicitation", async () => {
    const t = setup();
    const result = await t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'try { await elicit({ message: "ok?" }); } catch (e) { return e.name; }',
    });
    expectStatus(result, "completed");
    expect(result.result).toBe("ElicitationUnavailableError");
  });

  it("pauses at an elicitation and resumes from the JSON state with another tracer provider", async () => {
    const first = setup();
    const paused = await first.sandbox.execute({
      scopeId: "ws_acme",
      code: 'console.log("asking");\nreturn await elicit({ message: "Approve refund #5012?" });',
      onElicitation: () => ({ action: "pause" }),
    });
    expectStatus(paused, "paused");
    const segment = first.one(SPAN_EXECUTION);
    expect(segment.attributes[ATTR_EXECUTION_STATUS]).toBe("waiting_for_interaction");
    // The interaction span stays open in the pausing process: the resumer exports it.
    expect(first.named(SPAN_INTERACTION)).toHaveLength(0);

    const second = setup();
    const state = JSON.parse(JSON.stringify(paused.state));
    const resumed = await second.sandbox.resume(state, {
      action: "accept",
      content: { approve: true },
      code: 'const list = await tools.github.issues.list({ repo: "acme/web" });\nreturn { approved: resumed.content.approve, issues: list.length };',
    });

    expectStatus(resumed, "completed");
    expect(resumed.executionId).toBe(paused.executionId);
    expect(resumed.traceId).toBe(paused.traceId);
    expect(resumed.result).toEqual({ approved: true, issues: 2 });
    const resume = second.one(SPAN_EXECUTION_RESUME);
    expect(resume.attributes[ATTR_EXECUTION_STATUS]).toBe("completed");
    expect(resume.attributes[ATTR_RESUME_ACTION]).toBe("accept");
    expect(resume.attributes[ATTR_EXECUTION_TOOL_CALL_COUNT]).toBe(1);
    expect(resume.links.map((link) => link.context.spanId)).toEqual([segment.spanContext().spanId]);
    expect(second.one(SPAN_INTERACTION).attributes[ATTR_INTERACTION_STATUS]).toBe("resolved");
    expect(parentId(second.one(CODE_SPAN))).toBe(resume.spanContext().spanId);
  });

  it("queues an execution as pending until it is started", async () => {
    const t = setup();
    const queued = t.sandbox.enqueue({ scopeId: "ws_acme", code: "return 6 * 7;" });
    const states = () =>
      t.named(SPAN_EXECUTION_STATE).map((s) => s.attributes[ATTR_EXECUTION_STATUS]);
    expect(states()).toEqual(["pending"]);
    expect(t.named(SPAN_EXECUTION)).toHaveLength(0);

    const result = await queued.start();
    expectStatus(result, "completed");
    expect(result.result).toBe(42);
    expect(states()).toEqual(["pending", "running"]);
    await expect(queued.start()).rejects.toThrow("already started");
  });

  it("cancels the execution when the caller aborts", async () => {
    const t = setup();
    const controller = new AbortController();
    const pending = t.sandbox.execute({
      scopeId: "ws_acme",
      code: 'return await tools.ci.pipeline.wait({ id: "pl_9" });',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("stopped from the CLI")), 50);
    const result = await pending;
    expectStatus(result, "cancelled");
    expect(result.error.message).toBe("stopped from the CLI");
    expect(t.one(SPAN_EXECUTION).attributes[ATTR_EXECUTION_STATUS]).toBe("cancelled");
  });
});

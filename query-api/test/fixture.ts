import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createExecutionRecorder, type Execution } from "@runtrace/sdk";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";

/** What the test generated for one run: the expected values every assertion compares with. */
export interface RecordedRun {
  id: string;
  scope: string;
  status: string;
  trigger: string | null;
  /** Each call's duration in ms (the fixture's clock moves exactly that much during it). */
  tools: { path: string; failed: boolean; durationMs: number }[];
  createdAt: number;
  durationMs: number | null;
  code: string;
  elicitation: boolean;
  error?: string;
  errorType?: string;
}

const TOOL_PATHS = [
  "github.issues.create",
  "github.repos.get",
  "slack.chat.postMessage",
  "google.calendar.events.list",
  "jira.issue.get",
];
const TRIGGERS = ["cli", "http", "mcp", null] as const;

/**
 * A real collector on embedded ClickHouse fed by the real SDK over OTLP/HTTP protobuf, with a
 * controllable clock so every run lands at a known time.
 */
export class RunFixture {
  readonly runs = new Map<string, RecordedRun>();
  clock = 0;
  readonly #provider: BasicTracerProvider;
  readonly recorder: ReturnType<typeof createExecutionRecorder>;

  private constructor(readonly collector: RunningCollector) {
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "sandbox-test" }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector.url}/v1/traces` }), {
          scheduledDelayMillis: 20,
          maxExportBatchSize: 256,
          maxQueueSize: 100_000,
        }),
      ],
    });
    this.recorder = createExecutionRecorder({
      tracer: this.#provider.getTracer("query-api-test"),
      now: () => this.clock,
      recordToolArgs: true,
      recordToolResults: true,
      runtime: "quickjs",
    });
  }

  static async start(): Promise<RunFixture> {
    return new RunFixture(await startTestCollector());
  }

  async flush(): Promise<void> {
    await this.#provider.forceFlush();
  }

  async stop(): Promise<void> {
    await this.#provider.shutdown();
    await this.collector.stop();
  }

  /**
   * Records run number `i` of a deterministic mix, created at `createdAt`. `outcome` picks
   * how it ends (`open` leaves it running).
   */
  async run(
    i: number,
    createdAt: number,
    outcome: "completed" | "failed" | "cancelled" | "open" = (
      ["completed", "completed", "failed", "cancelled"] as const
    )[i % 4]!,
    scope = i % 5 === 0 ? "scope-b" : "scope-a",
  ): Promise<{ exec: Execution; run: RecordedRun }> {
    const trigger = TRIGGERS[Math.floor(i / 3) % TRIGGERS.length]!;
    const toolCount = i % 4;
    const tools = Array.from({ length: toolCount }, (_, k) => ({
      path: TOOL_PATHS[(i + k) % TOOL_PATHS.length]!,
      failed: (i + k) % 6 === 0,
      durationMs: 10 + (i % 13) + k * 40,
    }));
    const code = `// run ${i}\nconst r = await tools.${tools[0]?.path ?? "none"}({ n: ${i} });\nreturn Marker${i % 3}_Value;`;
    this.clock = createdAt;
    const exec = this.recorder.create({
      scopeId: scope,
      code,
      ...(trigger ? { trigger: { kind: trigger, meta: { n: i } } } : {}),
    });
    const run: RecordedRun = {
      id: exec.id,
      scope,
      status: "running",
      trigger,
      tools,
      createdAt,
      durationMs: null,
      code,
      elicitation: i % 7 === 3,
    };
    this.runs.set(run.id, run);
    exec.log(`starting ${i}`);
    for (const tool of tools) {
      this.clock += 5;
      await exec
        .toolCall({ path: tool.path, args: { i } }, async () => {
          this.clock += tool.durationMs;
          if (tool.failed) throw new Error(`${tool.path} failed for ${i}`);
          return { ok: i };
        })
        .catch(() => undefined);
    }
    if (run.elicitation) {
      this.clock += 3;
      const interaction = exec.interaction({
        kind: "form",
        purpose: `confirm ${i}`,
        payload: { q: i },
      });
      this.clock += 20;
      interaction.resolve({ action: "accept", content: { ok: true } });
    }
    const end = createdAt + 100 + ((i * 37) % 5000);
    this.clock = Math.max(this.clock + 1, end);
    if (outcome === "completed") exec.complete({ value: i });
    else if (outcome === "failed") {
      // Errors that differ in their values: a few groups once numbers, ids and quotes are masked.
      const messages = [
        `boom ${i}`,
        `user 'u${i}' not found`,
        `upstream answered ${500 + (i % 4)} after ${i * 7}ms`,
        `job-${(i * 2654435761).toString(16)} lost`,
      ];
      run.error = messages[Math.floor(i / 4) % messages.length]!;
      const ErrorClass = i % 3 === 0 ? RangeError : TypeError;
      run.errorType = ErrorClass.name;
      exec.fail(new ErrorClass(run.error));
    } else if (outcome === "cancelled") exec.cancel("stopped");
    if (outcome !== "open") {
      run.status = outcome;
      run.durationMs = this.clock - createdAt;
    }
    return { exec, run };
  }
}

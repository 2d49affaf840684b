// A runtime outside the repository, on plain Node, using the installed packages only. It
// records one execution with a tool call and an answered elicitation, sends it to the collector
// named on the command line, and prints what it recorded as one JSON line.
import { createExecutionRecorder } from "@runtrace/sdk";
import { startTelemetry } from "@runtrace/sdk-node";
import { EXECUTION_STATUSES } from "@runtrace/semconv";

const [endpoint, scopeId] = process.argv.slice(2);
const telemetry = startTelemetry({ serviceName: "packed-runtime", otlpEndpoint: endpoint });
const recorder = createExecutionRecorder({
  runtime: "plain-node",
  recordToolArgs: true,
  recordToolResults: true,
});

const code = "const sum = await tools.math.add({ a: 2, b: 3 }); await ask('ok?'); return sum;";
const exec = recorder.create({ scopeId, code, trigger: { kind: "cli" } });
const args = { a: 2, b: 3 };
const sum = await exec.toolCall({ path: "math.add", args }, () => args.a + args.b);
const question = { purpose: "confirm the sum", payload: { question: `is ${sum} right?` } };
const interaction = exec.interaction({ kind: "form", ...question });
const response = { right: true };
interaction.resolve(response);
exec.complete({ sum });
await telemetry.shutdown();

console.log(
  JSON.stringify({
    executionId: exec.id,
    traceId: exec.traceId,
    status: exec.status,
    knownStatus: EXECUTION_STATUSES.includes(exec.status),
    code,
    tool: { path: "math.add", args, result: sum },
    interaction: { kind: "form", ...question, response },
    result: { sum },
  }),
);

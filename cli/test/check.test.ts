/**
 * `runtrace check` against a running `runtrace start`: the real SDK's runs pass (exit 0);
 * hand-made spans that break each rule fail it (exit 1), each rule printed with the ids of the
 * spans that break it; a server that is not there, or a bad flag, is exit 2 with a message.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createExecutionRecorder } from "@runtrace/sdk";
import { startTelemetry, type Telemetry } from "@runtrace/sdk-node";
import { violatingRequest } from "@runtrace/testkit/conformance";
import { type AllInOneServer, startAllInOne } from "@runtrace/testkit-harness/runtrace-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "..", "bin", "runtrace.js");
const run = promisify(execFile);

let server: AllInOneServer;
let telemetry: Telemetry;
const bad = violatingRequest("hand-made-runtime", Date.now());

/** `runtrace check …`: exit code and output (stdout then stderr). */
async function check(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, "check", ...args], {
      env: { ...process.env, RUNTRACE_QUERY_URL: server.queryUrl },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(async () => {
  server = await startAllInOne();
  telemetry = startTelemetry({ serviceName: "sdk-runtime", otlpEndpoint: server.collectorUrl });
  const recorder = createExecutionRecorder({ runtime: "node", recordToolArgs: true });
  for (let i = 0; i < 3; i++) {
    await recorder.run(
      { scopeId: "ws_check", code: `run ${i}`, trigger: { kind: "cli" } },
      async (exec) => {
        await exec.toolCall({ path: "math.add", args: { i } }, () => i + 1);
        exec.interaction({ kind: "form", purpose: "ok?", payload: { i } }).resolve({ ok: true });
        return i;
      },
    );
  }
  await telemetry.shutdown();
  const sent = await fetch(`${server.collectorUrl}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(bad.body),
  });
  expect(sent.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("runtrace check", () => {
  it("passes the SDK's spans: every rule ok, exit 0", async () => {
    const { code, out } = await check("--service", "sdk-runtime");
    expect(out).toContain('service "sdk-runtime"');
    // Three runs: an execution span, a tool span and an interaction span each.
    // (The SDK's state spans are numbered: they are checked too, however many it sent.)
    expect(out).toMatch(/ 9 spans and [1-9]\d* state spans checked, 0 break at least one rule/);
    expect(out).not.toContain("FAIL");
    expect(code).toBe(0);
  });

  it("fails hand-made spans: each rule named with its spans' ids, exit 1", async () => {
    const { code, out } = await check("--service", "hand-made-runtime", "--examples", "20");
    expect(code).toBe(1);
    expect(out).toContain(
      `${bad.traced.length} spans and ${bad.states.length} state spans checked, ${bad.violating.length} break`,
    );
    for (const [rule, spanIds] of bad.expected) {
      expect(out).toContain(`FAIL  ${rule}: ${spanIds.length} span(s)`);
      for (const id of spanIds) expect(out).toMatch(new RegExp(`span ${id}  trace [0-9a-f]{32}`));
    }
  });

  it("prints the report as JSON with --json", async () => {
    const { code, out } = await check("--service", "hand-made-runtime", "--json");
    expect(code).toBe(1);
    const report = JSON.parse(out) as {
      violations: number;
      rules: { rule: string; spans: number }[];
    };
    expect(report.violations).toBe(bad.violating.length);
    for (const finding of report.rules) {
      expect(finding.spans, finding.rule).toBe(bad.expected.get(finding.rule)?.length ?? 0);
    }
  });

  it("says why it could not check: no spans, a bad flag, no server (exit 2)", async () => {
    const none = await check("--service", "nobody");
    expect(none.code).toBe(2);
    expect(none.out).toContain('no spans of service "nobody"');
    const missing = await check();
    expect(missing.code).toBe(2);
    expect(missing.out).toContain("--service is required");
    const unknown = await check("--service", "x", "--colour");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("--colour");
    const badTime = await check("--service", "x", "--from", "yesterday");
    expect(badTime.code).toBe(2);
    expect(badTime.out).toContain("answered 400");
    const away = await check("--service", "x", "--url", "http://127.0.0.1:9");
    expect(away.code).toBe(2);
    expect(away.out).toContain("no answer from http://127.0.0.1:9");
  });
});

import { describe, expect, it } from "vitest";
import { createSandbox } from "../sandbox/index.ts";
import { createTools } from "../tools.ts";
import { answer, pauseForLater } from "./answers.ts";
import { abandoned, asking, failing, PAUSING_CODE, RESUMED_CODE, succeeding } from "./programs.ts";

// The catalogue states how each program ends; this keeps it honest against the real tools.
describe("demo programs", () => {
  const sandbox = createSandbox({ tools: createTools(), timeoutMillis: 5000 });

  it("end as the catalogue says", async () => {
    const programs = [
      ...succeeding({ repo: "acme/web", city: "Berlin", email: "maria@acme.example" }),
      ...failing({ repo: "acme/mobile" }),
      ...asking(),
      abandoned(),
    ];
    const results = await Promise.all(
      programs.map(async (program) => {
        const controller = new AbortController();
        if (program.abortAfterMillis !== undefined) {
          setTimeout(() => controller.abort(new Error("caller gone")), program.abortAfterMillis);
        }
        const result = await sandbox.execute({
          scopeId: "ws_test",
          code: program.code,
          // Only a program meant to fail keeps its own limit: every run shares one thread, and a
          // loaded machine must not turn slow neighbours into timeouts here.
          timeoutMillis: program.expect === "failed" ? program.timeoutMillis : 60_000,
          onElicitation: program.answer === undefined ? undefined : answer(program.answer, 0),
          signal: controller.signal,
        });
        return { name: program.name, status: result.status };
      }),
    );
    expect(results).toEqual(programs.map(({ name, expect }) => ({ name, status: expect })));
  });

  it("pause at the reminder approval and finish from the resumed code", async () => {
    const paused = await sandbox.execute({
      scopeId: "ws_test",
      code: PAUSING_CODE,
      onElicitation: pauseForLater,
    });
    expect(paused.status).toBe("paused");
    if (paused.status !== "paused") return;
    const resumed = await sandbox.resume(paused.state, {
      action: "accept",
      content: { approve: true },
      code: RESUMED_CODE,
    });
    expect(resumed).toMatchObject({ status: "completed", result: { sent: 7 } });
  });
});

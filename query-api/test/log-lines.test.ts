import { type Listening, listen } from "@runtrace/collector";
import {
  ATTR_EXECUTION_ID,
  ATTR_EXECUTION_PRIOR_LOGS,
  ATTR_EXECUTION_STATUS,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_SCOPE_ID,
  EVENT_LOG,
  SPAN_EXECUTION,
} from "@runtrace/semconv";
import { type RunningCollector, startTestCollector } from "@runtrace/testkit-harness/collector";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createQueryApiApp } from "../src/app.ts";
import { contractCheck } from "./contract-check.ts";

/**
 * A resumed run's earlier log lines come from its runtime as they were stored
 * (`executor.execution.prior_logs`); the detail shows every line as `{time, severity, message}`
 * whatever shape it was stored in, so the answer keeps to its documented schema.
 */

let collector: RunningCollector;
let api: Listening;
const T0 = Date.now() - 10 * 60_000;
const text = (value: string) => ({ stringValue: value });

beforeAll(async () => {
  collector = await startTestCollector();
  api = await listen(
    createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: collector.ch }),
    0,
    "127.0.0.1",
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  await collector?.stop();
});

it("shows prior log lines of any stored shape, then the run's own", async () => {
  const prior = [
    { time: T0 + 0.5, severity: "warn", message: "a fractional time" },
    { time: T0 + 1, level: "debug", msg: "another logger's fields" },
    "a bare string",
    { time: "not a time", severity: 3, message: { nested: true } },
  ];
  const res = await fetch(`${collector.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: text("log-test") }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "1".repeat(32),
                  spanId: "2".repeat(16),
                  name: SPAN_EXECUTION,
                  kind: 1,
                  startTimeUnixNano: `${T0}000000`,
                  endTimeUnixNano: `${T0 + 100}000000`,
                  attributes: [
                    { key: ATTR_EXECUTION_ID, value: text("logs-1") },
                    { key: ATTR_SCOPE_ID, value: text("scope-logs") },
                    { key: ATTR_EXECUTION_STATUS, value: text("completed") },
                    { key: ATTR_EXECUTION_PRIOR_LOGS, value: text(JSON.stringify(prior)) },
                  ],
                  events: [
                    {
                      name: EVENT_LOG,
                      timeUnixNano: `${T0 + 50}000000`,
                      attributes: [
                        { key: ATTR_LOG_SEVERITY, value: text("info") },
                        { key: ATTR_LOG_MESSAGE, value: text("its own line") },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(res.status, await res.text()).toBe(200);

  const detail = await fetch(`${api.url}/v1/executions/logs-1`);
  const body = (await detail.json()) as { logs: unknown };
  expect(detail.status, JSON.stringify(body)).toBe(200);
  expect(body.logs).toEqual([
    { time: T0 + 0.5, severity: "warn", message: "a fractional time" },
    { time: T0 + 1, severity: "info", message: JSON.stringify(prior[1]) },
    { time: 0, severity: "info", message: "a bare string" },
    { time: 0, severity: "info", message: JSON.stringify({ nested: true }) },
    { time: T0 + 50, severity: "info", message: "its own line" },
  ]);
});

/**
 * `GET /v1/conformance` over spans sent for real: the SDK's runs (no finding), and hand-made
 * spans that break each rule, delivered twice and in two halves in reverse order (the report
 * must not change). Expected counts and span ids come from what the test sent.
 */
import { violatingRequest } from "@runtrace/testkit/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULE_IDS } from "../src/conformance/index.ts";
import { createQueryApiApp } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";
import { RunFixture } from "./fixture.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field.
type Body = any;

let fixture: RunFixture;
let app: ReturnType<typeof createQueryApiApp>;
const now = Date.now();
const bad = violatingRequest("bad-runtime", now);
let goodSpans = 0;

async function post(body: unknown): Promise<void> {
  const response = await fetch(`${fixture.collector.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** The request with only the spans at `indexes`. */
function subset(indexes: number[]): unknown {
  const body = structuredClone(bad.body) as Body;
  const spans = body.resourceSpans[0].scopeSpans[0].spans;
  body.resourceSpans[0].scopeSpans[0].spans = indexes.map((i) => spans[i]);
  return body;
}

async function get(path: string, tokenApp = app): Promise<{ status: number; body: Body }> {
  const response = await tokenApp.request(path);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  fixture = await RunFixture.start();
  for (let i = 0; i < 24; i++) {
    const { run } = await fixture.run(i, now - 60_000 + i * 1000);
    // One execution span, one per tool call, one per interaction (state spans are not stored).
    goodSpans += 1 + run.tools.length + (run.elicitation ? 1 : 0);
  }
  await fixture.flush();
  // The hand-made spans: the second half first, then the first, then everything again.
  const n = bad.spanIds.length;
  const half = Math.floor(n / 2);
  await post(subset(Array.from({ length: n - half }, (_, i) => half + i).reverse()));
  await post(subset(Array.from({ length: half }, (_, i) => i)));
  await post(bad.body);
  app = createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: fixture.collector.ch });
}, 120_000);

afterAll(async () => {
  await fixture?.stop();
});

describe("GET /v1/conformance", () => {
  it("finds nothing in the SDK's own runs, and checks every span it sent", async () => {
    const { status, body } = await get(
      `/v1/conformance?service=sandbox-test&from=${now - 120_000}&to=${now + 60_000}`,
    );
    expect(status).toBe(200);
    expect(body.service).toBe("sandbox-test");
    expect(body.spansChecked).toBe(goodSpans);
    expect(body.violations).toBe(0);
    expect(body.rules.map((r: Body) => r.rule)).toEqual(RULE_IDS);
    // The SDK numbers its state spans: they were read too.
    expect(body.snapshotsChecked).toBeGreaterThan(0);
    for (const finding of body.rules) {
      expect(finding, finding.rule).toMatchObject({ spans: 0, examples: [] });
    }
  });

  it("names each broken rule with the spans that break it, each span counted once", async () => {
    const { status, body } = await get(
      `/v1/conformance?service=bad-runtime&from=${now - 120_000}&to=${now + 60_000}&examples=20`,
    );
    expect(status).toBe(200);
    expect(body.spansChecked).toBe(bad.traced.length);
    expect(body.snapshotsChecked).toBe(bad.states.length);
    expect(body.violations).toBe(bad.violating.length);
    // Every rule has a case: the fixture and the rules stay in step.
    expect([...bad.expected.keys()].sort()).toEqual([...RULE_IDS].sort());
    for (const finding of body.rules) {
      const expected = bad.expected.get(finding.rule) ?? [];
      expect(finding.spans, finding.rule).toBe(expected.length);
      expect(
        finding.examples.map((e: Body) => e.spanId),
        finding.rule,
      ).toEqual(expected);
      expect(finding.description.length, finding.rule).toBeGreaterThan(20);
    }
  });

  it("gives the same report whichever order the spans came in, one per request", async () => {
    const reports: Body[] = [];
    for (const [service, reverse] of [
      ["one-by-one", false],
      ["one-by-one-reversed", true],
    ] as const) {
      const sent = violatingRequest(service, now);
      const spans = (sent.body as Body).resourceSpans[0].scopeSpans[0].spans as Body[];
      const order = spans.map((_, i) => i);
      if (reverse) order.reverse();
      for (const i of order) {
        const one = structuredClone(sent.body) as Body;
        one.resourceSpans[0].scopeSpans[0].spans = [spans[i]];
        await post(one);
      }
      const { body } = await get(
        `/v1/conformance?service=${service}&from=${now - 120_000}&to=${now + 60_000}&examples=20`,
      );
      expect(body.violations, service).toBe(sent.violating.length);
      for (const finding of body.rules) {
        expect(
          finding.examples.map((e: Body) => e.spanId),
          `${service} ${finding.rule}`,
        ).toEqual(sent.expected.get(finding.rule) ?? []);
      }
      reports.push(body.rules.map((r: Body) => [r.rule, r.spans]));
    }
    expect(reports[0]).toEqual(reports[1]);
  });

  it("limits the examples, not the counts", async () => {
    const { body } = await get(
      `/v1/conformance?service=bad-runtime&from=${now - 120_000}&to=${now + 60_000}&examples=1`,
    );
    const tools = body.rules.find((r: Body) => r.rule === "tool-without-execution-id");
    expect(tools.spans).toBe(2);
    expect(tools.examples).toHaveLength(1);
  });

  it("outside the window, or for another service, checks nothing", async () => {
    const early = await get(`/v1/conformance?service=bad-runtime&from=0&to=${now - 3_600_000}`);
    expect(early.body).toMatchObject({ spansChecked: 0, violations: 0 });
    const other = await get(`/v1/conformance?service=no-such-runtime`);
    expect(other.body).toMatchObject({ spansChecked: 0, violations: 0 });
  });

  it("refuses a missing service, a window that ends before it starts, too many examples", async () => {
    for (const [path, parameter] of [
      ["/v1/conformance", "service"],
      [`/v1/conformance?service=x&from=${now}&to=${now - 1}`, "from"],
      ["/v1/conformance?service=x&examples=21", "examples"],
    ] as const) {
      const { status, body } = await get(path);
      expect(status, path).toBe(400);
      expect(body.parameter, path).toBe(parameter);
    }
  });

  it("with scoped tokens checks only the traces of readable runs", async () => {
    const scoped = createQueryApiApp({
      checkAnswer: contractCheck(),
      clickhouse: fixture.collector.ch,
      apiTokens: new Map([["tok", ["scope-b"]]]),
    });
    const request = (service: string) =>
      scoped.request(
        `/v1/conformance?service=${service}&from=${now - 120_000}&to=${now + 60_000}`,
        {
          headers: { authorization: "Bearer tok" },
        },
      );
    const badAnswer = (await (await request("bad-runtime")).json()) as Body;
    expect(badAnswer.spansChecked).toBe(0);
    expect(badAnswer.snapshotsChecked).toBe(0);
    const good = (await (await request("sandbox-test")).json()) as Body;
    const scopeB = [...fixture.runs.values()].filter((r) => r.scope === "scope-b");
    const expected = scopeB.reduce((n, r) => n + 1 + r.tools.length + (r.elicitation ? 1 : 0), 0);
    expect(good.spansChecked).toBe(expected);
    expect((await scoped.request("/v1/conformance?service=x")).status).toBe(401);
  });
});

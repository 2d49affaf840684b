import type { ClickHouse } from "@runtrace/clickhouse";
import { type Collector, createCollector, type Listening, listen } from "@runtrace/collector";
import { createQueryApiApp } from "@runtrace/query-api";
import { openMigrated, removeDir, tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_MS, examples, readSpec, shiftTimes } from "./spec-document.ts";

/**
 * The examples of docs/semantic-conventions.md, posted as they are written (times moved to a few
 * minutes ago) to a real collector on embedded ClickHouse: the query API answers exactly what the
 * document says. Then the same spans again under other ids, one span per request, in reverse
 * and in a shuffled order, one of them twice: the answers are the same.
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are compared as parsed JSON.
type Json = any;

const doc = readSpec();
const docExamples = examples(doc);
/** Every time in the examples moves by this much: the base time becomes ten minutes ago. */
const OFFSET_MS = Date.now() - 10 * 60_000 - BASE_MS;

const dataDir = tempDataDir("runtrace-conventions-");
let ch: ClickHouse;
let collector: Collector;
let ingest: Listening;
let api: Listening;

beforeAll(async () => {
  ch = await openMigrated(dataDir);
  collector = createCollector(ch, { port: 0, host: "127.0.0.1" });
  ingest = await listen(collector.app, 0, "127.0.0.1");
  api = await listen(createQueryApiApp({ clickhouse: ch }), 0, "127.0.0.1");
});
afterAll(async () => {
  await api?.close();
  await ingest?.close();
  await collector?.close();
  await ch?.close();
  removeDir(dataDir);
});

/** One example's text as documented. */
function example(name: string): string {
  const text = docExamples.get(name);
  if (text === undefined) throw new Error(`the document has no example ${name}`);
  return text;
}

/** Posts an OTLP/JSON body; the collector answers 200 once every span is stored. */
async function post(body: string): Promise<void> {
  const res = await fetch(`${ingest.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  // Nothing refused: no partialSuccess.
  expect(JSON.parse(text), text).toEqual({});
}

async function get(path: string): Promise<Json> {
  const res = await fetch(`${api.url}${path}`);
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

/** Every field the document shows is in the answer with that exact value. */
function expectAnswer(path: string, answer: Json, expected: Json): void {
  for (const [key, value] of Object.entries(expected)) {
    expect(answer[key], `${path}: ${key}`).toEqual(value);
  }
}

/** A run of the document: its requests, in order, and the answers to check afterwards. */
interface Run {
  id: string;
  requests: string[];
  answers: { list: string; detail: string; toolCalls: string };
}

const RUNS: Run[] = [
  {
    id: "ex-finished-1",
    requests: ["finished-run request"],
    answers: {
      list: "finished-run list",
      detail: "finished-run detail",
      toolCalls: "finished-run tool-calls",
    },
  },
  {
    id: "ex-resumed-1",
    requests: ["resumed-run request 1", "resumed-run request 2"],
    answers: {
      list: "resumed-run list",
      detail: "resumed-run detail",
      toolCalls: "resumed-run tool-calls",
    },
  },
];

/** A text transformation applied alike to what is sent and to what is expected. */
type Variant = (text: string) => string;

async function expectAnswers(run: Run, variant: Variant, id: string): Promise<void> {
  const checks: [string, string][] = [
    [`/v1/executions?id=${encodeURIComponent(id)}`, run.answers.list],
    [`/v1/executions/${encodeURIComponent(id)}`, run.answers.detail],
    [`/v1/executions/${encodeURIComponent(id)}/tool-calls`, run.answers.toolCalls],
  ];
  for (const [path, name] of checks) {
    expectAnswer(path, await get(path), JSON.parse(variant(example(name))));
  }
}

describe("the examples of docs/semantic-conventions.md", () => {
  it("holds every example it names, every time within a day of the base time", () => {
    expect([...docExamples.keys()].sort()).toEqual(
      [
        ...RUNS.flatMap((r) => [...r.requests, ...Object.values(r.answers)]),
        "resumed-run paused list",
      ].sort(),
    );
    for (const [name, text] of docExamples) {
      JSON.parse(text);
      // Any epoch time outside the window would be left unshifted and fail for a wrong reason.
      for (const digits of text.match(/(?<![\w.])(\d{19}|\d{13})(?![\w.])/g) ?? []) {
        expect(shiftTimes(digits, 1), `${name}: ${digits}`).not.toBe(digits);
      }
    }
  });

  const asDocumented: Variant = (text) => shiftTimes(text, OFFSET_MS);

  it("finished run: the API answers what the document says", async () => {
    const run = RUNS[0]!;
    await post(asDocumented(example("finished-run request")));
    await expectAnswers(run, asDocumented, run.id);
  });

  it("paused and resumed run: waiting after the first process, then what the document says", async () => {
    const run = RUNS[1]!;
    await post(asDocumented(example("resumed-run request 1")));
    const path = `/v1/executions?id=${run.id}`;
    expectAnswer(
      path,
      await get(path),
      JSON.parse(asDocumented(example("resumed-run paused list"))),
    );
    await post(asDocumented(example("resumed-run request 2")));
    await expectAnswers(run, asDocumented, run.id);
  });

  it("both examples pass runtrace's conformance check", async () => {
    // Every span of both examples is py-sandbox's, within an hour of the base time.
    const from = BASE_MS + OFFSET_MS - 60_000;
    const report = await get(
      `/v1/conformance?service=py-sandbox&from=${from}&to=${from + 3_600_000}`,
    );
    expect(report.spansChecked).toBeGreaterThan(0);
    expect(report.snapshotsChecked).toBeGreaterThan(0);
    const broken = (report.rules as Json[]).filter((r) => r.spans > 0);
    expect(broken).toEqual([]);
    expect(report.violations).toBe(0);
  });

  /**
   * The same spans under other ids: execution ids get a suffix, every hex digit of the trace
   * and span ids moves by `step` (so the collector's re-delivery check does not drop them).
   */
  function renamed(run: Run, suffix: string, step: number): { variant: Variant; id: string } {
    const id = `${run.id}-${suffix}`;
    const variant: Variant = (text) =>
      asDocumented(text)
        .replaceAll(`"${run.id}"`, `"${id}"`)
        .replace(/"([0-9a-f]{32}|[0-9a-f]{16})"/g, (_, hex: string) => {
          const moved = [...hex].map((d) => ((Number.parseInt(d, 16) + step) % 16).toString(16));
          return `"${moved.join("")}"`;
        });
    return { variant, id };
  }

  /** Every span of the run's requests as a request of its own (its resource and scope kept). */
  function oneSpanEach(run: Run, variant: Variant): string[] {
    const out: string[] = [];
    for (const name of run.requests) {
      const body = JSON.parse(variant(example(name)));
      for (const rs of body.resourceSpans) {
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            out.push(
              JSON.stringify({
                resourceSpans: [
                  { resource: rs.resource, scopeSpans: [{ scope: ss.scope, spans: [span] }] },
                ],
              }),
            );
          }
        }
      }
    }
    return out;
  }

  /** A fixed shuffle (Fisher–Yates over a small linear congruential generator). */
  function shuffled<T>(items: readonly T[], seed: number): T[] {
    const out = [...items];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = state % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  const orders: [string, number, (requests: string[]) => string[]][] = [
    ["reversed", 1, (requests) => [...requests].reverse()],
    ["shuffled", 2, (requests) => shuffled(requests, 20_260_101)],
  ];
  for (const [order, step, arrange] of orders) {
    for (const run of RUNS) {
      it(`${run.id}: one span per request, ${order}, one repeated: the same answers`, async () => {
        const { variant, id } = renamed(run, order, step);
        const requests = arrange(oneSpanEach(run, variant));
        // A retried request (the first one) arrives again at the end.
        for (const body of [...requests, requests[0]!]) await post(body);
        await expectAnswers(run, variant, id);
      });
    }
  }
});

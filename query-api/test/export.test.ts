/**
 * `GET /v1/executions/export`: every run a filter matches (more than a list page holds, and more
 * than the export's first page of 200), in the list's order, as CSV or JSON lines, cut at `rows`.
 * Expected runs come from the fixture's record of what it sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvField } from "../src/executions/export.ts";
import { createQueryApiApp } from "../src/index.ts";
import { contractCheck } from "./contract-check.ts";
import { RunFixture } from "./fixture.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field.
type Body = any;

let fixture: RunFixture;
let app: ReturnType<typeof createQueryApiApp>;
const RUNS = 460;
const now = Date.now();
const from = now - 3_600_000;

beforeAll(async () => {
  fixture = await RunFixture.start();
  for (let i = 0; i < RUNS; i++) await fixture.run(i, from + 60_000 + i * 1000);
  await fixture.flush();
  app = createQueryApiApp({ checkAnswer: contractCheck(), clickhouse: fixture.collector.ch });
}, 180_000);

afterAll(async () => {
  await fixture?.stop();
});

/** The recorded runs a status filter matches, newest first (the list's default order). */
function expected(statuses: string[]): string[] {
  return [...fixture.runs.values()]
    .filter((r) => statuses.includes(r.status))
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    .map((r) => r.id);
}

/** RFC 4180 rows of a CSV text (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  return rows;
}

describe("GET /v1/executions/export", () => {
  it("CSV: every matching run, in the list's order, with a header row", async () => {
    const want = expected(["completed", "failed"]);
    expect(want.length).toBeGreaterThan(200);
    const response = await app.request(
      `/v1/executions/export?status=completed,failed&from=${from}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("x-runtrace-row-limit")).toBe("10000");
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual([
      "id",
      "scope",
      "status",
      "stale",
      "trigger",
      "runtime",
      "createdAt",
      "startedAt",
      "completedAt",
      "durationMs",
      "toolCallCount",
      "interactionCount",
      "hadElicitation",
      "traceId",
      "codePreview",
    ]);
    expect(rows.map((r) => r[0])).toEqual(want);
    for (const row of rows) {
      const run = fixture.runs.get(row[0]!)!;
      expect(row[1]).toBe(run.scope);
      expect(row[2]).toBe(run.status);
      expect(row[4]).toBe(run.trigger ?? "");
      expect(row[6]).toBe(new Date(run.createdAt).toISOString());
      expect(Number(row[9])).toBe(run.durationMs);
      expect(Number(row[10])).toBe(run.tools.length);
      expect(row[12]).toBe(String(run.elicitation));
    }
  });

  it("JSON lines: the list's rows, all of them", async () => {
    const want = expected(["cancelled"]);
    const response = await app.request(
      `/v1/executions/export?status=cancelled&from=${from}&format=jsonl`,
    );
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Body);
    expect(lines.map((l) => l.id)).toEqual(want);
    // The same objects the list answers.
    const list = (await (
      await app.request(`/v1/executions?status=cancelled&from=${from}&limit=5&meta=false`)
    ).json()) as Body;
    expect(lines.slice(0, 5)).toEqual(list.executions);
  });

  it("stops at rows, and says the limit", async () => {
    const response = await app.request(`/v1/executions/export?from=${from}&rows=250`);
    expect(response.headers.get("x-runtrace-row-limit")).toBe("250");
    const [, ...rows] = parseCsv(await response.text());
    expect(rows).toHaveLength(250);
    const all = [...fixture.runs.values()].sort((a, b) => b.createdAt - a.createdAt);
    expect(rows.map((r) => r[0])).toEqual(all.slice(0, 250).map((r) => r.id));
  });

  it("follows the sort and the scope filter", async () => {
    const response = await app.request(
      `/v1/executions/export?from=${from}&scope=scope-b&sort=createdAt,asc&format=jsonl`,
    );
    const ids = (await response.text())
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as Body).id);
    const want = [...fixture.runs.values()]
      .filter((r) => r.scope === "scope-b")
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => r.id);
    expect(ids).toEqual(want);
  });

  it("answers 400 naming a bad parameter, including the list's paging ones", async () => {
    for (const [query, parameter] of [
      ["format=xml", "format"],
      ["rows=0", "rows"],
      [`rows=${100_001}`, "rows"],
      ["cursor=abc", "cursor"],
      ["limit=10", "limit"],
      ["status=nope", "status"],
    ] as const) {
      const response = await app.request(`/v1/executions/export?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as Body).parameter, query).toBe(parameter);
    }
  });
});

describe("csvField", () => {
  it("quotes commas, quotes and line breaks, and defuses spreadsheet formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-1+2")).toBe("'-1+2");
    expect(csvField(-5)).toBe("-5");
    expect(csvField(null)).toBe("");
    expect(csvField(true)).toBe("true");
  });
});

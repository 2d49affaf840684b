import { describe, expect, it } from "vitest";
import { formatCommand, parseCommand } from "./command.ts";
import { parseView, viewSearch } from "./view.ts";

describe("the typed filter bar", () => {
  it("reads every key, aliases and quoted code", () => {
    const r = parseCommand(
      'scope:acme,beta status:failed,waiting trigger:mcp tool:github.*,db.query elicitation:yes after:1h code:"rate limit" error:00a1b2c3d4e5f607',
    );
    expect(r).toEqual({
      ok: true,
      filter: {
        scopes: ["acme", "beta"],
        ids: [],
        statuses: ["failed", "waiting_for_interaction"],
        triggers: ["mcp"],
        tools: ["github.*", "db.query"],
        elicitation: "true",
        range: "1h",
        from: null,
        to: null,
        code: "rate limit",
        errorGroup: "00a1b2c3d4e5f607",
      },
    });
  });

  it("refuses an error group that is not one, and writes one back", () => {
    expect(parseCommand("error:boom")).toEqual({
      ok: false,
      error: 'error: "boom" is not an error group id (16 hex digits)',
    });
    const r = parseCommand("status:failed error:00a1b2c3d4e5f607");
    expect(r.ok && formatCommand(r.filter)).toBe("status:failed after:24h error:00a1b2c3d4e5f607");
  });

  it("searches the code for words without a key and defaults to the last 24 h", () => {
    const r = parseCommand("refund  webhook");
    expect(r.ok && r.filter.code).toBe("refund webhook");
    expect(r.ok && r.filter.range).toBe("24h");
  });

  it("turns dates into an absolute range: local days, before: exclusive", () => {
    const r = parseCommand("after:2026-04-10 before:2026-04-11T12:00:00Z");
    expect(r.ok && [r.filter.range, r.filter.from, r.filter.to]).toEqual([
      null,
      new Date(2026, 3, 10).getTime(),
      Date.parse("2026-04-11T12:00:00Z") - 1,
    ]);
    const day = parseCommand("after:2026-04-10 before:2026-04-11");
    expect(day.ok && day.filter.to).toBe(new Date(2026, 3, 11).getTime() - 1);
  });

  it("searches by id: id: or a pasted trace id or execution id, over all time unless told", () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const run = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const r = parseCommand(`${trace} ${run} id:job-7`);
    expect(r.ok && [r.filter.ids, r.filter.code, r.filter.range]).toEqual([
      [trace, run, "job-7"],
      "",
      "all",
    ]);
    const bounded = parseCommand(`id:${run} after:1h`);
    expect(bounded.ok && bounded.filter.range).toBe("1h");
    if (!r.ok) return;
    expect(parseCommand(formatCommand(r.filter))).toEqual(r);
  });

  it("keeps quotes in a code search through a round trip", () => {
    const r = parseCommand(`code:'say "hi"' status:failed`);
    expect(r.ok && r.filter.code).toBe('say "hi"');
    if (!r.ok) return;
    expect(formatCommand(r.filter)).toBe(`status:failed after:24h code:'say "hi"'`);
    expect(parseCommand(formatCommand(r.filter))).toEqual(r);
  });

  it.each([
    ["status:done", 'status: "done" is not one of'],
    ["colour:red", 'unknown filter "colour:"'],
    ["duration_ms:>5000", "duration is not a filter"],
    ["tool:a..b", 'tool: "a..b" is not a tool path'],
    ["after:yesterday", 'after: "yesterday" is neither'],
    ["elicitation:maybe", "elicitation: expected true or false"],
    ["after:2026-04-12 before:2026-04-11", "must not be later"],
    ["status:", "status: needs a value"],
  ])("refuses %s with a readable message", (text, message) => {
    const r = parseCommand(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(message);
  });

  it("formats what it parses back to the same filter", () => {
    for (const text of [
      "scope:acme status:failed tool:github.* after:1h",
      'trigger:http,cli elicitation:false after:all code:"a b"',
      "after:2026-04-10T00:00:00Z before:2026-04-11T00:00:00Z",
    ]) {
      const first = parseCommand(text);
      if (!first.ok) throw new Error(first.error);
      const again = parseCommand(formatCommand(first.filter));
      expect(again).toEqual(first);
      expect(formatCommand(first.filter)).toBe(text);
    }
  });
});

describe("the view in the URL", () => {
  it("round-trips every field and leaves defaults out", () => {
    const search =
      "?scope=acme&status=failed,cancelled&trigger=mcp&tool=github.*&elicitation=true&from=2026-04-10T00:00:00Z&to=2026-04-11T00:00:00Z&code=fetch(&sort=durationMs,desc&chart=range&live=1&executionId=run-1";
    const view = parseView(search);
    expect(view).toMatchObject({
      scopes: ["acme"],
      statuses: ["failed", "cancelled"],
      tools: ["github.*"],
      range: null,
      from: Date.parse("2026-04-10T00:00:00Z"),
      code: "fetch(",
      sort: "durationMs,desc",
      wholeRange: true,
      live: true,
      executionId: "run-1",
    });
    expect(parseView(viewSearch(view))).toEqual(view);
    expect(viewSearch(parseView(""))).toBe("");
    expect(parseView("").range).toBe("24h");
  });

  it("ignores values it cannot use instead of sending them", () => {
    const view = parseView("?range=forever&sort=name&elicitation=maybe&from=yesterday");
    expect(view.range).toBe("24h");
    expect(view.sort).toBeNull();
    expect(view.elicitation).toBeNull();
  });
});

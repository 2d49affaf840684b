import { describe, expect, it } from "vitest";
import { resolveQueryApiConfig } from "./config.ts";

describe("resolveQueryApiConfig", () => {
  it("has defaults: port 8080, open access, stale after 1 h", () => {
    expect(resolveQueryApiConfig({})).toEqual({
      port: 8080,
      apiTokens: undefined,
      staleAfterMs: 3_600_000,
    });
  });

  it("reads tokens with their scopes and durations with units", () => {
    const config = resolveQueryApiConfig({
      RUNTRACE_QUERY_PORT: "9090",
      RUNTRACE_API_TOKENS: "tok-a=acme,beta; tok-ops=*",
      RUNTRACE_STALE_AFTER: "15m",
    });
    expect(config.port).toBe(9090);
    expect(config.staleAfterMs).toBe(900_000);
    expect(config.apiTokens?.get("tok-a")).toEqual(["acme", "beta"]);
    expect(config.apiTokens?.get("tok-ops")).toBeNull();
    expect(resolveQueryApiConfig({ RUNTRACE_STALE_AFTER: "90" }).staleAfterMs).toBe(90_000);
    expect(resolveQueryApiConfig({ RUNTRACE_CODE_COUNT_BUDGET: "2_000_000" }).codeCountBudget).toBe(
      2_000_000,
    );
  });

  it("reads the Jaeger UI's address for the page's trace links, without a trailing slash", () => {
    expect(resolveQueryApiConfig({}).jaegerUiUrl).toBeUndefined();
    expect(resolveQueryApiConfig({ RUNTRACE_JAEGER_UI_URL: "  " }).jaegerUiUrl).toBeUndefined();
    expect(
      resolveQueryApiConfig({ RUNTRACE_JAEGER_UI_URL: " http://localhost:16686/ " }).jaegerUiUrl,
    ).toBe("http://localhost:16686");
    expect(
      resolveQueryApiConfig({ RUNTRACE_JAEGER_UI_URL: "https://ops.example/jaeger//" }).jaegerUiUrl,
    ).toBe("https://ops.example/jaeger");
  });

  it("names the variable of a bad value", () => {
    expect(() => resolveQueryApiConfig({ RUNTRACE_API_TOKENS: "just-a-token" })).toThrow(
      /RUNTRACE_API_TOKENS/,
    );
    expect(() => resolveQueryApiConfig({ RUNTRACE_STALE_AFTER: "soon" })).toThrow(
      /RUNTRACE_STALE_AFTER/,
    );
    expect(() => resolveQueryApiConfig({ RUNTRACE_QUERY_PORT: "70000" })).toThrow(
      /RUNTRACE_QUERY_PORT/,
    );
    for (const bad of ["jaeger:16686/x", "localhost", "ftp://jaeger", "http://j/?a=1"]) {
      expect(() => resolveQueryApiConfig({ RUNTRACE_JAEGER_UI_URL: bad })).toThrow(
        /RUNTRACE_JAEGER_UI_URL/,
      );
    }
    for (const bad of ["0", "-5", "lots", "1.5"]) {
      expect(() => resolveQueryApiConfig({ RUNTRACE_CODE_COUNT_BUDGET: bad })).toThrow(
        /RUNTRACE_CODE_COUNT_BUDGET/,
      );
    }
  });
});

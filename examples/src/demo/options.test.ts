import { describe, expect, it } from "vitest";
import { DEFAULT_ENDPOINT, DEFAULT_QUERY_URL, parseDemoOptions } from "./options.ts";

describe("demo options", () => {
  it("defaults to the local collector", () => {
    expect(parseDemoOptions([], {})).toEqual({
      endpoint: DEFAULT_ENDPOINT,
      queryUrl: DEFAULT_QUERY_URL,
      concurrency: 8,
      seed: 42,
      verbose: false,
    });
  });

  it("takes the endpoint from OTEL_EXPORTER_OTLP_ENDPOINT, and --endpoint over it", () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" };
    expect(parseDemoOptions([], env).endpoint).toBe("http://collector:4318");
    expect(parseDemoOptions(["--endpoint", "http://127.0.0.1:9999"], env).endpoint).toBe(
      "http://127.0.0.1:9999",
    );
    expect(parseDemoOptions(["--endpoint=http://a:1", "--seed=7"], env)).toMatchObject({
      endpoint: "http://a:1",
      seed: 7,
    });
  });

  it("links to the query API's /runs page: --query-url, RUNTRACE_QUERY_URL or RUNTRACE_QUERY_PORT", () => {
    expect(parseDemoOptions([], { RUNTRACE_QUERY_PORT: "9090" }).queryUrl).toBe(
      "http://localhost:9090",
    );
    const env = { RUNTRACE_QUERY_URL: "http://runs.example:8080/", RUNTRACE_QUERY_PORT: "9090" };
    expect(parseDemoOptions([], env).queryUrl).toBe("http://runs.example:8080");
    expect(parseDemoOptions(["--query-url", "http://q:1"], env).queryUrl).toBe("http://q:1");
    expect(() => parseDemoOptions(["--query-url", "nope"], {})).toThrow("invalid query URL");
  });

  it("rejects what it does not understand", () => {
    expect(() => parseDemoOptions(["--nope"], {})).toThrow("unknown argument --nope");
    expect(() => parseDemoOptions(["--concurrency", "0"], {})).toThrow(
      "--concurrency must be a positive integer, got 0",
    );
    expect(() => parseDemoOptions(["--endpoint"], {})).toThrow("--endpoint needs a value");
    expect(() => parseDemoOptions(["--endpoint", "not a url"], {})).toThrow("invalid endpoint URL");
  });
});

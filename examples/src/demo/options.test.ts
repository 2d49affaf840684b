import { describe, expect, it } from "vitest";
import { DEFAULT_ENDPOINT, parseDemoOptions } from "./options.ts";

describe("demo options", () => {
  it("defaults to the local collector", () => {
    expect(parseDemoOptions([], {})).toEqual({
      endpoint: DEFAULT_ENDPOINT,
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

  it("rejects what it does not understand", () => {
    expect(() => parseDemoOptions(["--nope"], {})).toThrow("unknown argument --nope");
    expect(() => parseDemoOptions(["--concurrency", "0"], {})).toThrow(
      "--concurrency must be a positive integer, got 0",
    );
    expect(() => parseDemoOptions(["--endpoint"], {})).toThrow("--endpoint needs a value");
    expect(() => parseDemoOptions(["--endpoint", "not a url"], {})).toThrow("invalid endpoint URL");
  });
});

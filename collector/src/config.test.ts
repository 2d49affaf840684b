import { ConfigError } from "@runtrace/config";
import { describe, expect, it } from "vitest";
import { resolveCollectorConfig } from "./config.ts";

describe("ingest tokens", () => {
  it("RUNTRACE_INGEST_TOKENS maps each token to its scopes (* for all)", () => {
    const config = resolveCollectorConfig(
      {},
      { RUNTRACE_INGEST_TOKENS: "a=acme; b=acme,globex ;c=*" },
    );
    expect(config.ingestTokens).toEqual(
      new Map([
        ["a", ["acme"]],
        ["b", ["acme", "globex"]],
        ["c", null],
      ]),
    );
  });

  it("RUNTRACE_INGEST_TOKEN joins them as a token for every scope", () => {
    const config = resolveCollectorConfig(
      {},
      { RUNTRACE_INGEST_TOKENS: "a=acme", RUNTRACE_INGEST_TOKEN: "old" },
    );
    expect(config.ingestTokens).toEqual(
      new Map([
        ["a", ["acme"]],
        ["old", null],
      ]),
    );
    expect(resolveCollectorConfig({}, {}).ingestTokens).toBeUndefined();
  });

  it("refuses an entry without scopes, and the single token given limited scopes", () => {
    expect(() => resolveCollectorConfig({}, { RUNTRACE_INGEST_TOKENS: "a=" })).toThrow(ConfigError);
    expect(() => resolveCollectorConfig({}, { RUNTRACE_INGEST_TOKENS: "a=" })).toThrow(
      /RUNTRACE_INGEST_TOKENS/,
    );
    expect(() =>
      resolveCollectorConfig(
        {},
        { RUNTRACE_INGEST_TOKENS: "old=acme", RUNTRACE_INGEST_TOKEN: "old" },
      ),
    ).toThrow(/RUNTRACE_INGEST_TOKEN may write every scope/);
  });

  it("RUNTRACE_GRPC_PORT: 4317 by default, a port, or off", () => {
    expect(resolveCollectorConfig({}, {}).grpcPort).toBe(4317);
    expect(resolveCollectorConfig({}, { RUNTRACE_GRPC_PORT: "5317" }).grpcPort).toBe(5317);
    expect(resolveCollectorConfig({}, { RUNTRACE_GRPC_PORT: "off" }).grpcPort).toBeNull();
    expect(() => resolveCollectorConfig({}, { RUNTRACE_GRPC_PORT: "70000" })).toThrow(
      /RUNTRACE_GRPC_PORT/,
    );
  });
});

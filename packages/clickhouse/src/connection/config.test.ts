import { ConfigError } from "@runtrace/config";
import { describe, expect, it } from "vitest";
import { redactUrl, resolveClickHouseConfig } from "./config.ts";

describe("resolveClickHouseConfig", () => {
  it("defaults to embedded ClickHouse in ./data with 30 days of retention", () => {
    const config = resolveClickHouseConfig({}, {});
    expect(config.url).toBeUndefined();
    expect(config.dataDir).toBe(`${process.cwd()}/data`);
    expect(config.retentionDays).toBe(30);
    expect(config.readTimeoutSeconds).toBe(30);
  });

  it("reads the environment, and options given in code win over it", () => {
    const env = {
      RUNTRACE_DATA_DIR: "/tmp/x",
      RUNTRACE_RETENTION_DAYS: "7",
      CLICKHOUSE_URL: "http://u:p@ch:8123/db",
    };
    expect(resolveClickHouseConfig({}, env)).toMatchObject({
      dataDir: "/tmp/x",
      retentionDays: 7,
      url: env.CLICKHOUSE_URL,
    });
    expect(resolveClickHouseConfig({ retentionDays: 3 }, env).retentionDays).toBe(3);
  });

  it("names the variable and the accepted values when one is invalid", () => {
    expect(() => resolveClickHouseConfig({}, { RUNTRACE_RETENTION_DAYS: "thirty" })).toThrow(
      new ConfigError("RUNTRACE_RETENTION_DAYS", "expected an integer from 1 to 36500, got thirty"),
    );
    expect(() => resolveClickHouseConfig({}, { RUNTRACE_RETENTION_DAYS: "0" })).toThrow(
      /RUNTRACE_RETENTION_DAYS/,
    );
    expect(() => resolveClickHouseConfig({}, { CLICKHOUSE_URL: "not a url" })).toThrow(
      /CLICKHOUSE_URL: is malformed/,
    );
    expect(() => resolveClickHouseConfig({}, { CLICKHOUSE_URL: "tcp://host:9000" })).toThrow(
      /http or https/,
    );
  });

  it("hides the password when it prints a server URL", () => {
    expect(redactUrl("http://user:secret@host:8123/db")).toBe("http://user:***@host:8123/db");
  });
});

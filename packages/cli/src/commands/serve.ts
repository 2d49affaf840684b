import { type ClickHouse, createClickHouse, migrate, parseInteger } from "@runtrace/clickhouse";
import { createCollector, type Listening, listen } from "@runtrace/collector";
import { createQueryApiApp } from "@runtrace/query-api";

export interface ServeOptions {
  collector: boolean;
  queryApi: boolean;
}

/**
 * Runs the collector and/or the query API on one ClickHouse until SIGTERM or SIGINT, then
 * drains: stops accepting, answers what is in flight, writes everything accepted, closes.
 */
export async function serveCommand(options: ServeOptions): Promise<number> {
  const ch: ClickHouse = await createClickHouse();
  const servers: Listening[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const migrated = await migrate(ch);
    const host = process.env.RUNTRACE_HOST || "127.0.0.1";
    console.log(
      `runtrace: ${ch.kind} ClickHouse, data in ${ch.location} (schema version ${migrated.to}, retention ${ch.config.retentionDays} days)`,
    );
    if (options.collector) {
      const collector = createCollector(ch);
      const server = await listen(collector.app, collector.config.port, collector.config.host);
      servers.push(server);
      closers.push(collector.close);
      console.log(`runtrace: OTLP/HTTP collector on ${server.url} (POST /v1/traces, /v1/metrics)`);
    }
    if (options.queryApi) {
      const port = parseInteger({
        key: "RUNTRACE_QUERY_PORT",
        value: process.env.RUNTRACE_QUERY_PORT,
        fallback: 8080,
        min: 0,
        max: 65_535,
      });
      const server = await listen(createQueryApiApp({ clickhouse: ch }), port, host);
      servers.push(server);
      console.log(`runtrace: query API on ${server.url} (/healthz, /readyz, /metrics)`);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    await ch.close();
    throw error;
  }
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  console.log(`runtrace: ${signal}: draining`);
  await Promise.all(servers.map((s) => s.close()));
  for (const close of closers) await close();
  await ch.close();
  console.log("runtrace: stopped; everything accepted was written");
  return 0;
}

import { type ClickHouse, createClickHouse, migrate } from "@runtrace/clickhouse";
import { createCollector, type Listening, listen, listenGrpc } from "@runtrace/collector";
import { createQueryApiApp } from "@runtrace/query-api";
import { readConfig } from "../config.ts";
import type { Installation } from "../main.ts";

export interface ServeOptions {
  collector: boolean;
  queryApi: boolean;
}

/**
 * Runs the collector and/or the query API on one ClickHouse until SIGTERM or SIGINT, then
 * drains: stops accepting, answers what is in flight, writes everything accepted, closes.
 */
export async function serveCommand(
  options: ServeOptions,
  installation: Installation = {},
): Promise<number> {
  // A configuration mistake stops the process before it opens (and locks) any data.
  const config = readConfig(process.env, options);
  const collectorConfig = config.collector;
  const ch: ClickHouse = await createClickHouse(config.clickhouse);
  const servers: Listening[] = [];
  const closers: (() => Promise<void>)[] = [];
  let collectorUrl: string | undefined;
  try {
    const migrated = await migrate(ch);
    console.log(
      `runtrace: ${ch.kind} ClickHouse, data in ${ch.location} (schema version ${migrated.to}, retention ${ch.config.retentionDays} days)`,
    );
    if (collectorConfig) {
      const collector = createCollector(ch, collectorConfig);
      const server = await listen(collector.app, collector.config.port, collector.config.host);
      servers.push(server);
      closers.push(collector.close);
      collectorUrl = server.url;
      console.log(`runtrace: OTLP/HTTP collector on ${server.url} (POST /v1/traces, /v1/metrics)`);
      if (collectorConfig.grpcPort !== null) {
        const grpc = await listenGrpc(
          collector.grpc,
          collectorConfig.grpcPort,
          collectorConfig.host,
        );
        // Closed with the HTTP servers, before the collector writes what it accepted.
        servers.push({ url: `grpc://${grpc.address}`, port: grpc.port, close: grpc.close });
        console.log(
          `runtrace: OTLP/gRPC collector on ${grpc.address} (TraceService/Export, MetricsService/Export)`,
        );
      }
      if (collector.forwarder) {
        console.log(
          `runtrace: copying stored ${collectorConfig.forwardSignals.join(" and ")} requests to ${collector.forwarder.endpoint}`,
        );
      }
    }
    if (config.queryApi) {
      const queryApi = config.queryApi;
      const app = createQueryApiApp({
        clickhouse: ch,
        apiTokens: queryApi.apiTokens,
        staleAfterMs: queryApi.staleAfterMs,
        ...(queryApi.codeCountBudget === undefined
          ? {}
          : { codeCountBudget: queryApi.codeCountBudget }),
        collectorUrl: collectorUrl ?? queryApi.collectorUrl,
        ...(queryApi.jaegerUiUrl === undefined ? {} : { jaegerUiUrl: queryApi.jaegerUiUrl }),
        ...(installation.uiDir === undefined ? {} : { uiDir: installation.uiDir }),
        ...(installation.firstScreenDir === undefined
          ? {}
          : { firstScreenDir: installation.firstScreenDir }),
      });
      const server = await listen(app, queryApi.port, queryApi.host);
      servers.push(server);
      const access = queryApi.apiTokens
        ? `${queryApi.apiTokens.size} API token(s)`
        : "open (no RUNTRACE_API_TOKENS)";
      console.log(
        `runtrace: query API on ${server.url} (the /runs page, /v1/executions, /v1/stats, /docs, Jaeger API /api, Tempo /tempo; ${access})`,
      );
      console.log(`runtrace: the runs page: ${server.url}/runs`);
    }
    console.log(
      collectorUrl
        ? `runtrace: running until Ctrl-C. Send runs with OTEL_EXPORTER_OTLP_ENDPOINT=${collectorUrl}${installation.repository === false ? "" : " (in this repository: npm run demo, in another terminal)"}`
        : "runtrace: running until Ctrl-C",
    );
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

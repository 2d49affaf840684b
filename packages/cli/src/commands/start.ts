import { createClickHouse, migrate } from "@runtrace/clickhouse";

/**
 * `runtrace start`: the all-in-one server. This release prepares the store (opens embedded
 * ClickHouse or the server, applies migrations) and says what will be served; the OTLP
 * collector (:4318) and the query API (:8080) arrive in the next releases.
 */
export async function startCommand(): Promise<number> {
  const ch = await createClickHouse();
  try {
    const result = await migrate(ch);
    console.log(
      `runtrace: ${ch.kind} ClickHouse, data in ${ch.location} (schema version ${result.to}, retention ${ch.config.retentionDays} days)`,
    );
    console.log("runtrace: will serve, once they land:");
    console.log("  OTLP/HTTP collector   http://localhost:4318/v1/traces, /v1/metrics");
    console.log("  query API             http://localhost:8080/v1/executions, /healthz");
    console.log("runtrace: nothing is served yet; today runtimes write through the in-process");
    console.log("  ClickHouseSpanExporter from @runtrace/clickhouse (see the README).");
    return 0;
  } finally {
    await ch.close();
  }
}

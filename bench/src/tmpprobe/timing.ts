import { createClickHouse, readArrivalBoundary } from "@runtrace/clickhouse";
const ch = await createClickHouse({ dataDir: process.argv[2]! });
async function time(label: string, f: () => Promise<unknown>) {
  const ts: number[] = [];
  for (let i = 0; i < 12; i++) { const t = performance.now(); await f(); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(label, ts[6]!.toFixed(1));
}
const from = Date.now() * 1000;
await time("boundary", () => readArrivalBoundary(ch));
await time("select 1", () => ch.select("SELECT 1"));
await time("ledger candidates", () => ch.select(`SELECT scope_id, created_at, execution_id FROM run_arrivals WHERE scope_id IN ['ws_alpha'] AND created_at >= now64(3) - INTERVAL 1 DAY AND arrived_at >= fromUnixTimestamp64Micro(${from})`));
await time("ledger positions", () => ch.select(`SELECT scope_id, created_at, execution_id, min(toUnixTimestamp64Micro(arrived_at)) p FROM run_arrivals WHERE scope_id IN ['ws_alpha'] AND created_at >= now64(3) - INTERVAL 1 DAY AND (scope_id, created_at, execution_id) IN (SELECT scope_id, created_at, execution_id FROM run_arrivals WHERE scope_id IN ['ws_alpha'] AND created_at >= now64(3) - INTERVAL 1 DAY AND arrived_at >= fromUnixTimestamp64Micro(${from})) GROUP BY scope_id, created_at, execution_id`));
await ch.close();

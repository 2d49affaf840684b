/**
 * `db.query`: a read-only SQL endpoint over three fake tables. It understands just enough SQL
 * for the demo (`SELECT … FROM t [WHERE col = 'v'] [LIMIT n]`, `count(*)`, `pg_sleep(s)`) and
 * answers other statements with Postgres's own error messages.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ToolHandler } from "../sandbox/index.ts";
import { isoDaysAgo, latency, requireString, ToolError } from "./support.ts";

type Row = Record<string, string | number>;

const PLANS = ["free", "team", "business", "enterprise"];
const STATUSES = ["paid", "pending", "refunded", "failed"];
const COUNTRIES = ["DE", "FR", "US", "JP", "BR", "IN"];

function table(name: string): Row[] | undefined {
  switch (name) {
    case "customers":
      return Array.from({ length: 30 }, (_, i) => ({
        id: i + 1,
        name: `Customer ${String.fromCharCode(65 + (i % 26))}${i + 1}`,
        plan: PLANS[i % PLANS.length]!,
        country: COUNTRIES[(i * 7) % COUNTRIES.length]!,
        created_at: isoDaysAgo(400 - i * 11),
      }));
    case "orders":
      return Array.from({ length: 120 }, (_, i) => ({
        id: 5000 + i,
        customer_id: ((i * 13) % 30) + 1,
        amount_cents: 1900 + ((i * 7919) % 50_000),
        status: STATUSES[(i * 5) % STATUSES.length]!,
        created_at: isoDaysAgo(i % 90),
      }));
    case "invoices":
      return Array.from({ length: 40 }, (_, i) => ({
        id: `INV-2026-${String(i + 1).padStart(4, "0")}`,
        customer_id: ((i * 3) % 30) + 1,
        total_cents: 4900 + ((i * 3571) % 90_000),
        due_date: isoDaysAgo(-30 + i),
        status: i % 6 === 0 ? "overdue" : "open",
      }));
    default:
      return undefined;
  }
}

export const dbTools: Record<string, ToolHandler> = {
  "db.query": async (args) => {
    const sql = requireString(args, "sql").trim();
    const started = Date.now();
    const verb = sql.split(/\s+/, 1)[0]!.toUpperCase();
    if (verb !== "SELECT" && verb !== "WITH") {
      await latency(`db.query ${sql}`, 5, 20);
      throw new ToolError(
        "DatabaseError",
        `ERROR: cannot execute ${verb} in a read-only transaction (SQLSTATE 25006)`,
      );
    }
    const sleepMatch = /pg_sleep\(\s*([\d.]+)\s*\)/i.exec(sql);
    if (sleepMatch !== null) {
      // A slow report: seconds, capped so the demo stays short.
      const seconds = Math.min(Number(sleepMatch[1]), 3);
      await sleep(seconds * 1000);
      return { rows: [{ pg_sleep: "" }], rowCount: 1, durationMs: Date.now() - started };
    }
    const from = /\bfrom\s+([a-z_][a-z0-9_]*)/i.exec(sql)?.[1]?.toLowerCase();
    if (from === undefined)
      throw new ToolError("DatabaseError", 'ERROR: syntax error at or near ";"');
    let rows = table(from);
    if (rows === undefined) {
      await latency(`db.query ${sql}`, 5, 30);
      throw new ToolError(
        "DatabaseError",
        `ERROR: relation "${from}" does not exist (SQLSTATE 42P01)`,
      );
    }
    const where = /\bwhere\s+([a-z_]+)\s*=\s*'([^']*)'/i.exec(sql);
    if (where !== null) {
      const [, column, value] = where;
      rows = rows.filter((row) => String(row[column!]) === value);
    }
    const limit = /\blimit\s+(\d+)/i.exec(sql);
    if (limit !== null) rows = rows.slice(0, Number(limit[1]));
    // Bigger results take longer, as they would over a real connection.
    await latency(`db.query ${sql}`, 15 + rows.length * 2, 40 + rows.length * 3);
    if (/select\s+count\(\*\)/i.test(sql)) {
      return { rows: [{ count: rows.length }], rowCount: 1, durationMs: Date.now() - started };
    }
    return { rows, rowCount: rows.length, durationMs: Date.now() - started };
  },
};

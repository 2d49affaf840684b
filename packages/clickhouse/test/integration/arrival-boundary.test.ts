import { openMigrated, tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchingWriter,
  type ClickHouse,
  createClickHouse,
  readArrivalBoundary,
} from "../../src/index.ts";
import { span } from "../span-builder.ts";

/**
 * The arrival boundary: while an insert of run rows runs (here held open by ClickHouse's own
 * insert back-pressure, set to delay every insert into `execution_states`), the boundary stays
 * at or before that insert's start, whichever writer reads it; the rows it brings arrive at or
 * after every boundary read meanwhile; once it is in, the boundary moves past them.
 */

const HOLD_MS = 1_500;
const dataDir = tempDataDir("runtrace-boundary-");
let reader: ClickHouse;
let writerCh: ClickHouse;

beforeAll(async () => {
  reader = await openMigrated(dataDir);
  // A second handle on the same engine, as a second collector: its inserts are its own.
  writerCh = await createClickHouse({ dataDir, url: undefined });
  await reader.command(`ALTER TABLE execution_states MODIFY SETTING parts_to_delay_insert = 1,
    parts_to_throw_insert = 100000, min_delay_to_insert_ms = ${HOLD_MS}`);
});

afterAll(async () => {
  await writerCh?.close();
  await reader?.close();
});

function runningRun(id: string, startMs: number) {
  return span({
    name: "executor.execution.state",
    startMs,
    durationMs: 0,
    attributes: {
      "executor.execution.id": id,
      "executor.scope.id": "boundary",
      "executor.execution.status": "running",
      "executor.execution.created_at": startMs,
      "executor.execution.seq": 1,
    },
  });
}

async function arrivals(id: string): Promise<number[]> {
  const rows = await reader.select<{ us: number }>(
    "SELECT toUnixTimestamp64Micro(arrived_at) AS us FROM run_arrivals WHERE execution_id = {id:String}",
    { id },
  );
  return rows.map((r) => Number(r.us));
}

describe("the arrival boundary", () => {
  it("waits for a run-row insert that is still running, then moves past it", async () => {
    const writer = new BatchingWriter(writerCh, { flushIntervalMillis: 1 });
    try {
      // A first snapshot: from now on, every insert into execution_states is held.
      expect((await writer.writeSpans([runningRun("first", Date.now())])).status).toBe("stored");
      const before = await readArrivalBoundary(reader);

      let done = false;
      const held = writer.writeSpans([runningRun("held", Date.now())]).then((r) => {
        done = true;
        return r;
      });
      // Each read: when it began (µs, the same clock as ClickHouse's here) and what it said.
      const during: { atUs: number; boundary: number }[] = [];
      while (!done) {
        const atUs = Date.now() * 1000;
        during.push({ atUs, boundary: await readArrivalBoundary(reader) });
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await held).status).toBe("stored");
      const after = await readArrivalBoundary(reader);
      const [arrived] = await arrivals("held");

      expect(during.length).toBeGreaterThan(5);
      expect(Math.min(...during.map((d) => d.boundary))).toBeGreaterThanOrEqual(before);
      // While the insert was held, the boundary stood still for a second as the clock went on.
      const stood = during.some((a) =>
        during.some(
          (b) => b.atUs - a.atUs >= 1_000_000 && Math.abs(b.boundary - a.boundary) < 5_000,
        ),
      );
      expect(stood).toBe(true);
      // No read that began before the rows arrived was told it was past them.
      for (const d of during) {
        if (d.atUs < arrived! - 5_000) expect(d.boundary).toBeLessThanOrEqual(arrived!);
      }
      // In now: the boundary is past it.
      expect(after).toBeGreaterThan(arrived!);
    } finally {
      await writer.close();
    }
  });
});

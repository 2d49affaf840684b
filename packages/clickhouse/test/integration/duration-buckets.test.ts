import { SeededRandom } from "@runtrace/testkit/random";
import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bucketQuantiles,
  bucketRangeUs,
  type ClickHouse,
  DURATION_BUCKET_BOUNDS_US,
  durationBucket,
  durationBucketSql,
} from "../../src/index.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

/** The nearest-rank quantile of a list, written out. */
function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe("duration buckets", () => {
  it("every duration lies in its bucket's range, and buckets grow by at most 12 %", () => {
    const rng = SeededRandom.spread(11);
    const random = () => rng.next();
    const values = [0, 1, 15, 16, 17, 18, 19, 99, 100, 1e6, 2 ** 41, 2 ** 43];
    for (const b of DURATION_BUCKET_BOUNDS_US) values.push(b - 1, b, b + 1);
    for (let i = 0; i < 2000; i++) values.push(Math.floor(random() * 10 ** (random() * 12)));
    for (const us of values) {
      const { lower, upper } = bucketRangeUs(durationBucket(us));
      expect(us).toBeGreaterThanOrEqual(lower);
      expect(us).toBeLessThan(upper);
    }
    for (let i = 17; i < DURATION_BUCKET_BOUNDS_US.length; i++) {
      const ratio = DURATION_BUCKET_BOUNDS_US[i]! / DURATION_BUCKET_BOUNDS_US[i - 1]!;
      expect(ratio).toBeLessThanOrEqual(1.12);
    }
  });

  it("the SQL of the rollups' views gives the writer's bucket for every value", async () => {
    const rng = SeededRandom.spread(12);
    const random = () => rng.next();
    const values = [0, 1, 16, 17, 2 ** 42, 2 ** 44];
    for (const b of DURATION_BUCKET_BOUNDS_US) values.push(b - 1, b);
    for (let i = 0; i < 500; i++) values.push(Math.floor(random() * 10 ** (random() * 12)));
    const rows = await ch.select<{ value: string; bucket: number }>(
      `SELECT toString(us) AS value, ${durationBucketSql("us")} AS bucket
       FROM (SELECT arrayJoin({values:Array(Int64)}) AS us)`,
      { values },
    );
    expect(rows).toHaveLength(values.length);
    for (const r of rows)
      expect([r.value, r.bucket]).toEqual([r.value, durationBucket(Number(r.value))]);
  });

  it("quantiles land in the bucket of the true nearest-rank value, within 6 %", () => {
    const rng = SeededRandom.spread(13);
    const random = () => rng.next();
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(random() * 400);
      const values = Array.from({ length: n }, () =>
        Math.floor(random() * 10 ** (2 + random() * 7)),
      );
      const counts = new Map<number, number>();
      for (const us of values) {
        const b = durationBucket(us);
        counts.set(b, (counts.get(b) ?? 0) + 1);
      }
      for (const answer of bucketQuantiles(counts, [0.5, 0.95])) {
        const exactMs = nearestRank(values, answer.q) / 1000;
        expect(exactMs).toBeGreaterThanOrEqual(answer.fromMs);
        if (answer.toMs !== null) expect(exactMs).toBeLessThan(answer.toMs);
        if (exactMs > 0.1)
          expect(Math.abs(answer.ms - exactMs) / exactMs).toBeLessThanOrEqual(0.06);
      }
    }
    expect(bucketQuantiles(new Map(), [0.5])).toEqual([]);
  });
});

import { tempDataDir } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickHouse, createClickHouse } from "../../src/index.ts";

let pooled: ClickHouse;
beforeAll(async () => {
  pooled = await createClickHouse({ dataDir: tempDataDir(), url: undefined, readConnections: 4 });
});
afterAll(async () => {
  await pooled.close();
});

/** Which of two reads with parameters, started slow first, finished first. */
async function finishOrder(ch: ClickHouse): Promise<string[]> {
  const order: string[] = [];
  const slow = ch
    .select("SELECT sleep(1.5) AS s, {x:String} AS x", { x: "slow" })
    .then(() => order.push("slow"));
  const fast = ch.select("SELECT {y:String} AS y", { y: "fast" }).then(() => order.push("fast"));
  await Promise.all([slow, fast]);
  return order;
}

describe("reads on embedded ClickHouse", () => {
  it("a quick read with parameters does not wait behind a slow one", async () => {
    expect(await finishOrder(pooled)).toEqual(["fast", "slow"]);
  });

  it("with one read connection they take turns", async () => {
    // The same engine and directory: a second handle, its reads on one connection.
    const single = await createClickHouse({
      dataDir: pooled.location,
      url: undefined,
      readConnections: 1,
    });
    try {
      expect(await finishOrder(single)).toEqual(["slow", "fast"]);
    } finally {
      await single.close();
    }
  });
});

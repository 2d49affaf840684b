import { openMigrated } from "@runtrace/testkit-harness/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchingWriter, type ClickHouse } from "../../src/index.ts";
import { hexId, span } from "../span-builder.ts";

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openMigrated();
});
afterAll(async () => {
  await ch.close();
});

async function count(sql: string, params?: Record<string, unknown>): Promise<number> {
  const rows = await ch.select<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}

function runSpans(executionId: string, scopeId: string, tools = 2) {
  const traceId = hexId(16);
  const root = span({
    name: "executor.execution",
    traceId,
    attributes: {
      "executor.execution.id": executionId,
      "executor.scope.id": scopeId,
      "executor.execution.status": "completed",
      "executor.execution.tool_call_count": tools,
    },
  });
  const calls = Array.from({ length: tools }, (_, i) =>
    span({
      name: `execute_tool ns.tool${i}`,
      traceId,
      parentSpanId: root.spanId,
      attributes: {
        "gen_ai.operation.name": "execute_tool",
        "executor.tool.path": `ns.tool${i}`,
        "executor.execution.id": executionId,
        "executor.scope.id": scopeId,
      },
    }),
  );
  return [root, ...calls];
}

describe("BatchingWriter", () => {
  it("group-commits concurrent writes into one insert and settles each once stored", async () => {
    const writer = new BatchingWriter(ch, { flushIntervalMillis: 50 });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => writer.writeSpans(runSpans(`group-${i}`, "group", 1))),
    );
    for (const r of results)
      expect(r).toEqual({ status: "stored", stored: 2, rejected: 0, rejectReasons: {} });
    expect(writer.stats().batchesWritten).toBe(1);
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'group'")).toBe(5);
    expect(await count("SELECT count() AS n FROM tool_calls WHERE scope_id = 'group'")).toBe(5);
    await writer.close();
  });

  it("flushes by size without waiting for the timer", async () => {
    const writer = new BatchingWriter(ch, { maxBatchRows: 4, flushIntervalMillis: 60_000 });
    const started = Date.now();
    const result = await writer.writeSpans(runSpans("by-size", "size", 3));
    expect(result.status).toBe("stored");
    expect(Date.now() - started).toBeLessThan(30_000);
    await writer.close();
  });

  it("stores a batch retried through an outage exactly once", async () => {
    const errors: unknown[] = [];
    const writer = new BatchingWriter(ch, {
      flushIntervalMillis: 5,
      maxAttempts: 30,
      initialBackoffMillis: 20,
      maxBackoffMillis: 100,
      onError: (e) => errors.push(e),
    });
    // otel_traces and executions are inserted before tool_calls: the first attempts store them
    // and then fail, so the retries must not store them again.
    await ch.command("DETACH TABLE tool_calls");
    const pending = writer.writeSpans(runSpans("outage-1", "outage", 2));
    await new Promise((r) => setTimeout(r, 300));
    await ch.command("ATTACH TABLE tool_calls");
    const result = await pending;
    expect(result.status).toBe("stored");
    expect(errors.length).toBeGreaterThan(0);
    expect(writer.stats().retries).toBeGreaterThan(0);
    expect(
      await count(
        "SELECT count() AS n FROM otel_traces WHERE SpanAttributes['executor.scope.id'] = 'outage'",
      ),
    ).toBe(3);
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'outage'")).toBe(1);
    expect(await count("SELECT count() AS n FROM tool_calls WHERE scope_id = 'outage'")).toBe(2);
    await writer.close();
  });

  it("commits a write whose interval ran out during a long commit as soon as that commit ends", async () => {
    const writer = new BatchingWriter(ch, {
      maxBatchRows: 4,
      flushIntervalMillis: 2_000,
      maxAttempts: 60,
      initialBackoffMillis: 50,
      maxBackoffMillis: 100,
    });
    await ch.command("DETACH TABLE tool_calls");
    const stored = (write: Promise<unknown>) => write.then(() => performance.now());
    // 8 rows: committed at once, and retried while tool_calls is away.
    const first = stored(writer.writeSpans(runSpans("interval-1", "interval", 3)));
    // 2 rows: waits for its interval, which runs out while the first commit is retried.
    const second = stored(writer.writeSpans(runSpans("interval-2", "interval", 0)));
    await new Promise((r) => setTimeout(r, 2_500));
    await ch.command("ATTACH TABLE tool_calls");
    const [firstAt, secondAt] = await Promise.all([first, second]);
    // Not another whole interval after the first commit (2 s): right after it.
    expect(secondAt - firstAt).toBeLessThan(1_500);
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'interval'")).toBe(2);
    await writer.close();
  });

  it("answers retryable after its attempts run out, and stores nothing twice later", async () => {
    const writer = new BatchingWriter(ch, {
      flushIntervalMillis: 5,
      maxAttempts: 2,
      initialBackoffMillis: 5,
    });
    await ch.command("DETACH TABLE executions");
    const spans = runSpans("down-1", "down", 0);
    const result = await writer.writeSpans(spans);
    await ch.command("ATTACH TABLE executions");
    expect(result).toMatchObject({ status: "retryable", reason: "unavailable" });
    // The client retries the same spans: one run, one span.
    expect((await writer.writeSpans(spans)).status).toBe("stored");
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'down'")).toBe(1);
    expect(
      await count(
        "SELECT count() AS n FROM otel_traces WHERE SpanAttributes['executor.scope.id'] = 'down'",
      ),
    ).toBe(1);
    await writer.close();
  });

  it("answers retryable at once when its queue is full, and flush() writes what it accepted", async () => {
    const writer = new BatchingWriter(ch, {
      maxBatchRows: 100,
      maxQueueRows: 100,
      flushIntervalMillis: 60_000,
    });
    const first = writer.writeSpans(runSpans("queue-1", "queue", 29)); // 30 spans → 60 rows
    const second = await writer.writeSpans(runSpans("queue-2", "queue", 29));
    expect(second).toMatchObject({ status: "retryable", reason: "saturated" });

    await writer.flush();
    expect((await first).status).toBe("stored");
    expect(await count("SELECT count() AS n FROM tool_calls WHERE scope_id = 'queue'")).toBe(29);
    await writer.close();
  });

  it("takes a write larger than the rows bound when nothing else waits (it could never fit otherwise)", async () => {
    const writer = new BatchingWriter(ch, {
      maxBatchRows: 100,
      maxQueueRows: 100,
      flushIntervalMillis: 60_000,
    });
    const large = await writer.writeSpans(runSpans("large-1", "large-rows", 99)); // 200 rows
    expect(large).toEqual({ status: "stored", stored: 100, rejected: 0, rejectReasons: {} });
    expect(await count("SELECT count() AS n FROM tool_calls WHERE scope_id = 'large-rows'")).toBe(
      99,
    );
    await writer.close();
  });

  it("says it is saturated while a full queue waits behind a commit", async () => {
    const writer = new BatchingWriter(ch, {
      maxBatchRows: 100,
      maxQueueRows: 100,
      flushIntervalMillis: 60_000,
    });
    const committing = writer.writeSpans(runSpans("sat-1", "saturated", 49)); // 100 rows: committed now
    expect(writer.saturated).toBe(false);
    const waiting = writer.writeSpans(runSpans("sat-2", "saturated", 49)); // 100 more wait for it
    expect(writer.saturated).toBe(true);
    expect((await committing).status).toBe("stored");
    expect((await waiting).status).toBe("stored");
    expect(writer.saturated).toBe(false);
    await writer.close();
  });

  it("bounds what waits and what is being written in bytes as well as rows", async () => {
    const writer = new BatchingWriter(ch, {
      maxQueueBytes: 1_000,
      flushIntervalMillis: 60_000,
    });
    // Far below the rows bound: only the bytes the caller reports fill the queue.
    const first = writer.writeSpans(runSpans("bytes-1", "bytes", 1), { bytes: 600 });
    expect(writer.stats().queueBytes).toBe(600);
    // Another write like it would not fit.
    expect(writer.saturated).toBe(true);
    expect(writer.fits(600)).toBe(false);
    const refused = await writer.writeSpans(runSpans("bytes-2", "bytes", 1), { bytes: 600 });
    expect(refused).toMatchObject({ status: "retryable", reason: "saturated" });
    expect((refused as { message: string }).message).toContain("600 bytes");
    const second = writer.writeSpans(runSpans("bytes-3", "bytes", 1), { bytes: 400 });
    expect(writer.saturated).toBe(true);
    await writer.flush();
    expect((await first).status).toBe("stored");
    expect((await second).status).toBe("stored");
    expect(writer.stats().queueBytes).toBe(0);
    expect(writer.saturated).toBe(false);
    // A write larger than the bound is taken when nothing else waits, or it could never be.
    const large = writer.writeSpans(runSpans("bytes-4", "bytes", 1), { bytes: 5_000 });
    expect(writer.saturated).toBe(true);
    await writer.flush();
    expect((await large).status).toBe("stored");
    const ids = await ch.select<{ id: string }>(
      "SELECT execution_id AS id FROM executions WHERE scope_id = 'bytes' ORDER BY id",
    );
    expect(ids.map((r) => r.id)).toEqual(["bytes-1", "bytes-3", "bytes-4"]);
    await writer.close();
  });

  it("tells, before a request is decoded, whether a write like the recent ones would fit", async () => {
    const writer = new BatchingWriter(ch, {
      maxBatchRows: 100,
      maxQueueRows: 100,
      maxQueueBytes: 10_000,
      flushIntervalMillis: 60_000,
    });
    // Nothing waits: room for anything, however large.
    expect(writer.fits(1e9)).toBe(true);
    const writes = [writer.writeSpans(runSpans("fits-1", "fits", 14), { bytes: 1_000 })]; // 30 rows
    expect(writer.fits(1_000)).toBe(true); // 30 + 30 rows, 2 000 bytes
    writes.push(writer.writeSpans(runSpans("fits-2", "fits", 14), { bytes: 1_000 }));
    expect(writer.fits(1_000)).toBe(true); // 60 + 30 rows
    expect(writer.saturated).toBe(false);
    writes.push(writer.writeSpans(runSpans("fits-3", "fits", 14), { bytes: 1_000 }));
    // 90 + 30 rows > 100: a request like these is refused before it is read, or decoded.
    expect(writer.fits(1_000)).toBe(false);
    expect(writer.saturated).toBe(true);
    await writer.flush();
    for (const w of writes) expect((await w).status).toBe("stored");
    expect(writer.saturated).toBe(false);
    await writer.close();
  });

  it("counts a request's own size against the byte bound before it is decoded", async () => {
    const writer = new BatchingWriter(ch, { maxQueueBytes: 10_000, flushIntervalMillis: 60_000 });
    const first = writer.writeSpans(runSpans("declared-1", "declared", 1), { bytes: 1_000 });
    // 1 000 waiting: 9 000 more fit, 9 001 do not.
    expect(writer.fits(9_000)).toBe(true);
    expect(writer.fits(9_001)).toBe(false);
    await writer.flush();
    expect((await first).status).toBe("stored");
    await writer.close();
  });

  it("counts a write's text against the byte bound when its caller gives no size", async () => {
    const writer = new BatchingWriter(ch, { maxQueueBytes: 1_000, flushIntervalMillis: 60_000 });
    const code = "x".repeat(2_000);
    const root = span({
      name: "executor.execution",
      attributes: {
        "executor.execution.id": "estimate-1",
        "executor.scope.id": "estimate",
        "executor.execution.status": "completed",
        "executor.execution.code": code,
      },
    });
    const pending = writer.writeSpans([root]);
    expect(writer.stats().queueBytes).toBeGreaterThan(code.length);
    expect(writer.saturated).toBe(true);
    await writer.flush();
    expect((await pending).status).toBe("stored");
    expect(writer.stats().queueBytes).toBe(0);
    await writer.close();
  });

  it("rejects spans past retention or with invalid ids, and keeps the good ones of the same write", async () => {
    const writer = new BatchingWriter(ch, { flushIntervalMillis: 5 });
    const old = span({
      name: "executor.execution",
      startMs: Date.now() - 40 * 86_400_000,
      attributes: {
        "executor.execution.id": "old-1",
        "executor.scope.id": "reject",
        "executor.execution.status": "completed",
      },
    });
    const badTrace = { ...span({ name: "x" }), traceId: "0".repeat(32) };
    const badSpan = { ...span({ name: "x" }), spanId: "xyz" };
    const good = span({
      name: "executor.execution",
      attributes: {
        "executor.execution.id": "good-1",
        "executor.scope.id": "reject",
        "executor.execution.status": "completed",
      },
    });
    const result = await writer.writeSpans([old, badTrace, badSpan, good]);
    expect(result).toEqual({
      status: "stored",
      stored: 1,
      rejected: 3,
      rejectReasons: { past_retention: 1, invalid_trace_id: 1, invalid_span_id: 1 },
    });
    const ids = await ch.select<{ execution_id: string }>(
      "SELECT execution_id FROM executions WHERE scope_id = 'reject'",
    );
    expect(ids).toEqual([{ execution_id: "good-1" }]);
    await writer.close();
  });

  it("stores a span delivered twice once, also after a restart forgot its window", async () => {
    const spans = runSpans("twice-1", "twice", 2);
    const writer = new BatchingWriter(ch, { flushIntervalMillis: 5 });
    await writer.writeSpans(spans);
    await writer.writeSpans(spans);
    await writer.close();
    expect(
      await count(
        "SELECT count() AS n FROM otel_traces WHERE SpanAttributes['executor.scope.id'] = 'twice'",
      ),
    ).toBe(3);
    const restarted = new BatchingWriter(ch, { flushIntervalMillis: 5 });
    await restarted.writeSpans(spans);
    await restarted.close();
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'twice'")).toBe(1);
    expect(await count("SELECT count() AS n FROM tool_calls WHERE scope_id = 'twice'")).toBe(2);
    // Beyond the window the span table converges when its parts merge.
    await ch.command("OPTIMIZE TABLE otel_traces FINAL");
    expect(
      await count(
        "SELECT count() AS n FROM otel_traces WHERE SpanAttributes['executor.scope.id'] = 'twice'",
      ),
    ).toBe(3);
  });

  it("fails only the write whose rows ClickHouse refuses, and keeps the rest of the batch", async () => {
    // TabSeparated text can hold a value the engine refuses (a time before the epoch); a Native
    // block (the default for spans) has no text to refuse, so the spans go as text here.
    const writer = new BatchingWriter(ch, { flushIntervalMillis: 20, spanFormat: "tsv" });
    const bad = span({
      name: "poison",
      attributes: { "executor.scope.id": "poison" },
      events: [{ timeNs: -5n, name: "before-epoch", attributes: { values: {}, types: {} } }],
    });
    const [good, refused] = await Promise.all([
      writer.writeSpans(runSpans("poison-good", "poison", 1)),
      writer.writeSpans([bad]),
    ]);
    expect(good.status).toBe("stored");
    expect(refused).toMatchObject({
      status: "failed",
      message: expect.stringContaining("ClickHouse refused the rows"),
    });
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'poison'")).toBe(1);
    expect(await count("SELECT count() AS n FROM otel_traces WHERE SpanName = 'poison'")).toBe(0);
    await writer.close();
  });

  it("fails writes after close, once everything accepted was written", async () => {
    const writer = new BatchingWriter(ch, { flushIntervalMillis: 60_000 });
    const accepted = writer.writeSpans(runSpans("close-1", "close", 1));
    await writer.close();
    expect((await accepted).status).toBe("stored");
    expect(await writer.writeSpans(runSpans("close-2", "close", 1))).toEqual({
      status: "failed",
      message: "the writer is closed",
    });
    expect(await count("SELECT count() AS n FROM executions WHERE scope_id = 'close'")).toBe(1);
  });
});

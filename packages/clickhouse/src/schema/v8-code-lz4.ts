import type { Migration } from "./migration.ts";

/**
 * Schema version 8: a run's code compressed with LZ4 instead of ZSTD(3).
 *
 * Why: a code search reads every stored code of the range it counts, and at 10M runs that read
 * is most of its time. Measured on the benchmark's codes (1.6M of them, 2.5 GiB): ZSTD(3) 145
 * MiB read in 720 ms, LZ4 280 MiB in 510 ms (the engine decompresses LZ4 faster). The cost is
 * disk: about twice the bytes for this one column. Metadata only: parts written before keep
 * ZSTD until a merge rewrites them or retention drops them; `ALTER TABLE executions REWRITE
 * PARTS` rewrites them at once.
 */
export const v8CodeLz4: Migration = {
  version: 8,
  name: "run code compressed with LZ4",
  statements: () =>
    ["executions", "execution_states"].map(
      (table) => `ALTER TABLE ${table} MODIFY COLUMN code String CODEC(LZ4)`,
    ),
};

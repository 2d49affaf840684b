import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Each test file runs in its own forked process: embedded ClickHouse allows one data directory
// per process, so every file that touches ClickHouse gets a directory of its own.
// Inside this repository the workspaces' packages resolve to their TypeScript sources (the
// `runtrace-source` export condition), never to the compiled dist/ that semconv and the SDK ship.
// Vitest's own default drops "module" (dependencies' ESM builds that Node cannot load as they
// are); it also passes these conditions to the test processes' Node.
const conditions = [
  "runtrace-source",
  ...defaultServerConditions.filter((condition) => condition !== "module"),
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "cli/test/**/*.test.ts",
      "collector/src/**/*.test.ts",
      "collector/test/**/*.test.ts",
      "query-api/src/**/*.test.ts",
      "query-api/test/**/*.test.ts",
      // The /runs page: its pure view logic, and the browser tests (Chromium via playwright-core).
      "query-api/ui/src/**/*.test.ts",
      "query-api/ui/test/**/*.test.ts",
      "examples/src/**/*.test.ts",
      // Checks of the deployment files (docker-compose.yml, Dockerfile, grafana/) against the code.
      "testkit/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more than two ClickHouse engines at once only adds contention.
    maxWorkers: 2,
  },
});

import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Server modules run here in plain Node: `server-only` loads its empty module, as in Next's
      // server layers (scripts/server-only.mjs does the same for tsx and node processes).
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "components/**/*.test.ts", "tests/**/*.test.ts", "sdk/**/*.test.ts"],
    exclude: ["node_modules", ".next", "e2e", "sdk/dist"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: two files at a time; each integration file has its own database.
    maxWorkers: 2,
    reporters: ["default", "./tests/helpers/plain-summary-reporter.ts"],
    env: { RUNLENS_DATA_DIR: ".data/test-unused", RUNLENS_AUTH_LOG_LEVEL: "error" },
  },
});

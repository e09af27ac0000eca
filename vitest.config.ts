import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
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

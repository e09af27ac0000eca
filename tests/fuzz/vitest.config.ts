import path from "node:path";
import { defineConfig } from "vitest/config";

/** `npm run fuzz`: the fuzz suite (tests/fuzz), apart from `npm test`. */
export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname, "../.."),
      // Server modules run here in plain Node: `server-only` loads its empty module, as in Next's
      // server layers (scripts/server-only.mjs does the same for tsx and node processes).
      "server-only": path.resolve(import.meta.dirname, "../../node_modules/server-only/empty.js"),
    },
  },
  test: {
    root: path.resolve(import.meta.dirname, "../.."),
    include: ["tests/fuzz/**/*.fuzz.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    reporters: ["default", "./tests/helpers/plain-summary-reporter.ts"],
    // No Redis: every accepted write happens in its request, so row counts after a refusal are exact.
    env: { RUNLENS_DATA_DIR: ".data/test-unused", RUNLENS_AUTH_LOG_LEVEL: "error", REDIS_URL: "" },
  },
});

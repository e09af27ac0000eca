import { defineConfig, devices } from "@playwright/test";
import { BASE_URL, OWNER_STATE, PORT, SERVER_ENV, serverArgs } from "./e2e/support/env.ts";

// Runs against the existing production build: `npm run build` first, then `npm run e2e`.
export default defineConfig({
  testDir: "e2e",
  // One server and one database for the whole run: specs build on each other's state.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // Every assertion waits for a condition; these are only how long, generous for a shared 2-core
  // machine where a build or another suite may run beside this one (no assertion measures speed).
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    ...devices["Desktop Chrome"],
    baseURL: BASE_URL,
    permissions: ["clipboard-read", "clipboard-write"],
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    // Creates the owner on the empty database, so it must run before everything else.
    { name: "first-run", testMatch: "auth/first-run.spec.ts" },
    {
      name: "portal",
      testIgnore: "auth/first-run.spec.ts",
      dependencies: ["first-run"],
      use: { storageState: OWNER_STATE },
    },
  ],
  webServer: {
    command: `node ${serverArgs(PORT).join(" ")}`,
    url: `${BASE_URL}/api/health`,
    env: SERVER_ENV,
    reuseExistingServer: false,
    timeout: 60_000,
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  },
});

import path from "node:path";
import { serverNodeFlags } from "../../scripts/ensure-build.mjs";

/** The repository root: the servers run from here and resolve RUNLENS_DATA_DIR against it. */
export const ROOT = path.resolve(import.meta.dirname, "../..");

/** The portal under test; RUNLENS_E2E_PORT lets two runs share a machine. */
export const PORT = Number(process.env.RUNLENS_E2E_PORT) || 3200;
export const BASE_URL = `http://127.0.0.1:${PORT}`;

// playwright.config.ts is evaluated by the runner and again by every worker. The first evaluation
// (the runner's) picks this run's directory; workers inherit it through the environment.
process.env.RUNLENS_E2E_DATA_DIR ??= `.data/e2e-${Date.now().toString(36)}-${process.pid}`;

/** This run's embedded data directory, relative to ROOT: every run starts from an empty database. */
export const DATA_DIR = process.env.RUNLENS_E2E_DATA_DIR;

/**
 * The environment of the portal under test. Empty values count as unset (lib/config.ts), so a
 * shell that exports DATABASE_URL, REDIS_URL or RUNLENS_INIT_* cannot pull the run off embedded
 * mode or skip first-run setup. RUNLENS_AUTH_RATE_LIMIT keeps its default (on).
 */
export const SERVER_ENV = {
  NEXT_TELEMETRY_DISABLED: "1",
  RUNLENS_DATA_DIR: DATA_DIR,
  DATABASE_URL: "",
  REDIS_URL: "",
  RUNLENS_URL: "",
  RUNLENS_INIT_EMAIL: "",
  RUNLENS_INIT_PASSWORD: "",
};

/** The command that serves the production build (see `npm run build`). */
export function serverArgs(port: number): string[] {
  return [...serverNodeFlags, "node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)];
}

/** Signed-in owner, saved by auth/first-run.spec.ts for the other specs. */
export const OWNER_STATE = path.join(ROOT, DATA_DIR, "owner-storage-state.json");

export const OWNER = {
  name: "Olivia Owner",
  email: "owner@runlens.test",
  password: "correct horse battery",
  workspace: "Acme Agents",
};

export const VIEWER = {
  name: "Victor Viewer",
  email: "viewer@runlens.test",
  password: "viewer password 1",
};

/** A storage state with no cookies: for contexts that must not inherit the owner's session. */
export const ANONYMOUS = { cookies: [], origins: [] };

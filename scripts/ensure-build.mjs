// Builds the portal when .next is missing or older than the sources (used by npm start and by
// tests that start a real server process).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildWorker, compiledWorker } from "./build-worker.mjs";

export const root = path.resolve(import.meta.dirname, "..");
export const nextBin = path.join(root, "node_modules/next/dist/bin/next");

/**
 * Node flags of the portal's server process (npm start, the benchmarks, the server tests, the
 * browser tests). Semi-spaces of 32 MB instead of V8's 16: each ingest request parses about half a
 * megabyte of JSON and holds the objects across awaits, so with the default young generation much
 * of it is copied by scavenges and promoted, and garbage collection took ~15% of the server's CPU.
 * Measured in docs/performance.md (Ingest, fourth session).
 */
export const serverNodeFlags = ["--max-semi-space-size=32"];
const SOURCES = [
  "app",
  "components",
  "lib",
  "public",
  "instrumentation.ts",
  "next.config.mjs",
  "package.json",
  "prisma/schema.prisma",
  "postcss.config.mjs",
];

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "generated" || e.name.startsWith(".") || e.name.endsWith(".test.ts"))
      continue;
    max = Math.max(max, newestMtime(path.join(p, e.name)));
  }
  return max;
}

export function buildIsStale() {
  const buildId = path.join(root, ".next/BUILD_ID");
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  return builtAt < Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
}

const LOCK = path.join(root, ".next-build.lock");
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
};

/**
 * One build at a time across processes (test files start servers in parallel): the first caller
 * takes the lock directory and builds, the others wait for it and then find the build fresh. A lock
 * left by a dead process is taken over.
 */
function withBuildLock(fn) {
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let holder = Number.NaN;
      try {
        holder = Number(fs.readFileSync(path.join(LOCK, "pid"), "utf8"));
      } catch {
        // being created or removed right now
      }
      if (Number.isInteger(holder) && !alive(holder)) fs.rmSync(LOCK, { recursive: true, force: true });
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * The compiled ingest worker (scripts/build-worker.mjs) is missing (`next build` empties .next) or
 * older than its sources.
 */
function workerMissing() {
  const builtAt = fs.existsSync(compiledWorker) ? fs.statSync(compiledWorker).mtimeMs : 0;
  return (
    builtAt < Math.max(...["lib", "scripts/worker.ts", "package.json"].map((s) => newestMtime(path.join(root, s))))
  );
}

/** Returns false when the build failed. */
export function ensureBuild(log = console.log) {
  if (!buildIsStale() && !workerMissing()) return true;
  return withBuildLock(() => {
    if (!buildIsStale()) {
      // built by the process we waited for, or by a bare `next build`
      if (workerMissing()) buildWorker();
      return true;
    }
    log(
      fs.existsSync(path.join(root, ".next/BUILD_ID"))
        ? "Sources changed since the last build: rebuilding…"
        : "No build yet: building the portal (about a minute)…",
    );
    const r = spawnSync(process.execPath, [nextBin, "build"], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: "inherit",
    });
    if (r.status !== 0) return false;
    buildWorker();
    return true;
  });
}

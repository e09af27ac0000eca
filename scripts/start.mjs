// `npm start`: builds when the build is missing or older than the sources, then serves the portal
// on http://127.0.0.1:${PORT:-3000} (HOST overrides the address). SIGTERM, SIGINT and SIGHUP go to
// the server so it can stop its worker and close the database cleanly (releasing the embedded
// data directory's lock); the whole tree is gone within STOP_DEADLINE_MS.
import { spawn } from "node:child_process";
import { ensureBuild, nextBin, root, serverNodeFlags } from "./ensure-build.mjs";

/** The server gets this long to stop after a signal (its worker child gets 8 s), then it is killed. */
const STOP_DEADLINE_MS = 9_500;

if (!ensureBuild()) process.exit(1);
const port = process.env.PORT || "3000";
const host = process.env.HOST || "127.0.0.1";
// The larger young generation of serverNodeFlags pays for Postgres mode's ingest rate; the embedded
// server (no DATABASE_URL) is the small installation and keeps V8's default, up to 32 MB less
// resident memory (docs/performance.md › Real traffic › Memory).
const nodeFlags = process.env.DATABASE_URL ? serverNodeFlags : [];
const child = spawn(process.execPath, [...nodeFlags, nextBin, "start", "-H", host, "-p", port], {
  cwd: root,
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  stdio: "inherit",
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  child.kill(signal);
  setTimeout(() => {
    console.error(`[runlens] the server did not stop within ${STOP_DEADLINE_MS / 1000} s of ${signal}: killing it`);
    child.kill("SIGKILL");
  }, STOP_DEADLINE_MS).unref();
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => stop(sig));

// `npm start` runs this script under `sh -c`, and a SIGTERM to npm ends that shell without passing
// the signal on: this process is then re-parented. Its parent gone means "stop", however it went.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop("SIGTERM");
}, 250).unref();

child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 143)));

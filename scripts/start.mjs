// `npm start`: builds when the build is missing or older than the sources, then serves the portal
// on http://127.0.0.1:${PORT:-3000} (HOST overrides the address). Signals go to the server so it
// can close the database cleanly.
import { spawn } from "node:child_process";
import { ensureBuild, nextBin, root, serverNodeFlags } from "./ensure-build.mjs";

if (!ensureBuild()) process.exit(1);
const port = process.env.PORT || "3000";
const host = process.env.HOST || "127.0.0.1";
const child = spawn(process.execPath, [...serverNodeFlags, nextBin, "start", "-H", host, "-p", port], {
  cwd: root,
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGTERM" ? 143 : 130)));

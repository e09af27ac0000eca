// Compiles the ingest worker (scripts/worker.ts, what `npm start` runs beside the web server in
// Postgres mode) into plain JavaScript under .next/runlens-worker/, so the worker process runs it
// with `node` instead of compiling TypeScript at run time through tsx: no esbuild service process,
// no module-hooks thread, no transformed sources held in memory (docs/performance.md › Real traffic
// › Memory). Our sources are bundled; packages stay in node_modules (`packages: "external"`), as
// they are when tsx runs the sources. `server-only` resolves to an empty module, as the server-only
// hook (scripts/server-only.mjs) makes it do. The Output trace-file worker thread gets its own
// entry, found beside the bundle (lib/ingest/sources/output/receive.ts).
//
// `next build` empties .next, so ensureBuild (scripts/ensure-build.mjs) compiles the worker after
// each build and whenever it is missing; lib/server/worker-process.ts runs the sources through tsx
// when there is no compiled worker. `node scripts/build-worker.mjs` compiles it by hand.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const workerOutDir = path.join(root, ".next/runlens-worker");
export const compiledWorker = path.join(workerOutDir, "worker.mjs");

export function buildWorker() {
  fs.rmSync(workerOutDir, { recursive: true, force: true });
  const empty = path.join(workerOutDir, "server-only.mjs");
  fs.mkdirSync(workerOutDir, { recursive: true });
  fs.writeFileSync(empty, "export {};\n");
  buildSync({
    absWorkingDir: root,
    entryPoints: {
      worker: "scripts/worker.ts",
      "import-worker": "lib/ingest/sources/output/import-worker.ts",
    },
    outdir: workerOutDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    alias: { "server-only": empty },
    tsconfig: path.join(root, "tsconfig.json"),
    logLevel: "warning",
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWorker();
  console.log(`compiled the ingest worker to ${path.relative(root, compiledWorker)}`);
}

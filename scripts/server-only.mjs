// Preload for Runlens's server processes outside Next (the worker, the admin CLI, the benches, and
// the child processes tests start): `tsx --import ./scripts/server-only.mjs file.ts`, or
// `node --import tsx --import ./scripts/server-only.mjs file.ts`.
//
// Modules that reach the database, the queue or Redis start with `import "server-only"`, so Next
// refuses to bundle them into client code. The package throws unless it is resolved under the
// `react-server` condition, which Next applies to its server layers (routes, server components,
// instrumentation). This hook resolves that one specifier the same way in plain Node; every other
// import resolves as before (a global `--conditions=react-server` would also switch React and
// React DOM to their server-component builds).
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

// Loaded by --import on the main thread, this file registers itself; Node then loads it again in
// its module-hooks thread, where `resolve` below is the hook.
if (isMainThread) register(import.meta.url);

export function resolve(specifier, context, nextResolve) {
  if (specifier !== "server-only") return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, "react-server"] });
}

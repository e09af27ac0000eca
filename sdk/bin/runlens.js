#!/usr/bin/env node
// Launcher of the `runlens` CLI: the compiled CLI lives in dist/ (npm run sdk:build).
import("../dist/sdk/src/cli.js").catch((e) => {
  if (e?.code === "ERR_MODULE_NOT_FOUND") console.error("runlens: the SDK is not built yet; run `npm run sdk:build`.");
  else console.error(e);
  process.exit(1);
});

// Creates a new embedded database (PGlite's initdb) in the data directory given as the first
// argument, then exits. The web server runs this in a child process the first time it opens an
// empty data directory (lib/db/client.ts): initdb runs in a second WebAssembly instance whose few
// hundred megabytes would otherwise stay in the server until a full garbage collection, and in
// its allocator's arenas for good; in a child process they go back to the system when it exits.
// The second argument is a JSON array of PGlite start parameters.
import { PGlite } from "@electric-sql/pglite";

const [dataDir, params] = process.argv.slice(2);
if (!dataDir) {
  console.error("usage: node scripts/pglite-init.mjs DATA_DIR [START_PARAMS_JSON]");
  process.exit(2);
}
const pg = new PGlite({ dataDir, ...(params ? { startParams: JSON.parse(params) } : {}) });
await pg.waitReady;
await pg.close();

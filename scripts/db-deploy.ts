// `npm run db:deploy`: applies prisma/migrations to DATABASE_URL (or to the embedded database,
// which the server also migrates by itself at start).
import { readConfig } from "../lib/config.ts";
import { migratePostgres, openDatabase } from "../lib/db/client.ts";

const config = readConfig();
if (config.databaseUrl) {
  const applied = await migratePostgres(config.databaseUrl);
  console.log(
    applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.",
  );
} else {
  const db = await openDatabase({ kind: "embedded", dataDir: `${config.dataDir}/pglite` });
  await db.close();
  console.log(`Embedded database in ${config.dataDir}/pglite is up to date.`);
}

import "server-only";
import { readConfig } from "../config.ts";
import { logger } from "../log.ts";
import { type Db, openDatabase } from "./client.ts";

export type { Db } from "./client.ts";

import { processGlobal } from "../process-global.ts";
import type { Prisma, PrismaClient } from "./generated/client.ts";

/** The client or a transaction of it: what a function that may run inside a transaction takes. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

type Holder = { promise?: Promise<Db> };
// One database per process, kept on globalThis because Next bundles routes into separate chunks.
const holder = processGlobal<Holder>("__runlensDb", () => ({}));

/** The process-wide database, opened on first use from the environment (see lib/config.ts). */
export function getDb(): Promise<Db> {
  holder.promise ??= openFromEnv().catch((e) => {
    holder.promise = undefined; // never cache a failed open
    throw e;
  });
  return holder.promise;
}

/** Installs an already-open database as the process-wide one (tests and scripts). */
export function installDb(db: Db): void {
  holder.promise = Promise.resolve(db);
}

export async function closeDb(): Promise<void> {
  const p = holder.promise;
  holder.promise = undefined;
  if (p) await (await p).close();
}

function openFromEnv(): Promise<Db> {
  const config = readConfig();
  if (config.databaseUrl) return openDatabase({ kind: "postgres", url: config.databaseUrl, read: config.databaseRead });
  if (config.databaseRead.urls.length > 0)
    logger("db").warn(
      "DATABASE_READ_URL is ignored: replicas need DATABASE_URL (this process runs the embedded database)",
    );
  return openDatabase({ kind: "embedded", dataDir: `${config.dataDir}/pglite` });
}

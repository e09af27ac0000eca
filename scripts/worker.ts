// `npm run worker`: an ingest worker process (needs REDIS_URL and DATABASE_URL). Run as many as
// the database can take; each writes batches from the shared BullMQ queue.
import { readConfig } from "../lib/config.ts";
import { startDataMaintenance } from "../lib/data/maintenance.ts";
import { closeDb, getDb } from "../lib/db/index.ts";
import { startIngestWorker } from "../lib/ingest/pipeline.ts";
import { closeLiveBus } from "../lib/live/index.ts";
import { logger } from "../lib/log.ts";
import { closeQueues } from "../lib/queue/index.ts";
import { warnIfRedisNotDurable } from "../lib/server/redis-durability.ts";
import { startOutputSources } from "../lib/server/startup.ts";
import { unavailability } from "../lib/unavailable.ts";

const log = logger("worker");
const config = readConfig();
if (!config.redisUrl) {
  log.fatal("npm run worker needs REDIS_URL: without Redis, the web process writes batches itself.");
  process.exit(2);
}
if (!config.databaseUrl) {
  log.fatal("npm run worker needs DATABASE_URL: the embedded database can only be opened by the web process.");
  process.exit(2);
}
const db = await databaseWhenReachable();
// Under `npm start` the server has said it already.
if (!process.env.RUNLENS_SUPERVISOR_PID) await warnIfRedisNotDurable();
const worker = await startIngestWorker(config.workerConcurrency);
log.info(`ingest worker started (concurrency ${config.workerConcurrency})`);
const services: { close(): Promise<void> }[] = [];
await startOutputSources(db, (s) => services.push(s));
services.push(startDataMaintenance(db));

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: finishing running batches…`);
  await Promise.allSettled(services.map((s) => s.close()));
  await worker.close();
  await closeQueues();
  await closeLiveBus();
  await closeDb();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
// Started by `npm start` (lib/server/worker-process.ts): stop when the server is gone, even when it
// was killed outright (this process is then re-parented).
const supervisor = Number(process.env.RUNLENS_SUPERVISOR_PID);
if (supervisor) {
  setInterval(() => {
    if (process.ppid !== supervisor) void stop("server exited");
  }, 1000).unref();
}
process.on("SIGINT", () => void stop("SIGINT"));

/** A worker started while Postgres is down waits for it (the queue keeps the batches meanwhile). */
async function databaseWhenReachable() {
  for (let logged = false; ; logged = true) {
    try {
      return await getDb();
    } catch (e) {
      if (!unavailability(e)) throw e;
      if (!logged) log.warn(`waiting for the database: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

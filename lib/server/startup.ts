import "server-only";
import { readConfig } from "../config.ts";
import { closeDb, type Db, getDb } from "../db/index.ts";
import { startIngestWorker } from "../ingest/pipeline.ts";
import { closeLiveBus } from "../live/index.ts";
import { logger } from "../log.ts";
import { processGlobal } from "../process-global.ts";
import { closeQueues } from "../queue/index.ts";
import { closeRedis } from "../redis.ts";
import { bootstrapFromEnv } from "../workspaces/service.ts";
import { warnIfRedisNotDurable } from "./redis-durability.ts";

type Stoppable = { close(): Promise<void> };
type Holder = { started?: Promise<void>; stopping?: Promise<void>; services: Stoppable[] };
const holder = processGlobal<Holder>("__runlensServer", () => ({ services: [] }));
const log = logger("server");

/** Things to stop on shutdown, before the database closes (workers, pollers). */
export function registerService(s: Stoppable): void {
  holder.services.push(s);
}

/**
 * Runs once per server process (instrumentation.ts): opens and migrates the database (refusing a
 * locked embedded directory), applies the RUNLENS_INIT_* bootstrap and installs clean shutdown.
 */
export function startServer(): Promise<void> {
  holder.started ??= (async () => {
    const config = readConfig();
    const db = await getDb();
    log.info(`database: ${db.kind === "embedded" ? `embedded (${config.dataDir}/pglite)` : "postgres"}`);
    if (config.init) {
      const r = await bootstrapFromEnv(db, config.init);
      log.info(
        r === "created"
          ? `created owner ${config.init.email} and workspace "${config.init.workspace}"`
          : "RUNLENS_INIT_*: users exist, nothing to do",
      );
    }
    if (config.redisUrl) await warnIfRedisNotDurable();
    let outputSourcesInWorker = false;
    if (config.redisUrl && config.worker !== "off") {
      if (config.worker === "on" && db.kind === "postgres") {
        // Its own process: the web server's JavaScript thread and the worker's each get a core
        // (docs/performance.md). `npm run worker`'s script, supervised: restarted if it dies,
        // stopped with the server. It also follows Output's Redis and S3 when configured.
        const { startWorkerProcess } = await import("./worker-process.ts");
        registerService(startWorkerProcess());
        outputSourcesInWorker = true;
        log.info(
          `ingest worker running in a child process (concurrency ${config.workerConcurrency}); RUNLENS_WORKER=inprocess|off changes that`,
        );
      } else {
        registerService(await startIngestWorker(config.workerConcurrency));
        log.info(
          `ingest worker running in-process (concurrency ${config.workerConcurrency}); RUNLENS_WORKER=off disables it`,
        );
      }
    }
    if (!outputSourcesInWorker) {
      await startOutputSources(db);
      // Partitions made ahead (lib/data/maintenance.ts); the worker process does it when it runs.
      const { startDataMaintenance } = await import("../data/maintenance.ts");
      registerService(startDataMaintenance(db));
    }
    installShutdown();
  })();
  return holder.started;
}

/** Output's Redis (live runs) and S3 (finished runs), when configured: see docs/sources/output-live.md. */
export async function startOutputSources(db: Db, register: (s: Stoppable) => void = registerService): Promise<void> {
  const { output } = readConfig();
  if (output.redisUrl) {
    const { startOutputLive } = await import("../ingest/sources/output/live.ts");
    register(
      await startOutputLive({
        db,
        redisUrl: output.redisUrl,
        workspace: output.workspace,
        intervalMs: output.redisPollMs,
      }),
    );
    log.info(`following Output runs in Redis every ${output.redisPollMs} ms (read only)`);
  }
  if (output.s3) {
    const { startOutputS3Import } = await import("../ingest/sources/output/s3.ts");
    register(await startOutputS3Import({ db, s3: output.s3, workspace: output.workspace }));
    log.info(`importing Output traces from s3://${output.s3.bucket} every ${output.s3.pollMs} ms`);
  }
}

export function stopServer(): Promise<void> {
  holder.stopping ??= (async () => {
    const services = holder.services.splice(0);
    await Promise.allSettled(services.map((s) => s.close()));
    await Promise.allSettled([closeQueues(), closeLiveBus()]);
    await closeRedis().catch(() => undefined);
    await closeDb();
  })();
  return holder.stopping;
}

function installShutdown(): void {
  // Next closes its HTTP server on SIGTERM/SIGINT (letting in-flight requests finish) and then
  // calls process.exit. We hold that exit until workers stop and the database (PGlite flushes to
  // disk) is closed, so in-flight writes land and the data directory is unlocked.
  const realExit = process.exit.bind(process);
  const onSignal = () => {
    process.exit = ((code?: number) => {
      void stopServer()
        .catch((e) => log.error({ err: e }, "shutdown error"))
        .finally(() => realExit(code));
    }) as typeof process.exit;
    if (process.env.NEXT_MANUAL_SIG_HANDLE) process.exit(0);
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

/** For instrumentation.ts: a server that cannot open its database stops with the reason. */
export async function startServerOrExit(): Promise<void> {
  try {
    await startServer();
  } catch (e) {
    log.fatal(`cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
}

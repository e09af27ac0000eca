import "server-only";
import { randomUUID } from "node:crypto";
import { DelayedError, type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { readConfig } from "../config.ts";
import { jobContext, type Logger, logger, withLogContext } from "../log.ts";
import { connectRedis, redisOptions } from "../redis.ts";
import { unavailability } from "../unavailable.ts";
import type { FailedJob, JobQueue, QueueOptions } from "./types.ts";

/** Job data field naming the Redis keys of offloaded fields. */
const PAYLOAD = "$payload";
/** Offloaded fields outlive their job's retries: a failed job can be retried for 30 days. */
const PAYLOAD_TTL_S = 30 * 86_400;
/** A job that met an unavailable database or Redis waits this long, without spending an attempt. */
const OUTAGE_DELAY_MS = 5_000;

/** BullMQ-backed queue: jobs are persisted in Redis before `enqueue` resolves. */
export class BullQueue<T> implements JobQueue<T> {
  private readonly queue: Queue;
  private readonly workers = new Set<Worker>();
  private readonly log: Logger;

  private constructor(
    readonly name: string,
    private readonly url: string,
    private readonly connection: Redis,
    opts: Required<QueueOptions>,
  ) {
    this.log = logger(`queue:${name}`);
    this.queue = new Queue(name, {
      connection,
      prefix: readConfig().queuePrefix,
      defaultJobOptions: {
        attempts: opts.attempts,
        backoff: { type: "exponential", delay: opts.backoffMs },
        removeOnComplete: true,
        removeOnFail: false,
      },
    });
    // Connection errors are re-emitted here; an "error" event without a listener would crash the process.
    this.queue.on("error", (e) => this.log.error(e.message));
  }

  static async open<T>(name: string, url: string, opts: QueueOptions = {}): Promise<BullQueue<T>> {
    const connection = await connectRedis(url, `queue:${name}`);
    return new BullQueue<T>(name, url, connection, { attempts: opts.attempts ?? 5, backoffMs: opts.backoffMs ?? 1000 });
  }

  async enqueue(data: T, opts: { offload?: string[] } = {}): Promise<string> {
    const record = data as Record<string, unknown>;
    const fields = (opts.offload ?? []).filter((f) => typeof record[f] === "string");
    if (fields.length === 0) return (await this.queue.add("job", data)).id!;
    // Stored first, so both are in Redis before this resolves.
    const keys: Record<string, string> = {};
    const multi = this.connection.multi();
    for (const f of fields) {
      keys[f] = `${readConfig().queuePrefix}:${this.name}:payload:${randomUUID()}`;
      multi.set(keys[f], record[f] as string, "EX", PAYLOAD_TTL_S);
    }
    for (const [err] of (await multi.exec()) ?? []) if (err) throw err;
    const rest: Record<string, unknown> = { ...record, [PAYLOAD]: keys };
    for (const f of fields) delete rest[f];
    try {
      return (await this.queue.add("job", rest)).id!;
    } catch (e) {
      // Not accepted: nothing may stay behind (the caller answers with an error and the client resends).
      await this.connection.del(...Object.values(keys)).catch(() => undefined);
      throw e;
    }
  }

  /** The job's data as enqueued: offloaded fields read back. */
  private async restore(data: Record<string, unknown>): Promise<T> {
    const keys = data[PAYLOAD] as Record<string, string> | undefined;
    if (!keys) return data as T;
    const fields = Object.keys(keys);
    const values = await this.connection.mget(...fields.map((f) => keys[f]));
    const out: Record<string, unknown> = { ...data };
    delete out[PAYLOAD];
    fields.forEach((f, i) => {
      if (values[i] === null)
        throw new Error(`The job's ${f} is gone from Redis (kept ${PAYLOAD_TTL_S / 86_400} days after enqueueing).`);
      out[f] = values[i];
    });
    return out as T;
  }

  startWorker(handler: (data: T) => Promise<void>, opts: { concurrency?: number } = {}) {
    const worker = new Worker(this.name, (job, token) => this.run(job, token, handler), {
      connection: { url: this.url, ...redisOptions("worker", `worker:${this.name}`) },
      prefix: readConfig().queuePrefix,
      concurrency: opts.concurrency ?? 1,
      // A job of a killed worker is picked up again within ~15 s (writes are idempotent).
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    });
    // Errors are recorded on the job (failed list); keep them from crashing the process.
    worker.on("error", (e) => this.log.error(`worker error: ${e.message}`));
    // Offloaded fields go with the job once it completed (a failed job keeps them for its retry).
    worker.on("completed", (job) => {
      const keys = job.data?.[PAYLOAD] as Record<string, string> | undefined;
      if (keys) void this.connection.del(...Object.values(keys)).catch(() => undefined);
    });
    this.workers.add(worker);
    return {
      close: async () => {
        this.workers.delete(worker);
        await worker.close();
      },
    };
  }

  private lastOutageLog = 0;

  /**
   * Runs a job. A job that fails because Postgres or Redis is unavailable is not the job's fault:
   * it waits OUTAGE_DELAY_MS and runs again without spending one of its attempts, so a backlog
   * outlives an outage of any length and drains when the service is back.
   */
  private async run(job: Job, token: string | undefined, handler: (data: T) => Promise<void>): Promise<void> {
    try {
      const data = await this.restore(job.data);
      await withLogContext(jobContext(this.name, job.id, data), () => handler(data));
    } catch (e) {
      const outage = unavailability(e);
      if (!outage || !token) throw e;
      if (Date.now() - this.lastOutageLog > 10_000) {
        this.lastOutageLog = Date.now();
        this.log.warn(`${outage.service} ${outage.reason}: jobs wait and retry (${(e as Error).message})`);
      }
      await job.moveToDelayed(Date.now() + OUTAGE_DELAY_MS, token);
      throw new DelayedError();
    }
  }

  /** Failed jobs with their data as stored (offloaded fields are not read back). */
  async failedJobs(limit = 100): Promise<FailedJob<T>[]> {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((j) => ({
      id: j.id!,
      data: j.data as T,
      error: j.failedReason ?? "unknown error",
      attempts: j.attemptsMade,
      failedAt: new Date(j.finishedOn ?? j.timestamp).toISOString(),
    }));
  }

  async retryFailed(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry("failed");
    return true;
  }

  async pendingCount(): Promise<number> {
    const c = await this.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async countPending(match: (data: T) => boolean, scanLimit: number): Promise<{ count: number; complete: boolean }> {
    const page = 500;
    let count = 0;
    let scanned = 0;
    // State by state: getJobs applies its range to each state's list. Jobs moving on meanwhile make
    // this a snapshot of no single instant, which is all a backlog figure needs.
    for (const state of ["active", "waiting", "prioritized", "delayed"] as const) {
      for (let start = 0; ; start += page) {
        const want = Math.min(page, scanLimit - scanned);
        if (want <= 0) return { count, complete: (await this.pendingCount()) <= scanned };
        const jobs = await this.queue.getJobs([state], start, start + want - 1, true);
        for (const job of jobs) if (job && match(job.data as T)) count++;
        scanned += jobs.length;
        if (jobs.length < want) break;
      }
    }
    return { count, complete: true };
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

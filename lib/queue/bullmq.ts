import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { readConfig } from "../config.ts";
import { connectRedis } from "../redis.ts";
import type { FailedJob, JobQueue, QueueOptions } from "./types.ts";

/** BullMQ-backed queue: jobs are persisted in Redis before `enqueue` resolves. */
export class BullQueue<T> implements JobQueue<T> {
  private readonly queue: Queue;
  private readonly workers = new Set<Worker>();

  private constructor(
    readonly name: string,
    private readonly url: string,
    private readonly connection: Redis,
    opts: Required<QueueOptions>,
  ) {
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
  }

  static async open<T>(name: string, url: string, opts: QueueOptions = {}): Promise<BullQueue<T>> {
    const connection = await connectRedis(url, `queue:${name}`);
    return new BullQueue<T>(name, url, connection, { attempts: opts.attempts ?? 5, backoffMs: opts.backoffMs ?? 1000 });
  }

  async enqueue(data: T): Promise<string> {
    const job = await this.queue.add("job", data);
    return job.id!;
  }

  startWorker(handler: (data: T) => Promise<void>, opts: { concurrency?: number } = {}) {
    const worker = new Worker(this.name, async (job) => handler(job.data as T), {
      connection: { url: this.url, maxRetriesPerRequest: null },
      prefix: readConfig().queuePrefix,
      concurrency: opts.concurrency ?? 1,
      // A job of a killed worker is picked up again within ~15 s (writes are idempotent).
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    });
    // Errors are recorded on the job (failed list); keep them from crashing the process.
    worker.on("error", (e) => console.error(`[queue:${this.name}] worker error: ${e.message}`));
    this.workers.add(worker);
    return {
      close: async () => {
        this.workers.delete(worker);
        await worker.close();
      },
    };
  }

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

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

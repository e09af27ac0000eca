import "server-only";
import { randomUUID } from "node:crypto";
import { jobContext, withLogContext } from "../log.ts";
import type { FailedJob, JobQueue, QueueOptions } from "./types.ts";

type Job<T> = { id: string; data: T; attempts: number };

/** In-process queue for embedded mode: same contract as BullMQ, nothing survives a restart. */
export class MemoryQueue<T> implements JobQueue<T> {
  private waiting: Job<T>[] = [];
  private failed = new Map<string, FailedJob<T>>();
  private handler: ((data: T) => Promise<void>) | null = null;
  private running = 0;
  private delayed = 0;
  /** Jobs running or waiting out a retry delay (for countPending). */
  private readonly inFlight = new Set<Job<T>>();
  private concurrency = 1;
  private timers = new Set<NodeJS.Timeout>();
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    readonly name: string,
    opts: QueueOptions = {},
  ) {
    this.attempts = opts.attempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 1000;
  }

  async enqueue(data: T, _opts?: { offload?: string[] }): Promise<string> {
    const job = { id: randomUUID(), data, attempts: 0 };
    this.waiting.push(job);
    this.pump();
    return job.id;
  }

  startWorker(handler: (data: T) => Promise<void>, opts: { concurrency?: number } = {}) {
    this.handler = handler;
    this.concurrency = opts.concurrency ?? 1;
    this.pump();
    return {
      close: async () => {
        this.handler = null;
        while (this.running > 0) await new Promise((r) => setTimeout(r, 10));
      },
    };
  }

  private pump(): void {
    while (this.handler && this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.run(job, this.handler);
    }
  }

  private async run(job: Job<T>, handler: (data: T) => Promise<void>): Promise<void> {
    job.attempts++;
    this.inFlight.add(job);
    try {
      await withLogContext(jobContext(this.name, job.id, job.data), () => handler(job.data));
      this.inFlight.delete(job);
    } catch (e) {
      if (job.attempts >= this.attempts) {
        this.inFlight.delete(job);
        this.failed.set(job.id, {
          id: job.id,
          data: job.data,
          error: (e as Error).message,
          attempts: job.attempts,
          failedAt: new Date().toISOString(),
        });
      } else {
        this.delayed++;
        const t = setTimeout(
          () => {
            this.timers.delete(t);
            this.delayed--;
            this.inFlight.delete(job);
            this.waiting.push(job);
            this.pump();
          },
          this.backoffMs * 2 ** (job.attempts - 1),
        );
        this.timers.add(t);
      }
    } finally {
      this.running--;
      this.pump();
    }
  }

  async failedJobs(limit = 100): Promise<FailedJob<T>[]> {
    return [...this.failed.values()].slice(-limit).reverse();
  }

  async retryFailed(id: string): Promise<boolean> {
    const f = this.failed.get(id);
    if (!f) return false;
    this.failed.delete(id);
    this.waiting.push({ id: f.id, data: f.data, attempts: 0 });
    this.pump();
    return true;
  }

  async pendingCount(): Promise<number> {
    return this.waiting.length + this.running + this.delayed;
  }

  async countPending(match: (data: T) => boolean, scanLimit: number): Promise<{ count: number; complete: boolean }> {
    const jobs = [...this.waiting, ...this.inFlight];
    const scanned = jobs.slice(0, scanLimit);
    return { count: scanned.filter((j) => match(j.data)).length, complete: scanned.length === jobs.length };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.handler = null;
  }
}

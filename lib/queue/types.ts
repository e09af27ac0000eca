import "server-only";

export type FailedJob<T> = { id: string; data: T; error: string; attempts: number; failedAt: string };

export type QueueOptions = {
  /** Attempts before a job lands in the failed list. */
  attempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
};

/**
 * A durable job queue: BullMQ on Redis in production, an in-process queue in embedded mode.
 * `enqueue` resolves once the job is accepted (with Redis: persisted in Redis).
 */
export interface JobQueue<T> {
  readonly name: string;
  /**
   * `offload`: top-level string fields stored beside the job instead of inside it (BullMQ
   * JSON-encodes job data, which for a large pre-serialized string means escaping every quote on
   * the way in and unescaping on the way out). Handlers see the data as it was enqueued.
   */
  enqueue(data: T, opts?: { offload?: string[] }): Promise<string>;
  startWorker(handler: (data: T) => Promise<void>, opts?: { concurrency?: number }): { close(): Promise<void> };
  failedJobs(limit?: number): Promise<FailedJob<T>[]>;
  retryFailed(id: string): Promise<boolean>;
  /** Jobs waiting, running or delayed for a retry. */
  pendingCount(): Promise<number>;
  /**
   * Of the pending jobs, those `match` accepts (one workspace's), reading at most `scanLimit` jobs:
   * `complete` is false when more were pending, and `count` then a lower bound.
   */
  countPending(match: (data: T) => boolean, scanLimit: number): Promise<{ count: number; complete: boolean }>;
  close(): Promise<void>;
}

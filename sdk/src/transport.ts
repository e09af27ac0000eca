/**
 * Batches records to one endpoint. Never throws into user code: failures are retried with
 * exponential backoff; when the buffer is full the oldest records are dropped and counted.
 */
export type TransportOptions = {
  url: () => string;
  apiKey: () => string | null;
  fetch: () => typeof fetch;
  /** The JSON envelope key: "traces" or "events". */
  envelope: "traces" | "events";
  maxBatch: number;
  flushIntervalMs: number;
  maxBuffered: () => number;
  warn: (message: string) => void;
  /** Retry delays in ms; the batch goes back to the buffer after the last one. */
  retryDelaysMs?: number[];
};

export class BatchTransport<T> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private sentRequests = 0;
  private droppedCount = 0;

  constructor(private readonly opts: TransportOptions) {}

  get requests(): number {
    return this.sentRequests;
  }
  get dropped(): number {
    return this.droppedCount;
  }
  get pending(): number {
    return this.buffer.length;
  }

  add(record: T): void {
    this.buffer.push(record);
    const max = this.opts.maxBuffered();
    if (this.buffer.length > max) {
      const over = this.buffer.length - max;
      this.buffer.splice(0, over);
      this.droppedCount += over;
      this.opts.warn(`buffer full: dropped ${over} ${this.opts.envelope} (${this.droppedCount} in total)`);
    }
    if (this.buffer.length >= this.opts.maxBatch) void this.flush(false);
    else this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.flushIntervalMs);
    this.timer.unref?.();
  }

  /**
   * Sends what is buffered: everything (`all`, the default) or only full batches (a size-triggered
   * send leaves the remainder to its timer). Resolves when done or when a send gave up for now.
   */
  async flush(all = true): Promise<void> {
    if (all && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inflight) await this.inflight.catch(() => undefined);
    while (this.buffer.length >= (all ? 1 : this.opts.maxBatch)) {
      const batch = this.buffer.splice(0, this.opts.maxBatch);
      this.inflight = this.send(batch);
      const ok = await this.inflight.then(
        () => true,
        () => false,
      );
      this.inflight = null;
      if (!ok) {
        // Keep the batch for a later flush, ahead of newer records.
        this.buffer.unshift(...batch);
        this.schedule();
        return;
      }
    }
    if (this.buffer.length > 0) this.schedule();
  }

  private async send(batch: T[]): Promise<void> {
    const key = this.opts.apiKey();
    if (!key) {
      this.opts.warn("RUNLENS_API_KEY is not set: nothing is sent");
      throw new Error("no api key");
    }
    const delays = this.opts.retryDelaysMs ?? [200, 500, 1000, 2000, 4000];
    let lastError = "";
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]));
      try {
        this.sentRequests++;
        const res = await this.opts.fetch()(this.opts.url(), {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ [this.opts.envelope]: batch }),
        });
        if (res.ok || res.status === 207) {
          await res.body?.cancel().catch(() => undefined);
          return;
        }
        lastError = `HTTP ${res.status}`;
        // 4xx other than 408/429 will not get better by retrying: report and drop.
        if (res.status < 500 && res.status !== 408 && res.status !== 429) {
          this.opts.warn(
            `the server refused ${batch.length} ${this.opts.envelope}: ${lastError} ${await res.text().catch(() => "")}`,
          );
          return;
        }
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    this.opts.warn(`could not send ${batch.length} ${this.opts.envelope} (${lastError}); will retry`);
    throw new Error(lastError);
  }
}

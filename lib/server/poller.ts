import "server-only";
import { logger } from "../log.ts";

/** A background loop registered as a server service: one tick at a time, stopped by close(). */
export type Poller = {
  /** Runs a tick now (after the one in progress, if any) and resolves when it is done. */
  tick(): Promise<void>;
  close(): Promise<void>;
};

/**
 * Calls `tick` every `intervalMs` (measured from the end of the previous tick, so ticks never
 * overlap). A failing tick is logged and the loop goes on; close() waits for the running tick.
 */
export function startPoller(name: string, intervalMs: number, tick: () => Promise<void>): Poller {
  const log = logger(name);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = (): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await tick();
      } catch (e) {
        log.error((e as Error).message);
      }
    });
    return running;
  };
  const loop = () => {
    if (stopped) return;
    void run().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    tick: run,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

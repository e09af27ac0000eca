import { AsyncLocalStorage } from "node:async_hooks";

/** What is active in the current async flow: the execution and the innermost open span. */
export type ActiveContext = {
  executionId: string;
  spanId: string | null;
  agent: string;
  threadId?: string | null;
  sessionId?: string | null;
  companyId?: string | null;
  identify?: { type: string; value: string } | null;
  /** The context this one was opened in. */
  parent?: ActiveContext;
  /** Set when the span or execution ends: an ended context yields to its parent. */
  ended?: boolean;
};

export const storage = new AsyncLocalStorage<ActiveContext>();

/**
 * The innermost context that is still open. `enterWith` can leave an ended span's context in a
 * caller's async flow (an async function runs synchronously until its first await); skipping
 * ended contexts makes that harmless.
 */
export function activeContext(): ActiveContext | undefined {
  let ctx = storage.getStore();
  while (ctx?.ended) ctx = ctx.parent;
  return ctx;
}

/** Makes `ctx` active for the rest of the current async flow (like agent.process does). */
export function enter(ctx: ActiveContext): void {
  storage.enterWith(ctx);
}

/**
 * Runs `fn` in its own async-context frame, so spans it opens never leak into siblings. The frame
 * is a new object (AsyncLocalStorage.run skips isolation when given the store already active)
 * that reads through to the active context, or an ended placeholder when there is none.
 */
export function isolated<T>(fn: () => T): T {
  const ctx = activeContext();
  const frame: ActiveContext = ctx ? Object.create(ctx) : { executionId: "", spanId: null, agent: "", ended: true };
  return storage.run(frame, fn);
}

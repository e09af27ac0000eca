/**
 * A per-process object kept on globalThis. Next bundles route handlers and instrumentation into
 * separate chunks, so a plain module-level singleton could exist twice in one server.
 */
export function processGlobal<T extends object>(key: string, init: () => T): T {
  const g = globalThis as Record<string, unknown>;
  if (!(key in g)) g[key] = init();
  return g[key] as T;
}

import "server-only";
import { readConfig } from "../config.ts";
import { unavailability } from "../unavailable.ts";

type Entry<V> = { value: V; readAt: number };

/**
 * A per-process cache of small database reads that every ingest request makes (its API key, its
 * workspace's redaction keys), so that ingest keeps accepting into Redis while Postgres is down:
 * - a value read less than `freshMs` ago is used as is (RUNLENS_SETTINGS_FRESH_MS, 10 s): a change
 *   made in another process (a revoked key) takes effect within that window;
 * - past it the database is asked again, and only when it is unavailable (lib/unavailable.ts) is
 *   the last value used, up to `staleMs` after it was read (RUNLENS_SETTINGS_STALE_MS, 5 min);
 * - after such a failure the database is not asked again for `freshMs`, so a frozen database does
 *   not hold every request for its timeout;
 * - at most `maxEntries` values, least recently used first out.
 * Changes made by this process call `forget`, so they take effect here at once.
 */
export class OutageCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private unavailableUntil = 0;

  constructor(private readonly maxEntries: number) {}

  async read(key: K, load: () => Promise<V>): Promise<V> {
    const { freshMs, staleMs } = readConfig().settingsCache;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.readAt < freshMs) return this.touch(key, hit).value;
    const usable = hit && now - hit.readAt < staleMs ? hit : null;
    if (usable && now < this.unavailableUntil) return this.touch(key, usable).value;
    try {
      const value = await load();
      this.set(key, value, now);
      return value;
    } catch (e) {
      if (!unavailability(e)) throw e;
      this.unavailableUntil = Date.now() + freshMs;
      if (!usable) throw e;
      return this.touch(key, usable).value;
    }
  }

  forget(matches: (key: K, value: V) => boolean): void {
    for (const [k, e] of this.entries) if (matches(k, e.value)) this.entries.delete(k);
  }

  private set(key: K, value: V, readAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, readAt });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** Moves an entry to the most recently used end. */
  private touch(key: K, entry: Entry<V>): Entry<V> {
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }
}

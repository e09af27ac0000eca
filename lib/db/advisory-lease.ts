import "server-only";
import type { PoolClient } from "pg";
import type { Db } from "./client.ts";

/** Whether this process may do a job that only one process at a time should do. */
export type Lease = { held(): Promise<boolean>; release(): Promise<void> };

/**
 * A Postgres session advisory lock kept on one pooled connection: held until released or until
 * that connection breaks (the next held() then competes again). The embedded database has one
 * process by construction, so it always holds the lease.
 */
export function advisoryLease(db: Db, name: string): Lease {
  const pool = db.pool;
  if (!pool) return { held: async () => true, release: async () => undefined };
  let client: PoolClient | null = null;
  return {
    async held() {
      if (client) {
        try {
          await client.query("SELECT 1");
          return true;
        } catch (e) {
          client.release(e as Error);
          client = null;
        }
      }
      const c = await pool.connect();
      try {
        const { rows } = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [name]);
        if (rows[0].ok) {
          client = c;
          return true;
        }
        c.release();
        return false;
      } catch (e) {
        c.release(e as Error);
        throw e;
      }
    },
    async release() {
      const c = client;
      client = null;
      if (!c) return;
      await c.query("SELECT pg_advisory_unlock(hashtext($1))", [name]).catch(() => undefined);
      c.release();
    },
  };
}

import "server-only";
import { createHash } from "node:crypto";
import type { BetterAuthOptions, DBAdapter, Where } from "better-auth";

type Adapter = DBAdapter<BetterAuthOptions>;

/**
 * Session tokens are kept hashed: the `sessions.token` column holds SHA-256 of the token the cookie
 * carries, so a copy of the database (which also holds the cookie-signing secret) opens no session.
 * better-auth (1.7) has no option for it, so this wraps its database adapter: a token in a session
 * row written is hashed, a token a session is looked up, updated or deleted by is hashed, and a row
 * found by its token gets the caller's token back (better-auth signs it into the cookie and refreshes
 * the session by it). Rows listed by user carry the hash (the endpoints that hand those out are
 * disabled in better-auth.ts); a delete also matches its value as stored, so a session can still be
 * ended by a value read from the table.
 */
export function hashSessionTokens(factory: (options: BetterAuthOptions) => Adapter) {
  return (options: BetterAuthOptions): Adapter => wrap(factory(options));
}

export function sessionTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const SESSION = "session";
const TOKEN = "token";

/** Token values of a where clause, hashed; `keepRaw` also matches each value as stored (deletes only). */
function hashWhere(where: Where[] | undefined, keepRaw: boolean): { where: Where[] | undefined; raw: string[] } {
  const raw: string[] = [];
  const mapped = where?.map((w) => {
    if (w.field !== TOKEN) return w;
    const values = Array.isArray(w.value) ? w.value.map(String) : [String(w.value)];
    raw.push(...values);
    const hashed = values.map(sessionTokenHash);
    const single = !Array.isArray(w.value) && !keepRaw;
    return {
      ...w,
      operator: single ? w.operator : "in",
      value: single ? hashed[0] : keepRaw ? [...hashed, ...values] : hashed,
    } as Where;
  });
  return { where: mapped, raw };
}

/** Puts back the caller's token in rows found by it. */
function restoreTokens<T>(rows: T, raw: string[]): T {
  if (raw.length === 0) return rows;
  const byHash = new Map(raw.map((t) => [sessionTokenHash(t), t]));
  const restore = (row: unknown) => {
    const r = row as Record<string, unknown> | null;
    if (r && typeof r[TOKEN] === "string" && byHash.has(r[TOKEN] as string)) r[TOKEN] = byHash.get(r[TOKEN] as string);
    return row;
  };
  return (Array.isArray(rows) ? rows.map(restore) : restore(rows)) as T;
}

function hashData<D extends Record<string, unknown> | undefined>(data: D): D {
  if (!data || typeof data[TOKEN] !== "string") return data;
  return { ...data, [TOKEN]: sessionTokenHash(data[TOKEN] as string) };
}

function wrap<A extends Omit<Adapter, "transaction"> & { transaction?: Adapter["transaction"] }>(adapter: A): A {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "transaction")
        return (cb: (trx: unknown) => Promise<unknown>) =>
          value.call(target, (trx: Omit<Adapter, "transaction">) => cb(wrap(trx)));
      return async (arg: unknown, ...rest: unknown[]) => {
        const call = arg as {
          model?: string;
          where?: Where[];
          data?: Record<string, unknown>;
          update?: Record<string, unknown>;
        };
        if (!call || typeof call !== "object" || call.model !== SESSION) return value.call(target, arg, ...rest);
        const isDelete = prop === "delete" || prop === "deleteMany";
        const { where, raw } = hashWhere(call.where, isDelete);
        if (prop === "create" && typeof call.data?.[TOKEN] === "string") raw.push(call.data[TOKEN] as string);
        const next = { ...call, where, data: hashData(call.data), update: hashData(call.update) };
        if (call.where === undefined) delete (next as { where?: unknown }).where;
        if (call.data === undefined) delete (next as { data?: unknown }).data;
        if (call.update === undefined) delete (next as { update?: unknown }).update;
        return restoreTokens(await value.call(target, next, ...rest), raw);
      };
    },
  });
}

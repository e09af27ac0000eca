import { afterAll, beforeAll } from "vitest";
import { resetAuth } from "@/lib/auth/better-auth";
import { closeDb, installDb } from "@/lib/db";
import { createTestDb, type TestDb } from "./db";

export const ORIGIN = "http://runlens.test";

/**
 * Installs a fresh test database as the process database for this file, so route handlers can be
 * called directly with Request objects.
 */
export function withAppDb(): { db: () => TestDb } {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    installDb(db);
    resetAuth();
  });
  afterAll(async () => {
    resetAuth();
    await db.drop();
    await closeDb().catch(() => undefined);
  });
  return { db: () => db };
}

type Init = {
  method?: string;
  body?: unknown;
  cookie?: string;
  bearer?: string;
  headers?: Record<string, string>;
  ip?: string;
};

/** A request as the browser would send it (same Origin) or as an API client (Bearer). */
export function request(path: string, init: Init = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("host", new URL(ORIGIN).host);
  headers.set("x-forwarded-for", init.ip ?? "10.0.0.1");
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  if (method !== "GET" && !headers.has("origin")) headers.set("origin", ORIGIN);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.bearer) headers.set("authorization", `Bearer ${init.bearer}`);
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
}

/** The cookie header a browser would send back after this response. */
export function cookiesFrom(res: Response, previous = ""): string {
  const jar = new Map(previous ? previous.split("; ").map((c) => c.split("=", 2) as [string, string]) : []);
  for (const set of res.headers.getSetCookie()) {
    const [pair] = set.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

export const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { resetAuth } from "@/lib/auth/better-auth";
import { closeDb, installDb } from "@/lib/db";
import { edgeHeaders, FORWARDING_HEADERS, resolveEdge } from "@/lib/http/edge";
import { INGEST_QUEUE, startIngestWorker } from "@/lib/ingest/pipeline";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { closeLiveBus } from "@/lib/live";
import { closeQueues, getQueue } from "@/lib/queue";
import { createTestDb, type TestDb } from "./db";

export const ORIGIN = "http://runlens.test";

/**
 * Installs a fresh test database as the process database for this file, so route handlers can be
 * called directly with Request objects.
 */
export function withAppDb(opts: { worker?: boolean } = {}): {
  db: () => TestDb;
  drained: (timeoutMs?: number) => Promise<void>;
} {
  let db: TestDb;
  let worker: { close(): Promise<void> } | null = null;
  beforeAll(async () => {
    // With REDIS_URL the pipeline goes through BullMQ: queues of this file only, and a worker.
    process.env.RUNLENS_QUEUE_PREFIX = `runlens-test-${randomBytes(4).toString("hex")}`;
    db = await createTestDb();
    installDb(db);
    resetAuth();
    clearAgentCache();
    if (process.env.REDIS_URL && opts.worker !== false) worker = await startIngestWorker(2);
  });
  afterAll(async () => {
    await worker?.close();
    await closeQueues();
    await closeLiveBus();
    resetAuth();
    await db.drop();
    await closeDb().catch(() => undefined);
  });
  return { db: () => db, drained };
}

/** Resolves once every accepted batch is written (immediately without Redis: writes are direct). */
export async function drained(timeoutMs = 20_000): Promise<void> {
  if (!process.env.REDIS_URL) return;
  const queue = await getQueue(INGEST_QUEUE);
  const end = Date.now() + timeoutMs;
  while ((await queue.pendingCount()) > 0) {
    if (Date.now() > end) throw new Error("ingest queue did not drain");
    await new Promise((r) => setTimeout(r, 25));
  }
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
  stampAsServer(headers, init.ip ?? "10.0.0.1");
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

/**
 * What the server's edge rewrite (lib/server/edge-stamp.ts) does to a request that arrives on a
 * socket from `remoteAddress`: forwarding headers resolved by RUNLENS_TRUSTED_PROXIES, then stamped.
 */
export function stampAsServer(headers: Headers, remoteAddress: string): void {
  const edge = resolveEdge({ remoteAddress, encrypted: false, header: (n) => headers.get(n) ?? undefined });
  for (const name of FORWARDING_HEADERS) headers.delete(name);
  for (const [name, value] of Object.entries(edgeHeaders(edge))) headers.set(name, value);
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

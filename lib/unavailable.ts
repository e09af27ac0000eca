/**
 * Which failures mean "a service Runlens depends on cannot answer right now" (retry later) rather
 * than "this request or this data is wrong". The HTTP layer answers them 503 with Retry-After
 * (lib/http/respond.ts), the ingest worker pauses on them instead of spending a job's attempts
 * (lib/queue/bullmq.ts), and the ingest caches serve stale settings through them
 * (lib/db/outage-cache.ts).
 */
export type Unavailability = {
  service: "database" | "redis";
  /** `full`: Redis refuses writes at its memory limit (maxmemory with noeviction). */
  reason: "unreachable" | "timeout" | "full";
};

/** Thrown by Runlens itself when it finds a service unavailable (e.g. Redis not reachable at connect). */
export class UnavailableError extends Error {
  constructor(
    readonly unavailable: Unavailability,
    message: string,
  ) {
    super(message);
    this.name = "UnavailableError";
  }
}

/** Postgres SQLSTATEs of a server that is shutting down, starting, or out of connections. */
const PG_UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "53400"]);
/** Prisma's codes for an unreachable database, a timeout, a closed connection, an exhausted pool. */
const PRISMA_UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Driver adapter error kinds (Prisma 7) of the same. */
const ADAPTER_UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
/** node-postgres and pg-pool messages of connection loss and timeouts. */
const PG_MESSAGES: [RegExp, Unavailability["reason"]][] = [
  [/^Query read timeout$/, "timeout"],
  [/^Connection terminated due to connection timeout$/, "timeout"],
  [/^timeout exceeded when trying to connect$/, "timeout"],
  [/^Connection terminated( unexpectedly)?$/, "unreachable"],
  [/^Client has encountered a connection error and is not queryable$/, "unreachable"],
];
/** ioredis messages: offline with the offline queue off, command timeout, retries exhausted, closed. */
const REDIS_MESSAGES: [RegExp, Unavailability["reason"]][] = [
  [/\bOOM command not allowed\b/, "full"],
  [/^Stream isn't writeable/, "unreachable"],
  [/^Command timed out$/, "timeout"],
  [/^Reached the max retries per request limit/, "unreachable"],
  [/^Connection is closed\.?$/, "unreachable"],
  // Redis refusing writes while it cannot persist, loads its data, or is a replica.
  [/^(MISCONF|LOADING|READONLY|MASTERDOWN) /, "unreachable"],
];

type ErrorLike = {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  kind?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: unknown } };
  errors?: unknown;
  /** ioredis: why a MULTI was discarded (EXECABORT). */
  previousErrors?: unknown;
};

/** The unavailability `e` reports (looking through causes, aggregates and aborted transactions), or null. */
export function unavailability(e: unknown, depth = 0): Unavailability | null {
  if (!e || typeof e !== "object" || depth > 5) return null;
  const err = e as ErrorLike;
  const message = typeof err.message === "string" ? err.message : "";
  const code = typeof err.code === "string" ? err.code : "";
  if (e instanceof UnavailableError) return e.unavailable;
  if (err.name === "PrismaClientInitializationError" || PRISMA_UNAVAILABLE_CODES.has(code))
    return { service: "database", reason: code === "P1008" || code === "P2024" ? "timeout" : "unreachable" };
  if (PG_UNAVAILABLE_STATES.has(code) || code.startsWith("08")) return { service: "database", reason: "unreachable" };
  if (typeof err.kind === "string" && ADAPTER_UNAVAILABLE_KINDS.has(err.kind))
    return { service: "database", reason: err.kind === "SocketTimeout" ? "timeout" : "unreachable" };
  if (err.name === "MaxRetriesPerRequestError") return { service: "redis", reason: "unreachable" };
  for (const [re, reason] of REDIS_MESSAGES) if (re.test(message)) return { service: "redis", reason };
  for (const [re, reason] of PG_MESSAGES) if (re.test(message)) return { service: "database", reason };
  // Raw socket errors reach callers from node-postgres only (ioredis reports its own, above).
  if (SOCKET_CODES.has(code)) return { service: "database", reason: "unreachable" };
  const nested = [
    err.meta?.driverAdapterError?.cause,
    err.cause,
    ...(Array.isArray(err.errors) ? err.errors : []),
    ...(Array.isArray(err.previousErrors) ? err.previousErrors : []),
  ];
  for (const n of nested) {
    const found = unavailability(n, depth + 1);
    if (found) return found;
  }
  return null;
}

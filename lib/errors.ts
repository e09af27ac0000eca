import type { ZodError } from "zod";
import type { FieldIssue } from "./contracts/common.ts";
import { type Unavailability, unavailability } from "./unavailable.ts";

/**
 * Typed errors any layer throws (services, ingest, the HTTP layer); route handlers map them to the
 * error format of API.md (lib/http/respond.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldIssue[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export class NotFoundError extends ApiError {
  constructor(code = "not_found", message = "Not found.") {
    super(404, code, message);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = "Authentication required.") {
    super(401, "unauthorized", message);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = "Your role in this workspace does not allow this.") {
    super(403, "forbidden", message);
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class ValidationError extends ApiError {
  constructor(message: string, details: FieldIssue[]) {
    super(400, "validation_error", message, details);
  }
}

/** A service Runlens depends on cannot answer now: 503 with `Retry-After`, the client retries. */
export class ServiceUnavailableError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(503, "unavailable", message);
  }
}

const UNAVAILABLE_MESSAGES: Record<Unavailability["service"], Record<Unavailability["reason"], string>> = {
  database: {
    unreachable: "The database is unreachable; nothing was stored. Retry later.",
    timeout: "The database did not answer in time; nothing was stored. Retry later.",
    full: "The database is full; nothing was stored. Retry later.",
  },
  redis: {
    unreachable: "The ingest queue (Redis) is unreachable; nothing was stored. Retry later.",
    timeout: "The ingest queue (Redis) did not answer in time; nothing was stored. Retry later.",
    full: "The ingest queue (Redis) is full; nothing was stored. Retry later.",
  },
};

/** The 503 for a failure of Postgres or Redis (lib/unavailable.ts), or null for any other error. */
export function unavailableError(e: unknown): ServiceUnavailableError | null {
  const u = unavailability(e);
  if (!u) return null;
  // A full queue drains at the workers' pace: ask for a longer pause than for a reconnect.
  return new ServiceUnavailableError(UNAVAILABLE_MESSAGES[u.service][u.reason], u.reason === "full" ? 30 : 5);
}

/**
 * The 404 each kind of path id gets when it is missing or in another workspace, as the services
 * throw it; `handle()` gives the same answer to a path id that could not be stored (lib/http/input.ts).
 */
export const NOT_FOUND = {
  apiKey: () => new NotFoundError("api_key_not_found", "No API key with this id in this workspace."),
  batch: () => new NotFoundError("batch_not_found", "No failed batch with this id in this workspace."),
  card: () => new NotFoundError("card_not_found", "No card with this id."),
  execution: () => new NotFoundError("execution_not_found", "No execution with this id."),
  invitation: () => new NotFoundError("invitation_not_found", "No open invitation with this id."),
  member: () => new NotFoundError("member_not_found", "No such member in this workspace."),
  review: () => new NotFoundError("review_not_found", "No review with this id."),
  span: () => new NotFoundError("span_not_found", "No span with this id in this execution."),
  thread: () => new NotFoundError("thread_not_found", "No thread with this id."),
};

/** "traces[3].llm.usage" from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || "(root)";
}

export function zodDetails(error: ZodError, prefix: readonly PropertyKey[] = []) {
  return error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
}

/** Typed errors that route handlers map to the error format of API.md. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
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
  constructor(message: string, details: { path: string; message: string }[]) {
    super(400, "validation_error", message, details);
  }
}

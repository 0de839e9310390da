/** The HTTP status of an error, shared by the sandbox API and the deployed one. */
import {
  ConfigError,
  ConflictError,
  NotAuthorizedError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from "../../core/errors.ts";

/** A call refused before any route runs; `status` is the HTTP answer. */
export class ApiRefusalError extends Error {
  override name = "ApiRefusalError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** 4xx for what the caller caused (with the use case's message), 500 for ours. */
export function statusOf(error: unknown): number {
  if (error instanceof ApiRefusalError) return error.status;
  if (error instanceof ValidationError || error instanceof ConfigError) return 400;
  if (error instanceof NotAuthorizedError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof QuotaExceededError || error instanceof ConflictError) return 409;
  return 500;
}

/** The largest body any route needs, with room to spare. */
export const MAX_BODY = 64 * 1024;

/** A JSON object body, or a ValidationError saying what it is instead. */
export function parseBody(text: string): Record<string, unknown> {
  if (text.length > MAX_BODY) throw new ApiRefusalError(413, `the body is over ${MAX_BODY} bytes`);
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError("body", "the request body is not JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new ValidationError("body", "the request body must be a JSON object");
  return body as Record<string, unknown>;
}

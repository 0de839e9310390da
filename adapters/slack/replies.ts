/** Turning outcomes and typed errors into what a person reads in Slack. */
import {
  ConfigError,
  NotAuthorizedError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from "../../core/errors.ts";

/** A message for an error a person can act on; undefined for a fault of ours (logged, generic reply). */
export function errorMessage(error: unknown): string | undefined {
  if (error instanceof ValidationError) return `:warning: ${error.message}`;
  if (error instanceof NotAuthorizedError) return `:no_entry: ${error.message}`;
  if (error instanceof NotFoundError) return `:mag: ${error.message}`;
  if (error instanceof QuotaExceededError) return `:warning: ${error.message}`;
  if (error instanceof ConfigError) return `:warning: ${error.message}`;
  return undefined;
}

/** The reply for any error: the specific message, or a generic one after logging the fault. */
export function replyFor(error: unknown, where: string): string {
  const known = errorMessage(error);
  if (known) return known;
  console.error(
    JSON.stringify({
      level: "error",
      message: "slack listener failed",
      where,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    }),
  );
  return ":x: Something went wrong on our side; nothing was changed. Try again in a minute.";
}

/** Turning outcomes and typed errors into what a person reads in Slack. */
import {
  ConfigError,
  NotAuthorizedError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from "../../core/errors.ts";
import { describeError, log } from "../../core/log.ts";
import { clip, escapeMarkup } from "./mrkdwn.ts";

/**
 * An error's message as Slack text. Messages quote what the person typed (a request id, a profile
 * name, a duration), so `&`, `<` and `>` are escaped: a typed `<!channel>` is shown, never sent.
 * Backticks stay: our messages use them for commands, and a stray one only changes formatting in a
 * reply only its author sees.
 */
const said = (error: Error): string => clip(escapeMarkup(error.message), 2900);

/** A message for an error a person can act on; undefined for a fault of ours (logged, generic reply). */
export function errorMessage(error: unknown): string | undefined {
  if (error instanceof ValidationError) return `:warning: ${said(error)}`;
  if (error instanceof NotAuthorizedError) return `:no_entry: ${said(error)}`;
  if (error instanceof NotFoundError) return `:mag: ${said(error)}`;
  if (error instanceof QuotaExceededError) return `:warning: ${said(error)}`;
  if (error instanceof ConfigError) return `:warning: ${said(error)}`;
  return undefined;
}

/** The reply for any error: the specific message, or a generic one after logging the fault. */
export function replyFor(error: unknown, where: string): string {
  const known = errorMessage(error);
  if (known) return known;
  log.error("slack listener failed", { where, error: describeError(error) });
  return ":x: Something went wrong on our side; nothing was changed. Try again in a minute.";
}

/**
 * The time window of an audit: `--since 30d` counts back from now, `--from`/`--to` name its ends.
 * Times people type are checked strictly: an ambiguous or impossible time is refused, not guessed.
 */
import { parseDuration } from "../duration.ts";
import { ValidationError } from "../errors.ts";

/** [from, to): ISO times in UTC, `from` included, `to` not. */
export interface AuditWindow {
  from: string;
  to: string;
}

/** What a person may give: a span back from now, or either end (the other defaults). */
export interface WindowInput {
  since?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The default span when none is given. */
export const DEFAULT_SINCE = "30d";
/** The longest window one read covers: a year (one index query per day). */
export const MAX_WINDOW_DAYS = 366;

const DAY_MS = 86_400_000;
// A date alone, or a date and time with its zone: a time without a zone means a different instant
// on every machine, so it is refused rather than read as local time.
const TIME = /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses one end. A date alone is that day's start in UTC, or with `endOfDay` the next day's start,
 * so `--to 2026-11-30` includes the 30th.
 */
export function parseAuditTime(text: string, field: "from" | "to", endOfDay = false): Date {
  const match = TIME.exec(text.trim());
  const at = match ? new Date(text.trim()) : undefined;
  // JavaScript rolls 2026-02-30 over to March 2nd: the date part must survive the round trip.
  const real =
    at &&
    !Number.isNaN(at.getTime()) &&
    new Date(`${match?.[1]}T00:00:00Z`).toISOString().slice(0, 10) === match?.[1];
  if (!at || !real) {
    throw new ValidationError(
      field,
      `--${field} "${text}" is not a date or time (use 2026-11-01, or 2026-11-01T09:00:00Z with a zone)`,
    );
  }
  const dateOnly = text.trim().length === 10;
  return dateOnly && endOfDay ? new Date(at.getTime() + DAY_MS) : at;
}

/** The window `input` names, relative to `now`; ValidationError says what is wrong with it. */
export function auditWindow(input: WindowInput, now: Date): AuditWindow {
  const since = input.since?.trim();
  const fromText = input.from?.trim();
  const toText = input.to?.trim();
  if (since && (fromText || toText)) {
    throw new ValidationError("since", "use either --since (back from now) or --from/--to, not both");
  }
  let from: Date;
  let to = now;
  if (fromText || toText) {
    to = toText ? parseAuditTime(toText, "to", true) : now;
    from = fromText
      ? parseAuditTime(fromText, "from")
      : new Date(to.getTime() - parseDuration(DEFAULT_SINCE) * 1000);
  } else {
    const seconds = parseDuration(since || DEFAULT_SINCE, "since");
    from = new Date(now.getTime() - seconds * 1000);
  }
  if (from.getTime() >= to.getTime()) {
    throw new ValidationError(
      "from",
      `--from ${from.toISOString()} is not before --to ${to.toISOString()}: the window is empty`,
    );
  }
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    throw new ValidationError(
      "from",
      `the window is over ${MAX_WINDOW_DAYS} days: audit a year at a time (--from/--to)`,
    );
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

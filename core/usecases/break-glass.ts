/**
 * Break-glass: access granted at once, without approvers, for an emergency that cannot wait. It is
 * allowed only where a profile says so, with a real reason and a short duration, and it is loud and
 * reviewed after the fact (see break-glass-review.ts for the review and its reminders).
 */
import type { Profile } from "../config/load.ts";
import { formatDuration, parseBoundedDuration, parseDuration } from "../duration.ts";
import { type InputProblem, ValidationError } from "../errors.ts";
import type { Deps } from "../ports.ts";
import { type AccessRequest, type BreakGlass, STATUSES } from "../request.ts";

/** The shortest break-glass reason: enough to say what is broken and why it cannot wait. */
export const BREAK_GLASS_REASON_MIN = 20;

/** A profile's break-glass settings in seconds; undefined when the profile does not allow it. */
export function breakGlassSettings(
  profile: Profile,
): { maxSeconds: number; reviewWindowSeconds: number; reminderSeconds: number } | undefined {
  const bg = profile.breakGlass;
  if (!bg) return undefined;
  return {
    maxSeconds: parseDuration(bg.maxDuration, "breakGlass.maxDuration"),
    reviewWindowSeconds: parseDuration(bg.reviewWindow, "breakGlass.reviewWindow"),
    reminderSeconds: parseDuration(bg.reminderInterval, "breakGlass.reminderInterval"),
  };
}

/**
 * Checks a break-glass request against its profile and returns its duration and the record's
 * `breakGlass` field. Every problem is reported at once: not allowed, reason too short, too long.
 */
export function breakGlassTerms(
  deps: Deps,
  profile: Profile,
  input: { duration?: string | undefined; reason?: string | undefined },
): { durationSeconds: number; breakGlass: BreakGlass } {
  const settings = breakGlassSettings(profile);
  if (!settings) {
    throw new ValidationError(
      "breakGlass",
      `the ${profile.id} profile does not allow break-glass; request it normally, or ask an admin to add breakGlass to the profile`,
    );
  }
  const problems: InputProblem[] = [];
  const reason = (input.reason ?? "").trim();
  const length = [...reason].length;
  if (length < BREAK_GLASS_REASON_MIN) {
    problems.push({
      field: "reason",
      message: `a break-glass reason needs at least ${BREAK_GLASS_REASON_MIN} characters (this one has ${length}): say what is broken and why it cannot wait for an approver`,
    });
  }
  const max = Math.min(settings.maxSeconds, deps.config.maxDurationSeconds);
  let durationSeconds = Math.min(profile.defaultDurationSeconds, max);
  if (input.duration) {
    try {
      durationSeconds = parseBoundedDuration(input.duration, "duration", max, {
        overMax: `${input.duration} is longer than break-glass allows on the ${profile.id} profile (at most ${formatDuration(max)})`,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.problems);
    }
  }
  const [first, ...more] = problems;
  if (first) throw ValidationError.of([first, ...more]);
  const now = deps.clock.now().getTime();
  const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();
  return {
    durationSeconds,
    breakGlass: {
      at: at(0),
      reviewDueAt: at(settings.reviewWindowSeconds),
      nextReminderAt: at(settings.reminderSeconds),
      remindersSent: 0,
    },
  };
}

/** A break-glass grant still waiting for its review. */
export const awaitsReview = (r: AccessRequest): boolean => r.breakGlass !== undefined && !r.review;

/**
 * Statuses a break-glass record can be in: it is reviewed whatever became of the grant. Not DENIED or
 * CANCELLED: those were stopped before any grant (a Revoke before the grant denies it, with its review).
 */
const REVIEWABLE = STATUSES.filter((s) => s !== "DENIED" && s !== "CANCELLED");

/** How far back `jit list --unreviewed` looks when nothing narrower is asked for. */
export const UNREVIEWED_LOOKBACK_SECONDS = 90 * 86_400;

/**
 * Break-glass grants not yet reviewed whose expiry (or creation) is within `lookbackSeconds` of now,
 * oldest first. The status index is read per status, bounded below, so old settled requests are
 * never read again.
 */
export async function listUnreviewed(
  deps: Deps,
  lookbackSeconds = UNREVIEWED_LOOKBACK_SECONDS,
): Promise<AccessRequest[]> {
  const after = new Date(deps.clock.now().getTime() - lookbackSeconds * 1000).toISOString();
  const lists = await Promise.all(REVIEWABLE.map((s) => deps.store.listByStatus(s, undefined, after)));
  return lists
    .flat()
    .filter(awaitsReview)
    .sort((a, b) => (a.breakGlass?.at ?? "").localeCompare(b.breakGlass?.at ?? ""));
}

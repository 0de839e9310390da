/**
 * Chasing break-glass reviews, on each sweeper pass: a reminder to the approvers every reminder
 * interval while the review waits, and once the review window has passed, the alarm (audit channel
 * and topic) and an escalation notice, raised once. The record is written before anyone is told, so
 * two sweepers racing remind once.
 */
import { ConflictError } from "../errors.ts";
import type { Deps } from "../ports.ts";
import type { AccessRequest } from "../request.ts";
import { breakGlassSettings, listUnreviewed } from "./break-glass.ts";
import { audit, notifySafely } from "./common.ts";

/** What one pass did. */
export interface ChaseReport {
  reminded: string[];
  escalated: string[];
}

/**
 * How far back a pass looks: the longest review window and break-glass duration of any profile, and
 * a day of slack for a sweeper that was down. Past that, the request has been escalated already.
 */
function lookbackSeconds(deps: Deps): number {
  let longest = 0;
  for (const profile of Object.values(deps.config.profiles)) {
    const s = breakGlassSettings(profile);
    if (s) longest = Math.max(longest, s.reviewWindowSeconds + s.maxSeconds);
  }
  return longest + 86_400;
}

/** Reminds and escalates whatever is due now; a failure on one request never stops the others. */
export async function chaseReviews(
  deps: Deps,
  onError: (subject: string, error: unknown) => void = () => {},
): Promise<ChaseReport> {
  const report: ChaseReport = { reminded: [], escalated: [] };
  if (!Object.values(deps.config.profiles).some((p) => p.breakGlass)) return report;
  const now = deps.clock.now();
  for (const request of await listUnreviewed(deps, lookbackSeconds(deps))) {
    try {
      const outcome = await chaseOne(deps, request, now);
      if (outcome) report[outcome].push(request.id);
    } catch (error) {
      onError(request.id, error);
    }
  }
  return report;
}

async function chaseOne(
  deps: Deps,
  request: AccessRequest,
  now: Date,
): Promise<"reminded" | "escalated" | undefined> {
  const bg = request.breakGlass;
  const profile = deps.config.profiles[request.profileId];
  const settings = profile && breakGlassSettings(profile);
  if (!bg || bg.escalatedAt) return undefined;
  const iso = now.toISOString();
  if (now >= new Date(bg.reviewDueAt)) {
    const updated = await claim(deps, request, { ...bg, escalatedAt: iso });
    if (!updated) return undefined;
    const detail = {
      alarm: "break-glass-unreviewed",
      reviewDueAt: bg.reviewDueAt,
      remindersSent: bg.remindersSent,
    };
    await audit(deps, request.id, "sweeper", "break-glass-escalated", detail, iso);
    await notifySafely(deps, { type: "alarm", request: updated, detail });
    await notifySafely(deps, { type: "break-glass-escalation", request: updated, detail });
    return "escalated";
  }
  if (now < new Date(bg.nextReminderAt)) return undefined;
  // A profile that lost its break-glass settings still gets reminded, at the default interval.
  const interval = (settings?.reminderSeconds ?? 4 * 3600) * 1000;
  const next = new Date(Math.min(now.getTime() + interval, new Date(bg.reviewDueAt).getTime()));
  const updated = await claim(deps, request, {
    ...bg,
    remindersSent: bg.remindersSent + 1,
    nextReminderAt: next.toISOString(),
  });
  if (!updated) return undefined;
  const detail = { reminder: bg.remindersSent + 1, reviewDueAt: bg.reviewDueAt };
  await audit(deps, request.id, "sweeper", "break-glass-reminded", detail, iso);
  await notifySafely(deps, { type: "break-glass-reminder", request: updated, detail });
  return "reminded";
}

/** Writes the new break-glass state; undefined when another writer (a review, a sweeper) came first. */
async function claim(
  deps: Deps,
  request: AccessRequest,
  breakGlass: NonNullable<AccessRequest["breakGlass"]>,
): Promise<AccessRequest | undefined> {
  try {
    return await deps.store.update(request, { breakGlass });
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

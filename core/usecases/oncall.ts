/**
 * Deciding, once and at request time, whether a requester is approved as on call. The provider's
 * answer is trusted only when it arrives in time and parses; anything else (no email, no provider,
 * an error, a timeout, a body not shaped as documented) leaves the request to its approvers, with the
 * reason on the record and in the audit trail. An error never approves.
 */

import type { AccessConfig, Profile } from "../config/load.ts";
import { parseDuration } from "../duration.ts";
import { describeError } from "../log.ts";
import { MIN_SHIFT_LEFT_SECONDS, type OnCallProviders, onCallDuration, requesterEmail } from "../oncall.ts";
import type { Person } from "../principal.ts";
import type { OnCallDecision } from "../request.ts";

/** The decision and the duration the request gets (shortened to the shift when the rule says so). */
export interface OnCallOutcome {
  decision: OnCallDecision;
  durationSeconds: number;
}

/** The longest a lookup may take when the config says nothing (the providers answer in well under 1 s). */
export const DEFAULT_ONCALL_TIMEOUT_MS = 2000;

/**
 * The configured lookup timeout. Kept short: the Slack command waits for the lookup, and Slack
 * wants its answer within 3 seconds.
 */
export function onCallTimeoutMs(config: AccessConfig): number {
  const text = config.onCall?.timeout;
  return text ? parseDuration(text, "onCall.timeout") * 1000 : DEFAULT_ONCALL_TIMEOUT_MS;
}

/**
 * Asks the profile's provider whether `requester` is on call at `now`. Undefined when the profile
 * has no on-call rule. The lookup is bounded by `timeoutMs` here too, so a provider adapter that
 * forgot its own timeout still cannot hold the request up.
 */
export async function decideOnCall(
  providers: OnCallProviders | undefined,
  profile: Profile,
  principalMap: Record<string, string>,
  requester: Person,
  askedSeconds: number,
  now: Date,
  timeoutMs = DEFAULT_ONCALL_TIMEOUT_MS,
): Promise<OnCallOutcome | undefined> {
  const rule = profile.onCall;
  if (!rule) return undefined;
  const checkedAt = now.toISOString();
  const email = requesterEmail(requester, principalMap) ?? "";
  const waits = (reason: string): OnCallOutcome => ({
    decision: { approved: false, provider: rule.provider, email, reason, checkedAt },
    durationSeconds: askedSeconds,
  });
  if (!email)
    return waits("no email is known for the requester (Slack shares none and the principal map has none)");
  const provider = providers?.[rule.provider];
  if (!provider) return waits(`no ${rule.provider} API token is configured for this deployment`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let answer: Awaited<ReturnType<typeof provider.isOnCall>>;
  try {
    answer = await Promise.race([provider.isOnCall(email, rule, now), timeout]);
  } catch (error) {
    return waits(`${rule.provider} lookup failed, so approvers decide: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
  }
  if (!answer.onCall) return waits(answer.reason);
  const { seconds, cappedToShift } = onCallDuration(askedSeconds, rule, now, answer.shiftEnd);
  const where = {
    schedule: answer.schedule,
    escalationPolicy: answer.escalationPolicy,
    level: answer.level,
    shiftEnd: answer.shiftEnd,
  };
  if (seconds < MIN_SHIFT_LEFT_SECONDS) {
    const outcome = waits(`the on-call shift ends at ${answer.shiftEnd}, too soon for a grant`);
    return { ...outcome, decision: { ...outcome.decision, ...where } };
  }
  return {
    decision: { approved: true, provider: rule.provider, email, ...where, cappedToShift, checkedAt },
    durationSeconds: seconds,
  };
}

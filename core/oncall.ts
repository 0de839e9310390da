/**
 * On-call lookup: the port a profile's `onCall` rule is checked through, and the pure rules around
 * it (which email a requester is known by, how long a grant on call may last). Adapters for PagerDuty
 * and Opsgenie live in adapters/oncall/; nothing here talks to the network.
 */
import type { Profile } from "./config/load.ts";
import { parseDuration } from "./duration.ts";
import type { Person } from "./principal.ts";
import type { OnCallProvider } from "./request.ts";

/** A profile's on-call rule as the schema keeps it. */
export type OnCallRule = NonNullable<Profile["onCall"]>;

/** What a provider said: on call (where, at which level, until when), or not, with why. */
export type OnCallAnswer =
  | {
      onCall: true;
      schedule?: string | undefined;
      escalationPolicy?: string | undefined;
      level?: number | undefined;
      /** The end of the shift, when the provider gives one (PagerDuty `end`, Opsgenie the rotation's end). */
      shiftEnd?: string | undefined;
    }
  | { onCall: false; reason: string };

/**
 * One provider. `isOnCall` answers for one email at `now`; it throws OnCallLookupError (or any error)
 * when the provider cannot be trusted to answer: the caller falls back to approvers.
 */
export interface OnCall {
  isOnCall(email: string, rule: OnCallRule, now: Date): Promise<OnCallAnswer>;
}

/** The providers this deployment can ask, by name; a missing one makes every lookup fall back. */
export type OnCallProviders = Partial<Record<OnCallProvider, OnCall>>;

/** A provider that did not answer usably: down, slow, unauthorized, or a body not shaped as documented. */
export class OnCallLookupError extends Error {
  override name = "OnCallLookupError";
}

/** Emails look like this; anything else is not sent to a provider's query string. */
const EMAIL = /^[^@\s"'<>]+@[^@\s"'<>]+\.[^@\s"'<>]+$/;

/**
 * The email the requester is known by: Slack's profile email, else the one email key of the
 * principal map that maps to the same ARN as the requester's Slack ID, when that ARN is theirs alone
 * (no other Slack ID, and no second email, maps to it: a role several people share names nobody).
 * Undefined when neither is known.
 */
export function requesterEmail(person: Person, principalMap: Record<string, string>): string | undefined {
  if (person.email && EMAIL.test(person.email)) return person.email.toLowerCase();
  const arn = principalMap[person.slackUserId];
  if (!arn) return undefined;
  const keys = Object.entries(principalMap)
    .filter(([, value]) => value === arn)
    .map(([key]) => key);
  const emails = keys.filter((key) => EMAIL.test(key));
  const ids = keys.filter((key) => !EMAIL.test(key));
  return emails.length === 1 && ids.length === 1 ? emails[0]?.toLowerCase() : undefined;
}

/** The least time left on a shift for an on-call approval to be worth granting. */
export const MIN_SHIFT_LEFT_SECONDS = 60;

/**
 * The duration an on-call grant gets: what was asked, within the rule's maximum, and (with
 * `capToShift`) no later than the shift's end. `cappedToShift` says the shift decided it.
 */
export function onCallDuration(
  asked: number,
  rule: OnCallRule,
  now: Date,
  shiftEnd: string | undefined,
): { seconds: number; cappedToShift: boolean } {
  let seconds = asked;
  if (rule.maxDuration) seconds = Math.min(seconds, parseDuration(rule.maxDuration, "onCall.maxDuration"));
  if (rule.capToShift && shiftEnd) {
    const left = Math.floor((new Date(shiftEnd).getTime() - now.getTime()) / 1000);
    if (left < seconds) return { seconds: left, cappedToShift: true };
  }
  return { seconds, cappedToShift: false };
}

/**
 * PagerDuty on-call lookup. Two documented REST calls:
 * 1. `GET /users?query=<email>` finds the user (the query matches names and emails by substring, so
 *    the answer is filtered to the exact email; two exact matches are refused).
 *    https://developer.pagerduty.com/api-reference/c96e889522dd6-list-users
 * 2. `GET /oncalls?user_ids[]=…&schedule_ids[]=…&escalation_policy_ids[]=…&since=now&until=now+1s`
 *    lists that user's on-call entries now, each with its escalation policy, level, schedule (null
 *    when the user is on the policy directly) and `end` (null for "always on call").
 *    https://developer.pagerduty.com/api-reference/3a6b910f11050-list-all-of-the-on-calls
 * Authentication: `Authorization: Token token=<api key>` with the v2 Accept header.
 * https://developer.pagerduty.com/docs/authentication
 * Only the profile's schedules/policies and levels count: being on call somewhere else, or at a level
 * the profile does not list, is "not on call" (the whole escalation policy is not approved).
 */
import type { OnCall, OnCallAnswer, OnCallRule } from "../../core/oncall.ts";
import { OnCallLookupError } from "../../core/oncall.ts";
import { getJson, sameEmail } from "./http.ts";
import { array, boolean, nullable, number, object, optional, refine, type Shape, string } from "./shape.ts";

const reference = object({ id: string, type: optional(string) });
/** An ISO 8601 time with an offset, as PagerDuty writes `start` and `end`; anything else is refused. */
const time = refine(
  string,
  (t) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(t) && !Number.isNaN(Date.parse(t)),
  "an ISO 8601 time",
);
const usersBody = object({
  users: array(object({ id: string, email: string, type: optional(string) })),
  more: optional(nullable(boolean)),
});
const oncallsBody = object({
  oncalls: array(
    object({
      user: reference,
      escalation_policy: reference,
      escalation_level: refine(number, (n) => Number.isInteger(n) && n >= 1, "a level of 1 or more"),
      schedule: nullable(reference),
      start: nullable(time),
      end: nullable(time),
    }),
  ),
});

export interface PagerDutyOptions {
  token: string;
  /** https://api.pagerduty.com, or a fake on 127.0.0.1 in tests and the sandbox. */
  apiUrl?: string;
  /** How long a lookup may take (onCall.timeout): there is no default, the config has one. */
  timeoutMs: number;
}

export class PagerDutyOnCall implements OnCall {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: PagerDutyOptions) {
    this.base = (options.apiUrl ?? "https://api.pagerduty.com").replace(/\/+$/, "");
    this.headers = {
      Authorization: `Token token=${options.token}`,
      Accept: "application/vnd.pagerduty+json;version=2",
    };
    this.timeoutMs = options.timeoutMs;
  }

  private get<T>(path: string, params: [string, string][], schema: Shape<T>): Promise<T> {
    const url = new URL(`${this.base}${path}`);
    for (const [key, value] of params) url.searchParams.append(key, value);
    return getJson("PagerDuty", url, this.headers, this.timeoutMs, schema);
  }

  async isOnCall(email: string, rule: OnCallRule, now: Date): Promise<OnCallAnswer> {
    // One page of 100 (PagerDuty's most): an exact email is among the first matches of its own text.
    const found = await this.get(
      "/users",
      [
        ["query", email],
        ["limit", "100"],
      ],
      usersBody,
    );
    const users = found.users.filter((u) => sameEmail(u.email, email));
    if (users.length > 1) throw new OnCallLookupError(`PagerDuty has ${users.length} users with ${email}`);
    const user = users[0];
    if (!user && found.more)
      throw new OnCallLookupError(`more than one page of PagerDuty users match ${email}, none exactly`);
    if (!user) return { onCall: false, reason: `no PagerDuty user has the email ${email}` };
    const params: [string, string][] = [
      ["user_ids[]", user.id],
      ["since", now.toISOString()],
      ["until", new Date(now.getTime() + 1000).toISOString()],
      ...rule.schedules.map((id): [string, string] => ["schedule_ids[]", id]),
      ...rule.escalationPolicies.map((id): [string, string] => ["escalation_policy_ids[]", id]),
    ];
    const { oncalls } = await this.get("/oncalls", params, oncallsBody);
    // Filters are applied again here: a provider (or a fake) that ignored them must not approve.
    const counted = oncalls.filter(
      (o) =>
        o.user.id === user.id &&
        rule.levels.includes(o.escalation_level) &&
        ((o.schedule && rule.schedules.includes(o.schedule.id)) ||
          rule.escalationPolicies.includes(o.escalation_policy.id)) &&
        (!o.start || new Date(o.start) <= now) &&
        (!o.end || new Date(o.end) > now),
    );
    if (counted.length === 0) {
      const levels = [...new Set(oncalls.map((o) => o.escalation_level))].sort();
      return {
        onCall: false,
        reason: levels.length
          ? `on call in PagerDuty only at level ${levels.join(", ")}; the profile counts level ${rule.levels.join(", ")}`
          : "not on call in the profile's PagerDuty schedules or escalation policies",
      };
    }
    // The entry whose shift lasts longest (an "always on call" entry has no end).
    const best = counted.reduce((a, b) => (!a.end ? a : !b.end ? b : a.end >= b.end ? a : b));
    return {
      onCall: true,
      schedule: best.schedule?.id,
      escalationPolicy: best.escalation_policy.id,
      level: best.escalation_level,
      shiftEnd: best.end ? new Date(best.end).toISOString() : undefined,
    };
  }
}

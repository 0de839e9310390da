/**
 * Opsgenie on-call lookup: `GET /v2/schedules/{id}/on-calls?scheduleIdentifierType=id|name&flat=true
 * &date=<now>` per schedule of the profile; with `flat=true` the answer lists the on-call
 * recipients' user names, which in Opsgenie are their emails. Authentication: `GenieKey <api key>`.
 * https://docs.opsgenie.com/docs/who-is-on-call-api
 * EU accounts use https://api.eu.opsgenie.com (the config's apiUrl). This endpoint gives no shift
 * end and schedules have no escalation level: `capToShift` cannot shorten an Opsgenie grant.
 */
import type { OnCall, OnCallAnswer, OnCallRule } from "../../core/oncall.ts";
import { getJson, sameEmail } from "./http.ts";
import { array, object, optional, string } from "./shape.ts";

const onCallsBody = object({
  data: object({
    _parent: object({ id: string, name: optional(string) }),
    onCallRecipients: array(string),
  }),
});

/** Schedule ids are UUIDs; anything else is looked up by name. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OpsgenieOptions {
  apiKey: string;
  /** https://api.opsgenie.com (or api.eu.opsgenie.com), or a fake on 127.0.0.1. */
  apiUrl?: string;
  /** How long a lookup may take (onCall.timeout): there is no default, the config has one. */
  timeoutMs: number;
}

export class OpsgenieOnCall implements OnCall {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: OpsgenieOptions) {
    this.base = (options.apiUrl ?? "https://api.opsgenie.com").replace(/\/+$/, "");
    this.headers = { Authorization: `GenieKey ${options.apiKey}` };
    this.timeoutMs = options.timeoutMs;
  }

  async isOnCall(email: string, rule: OnCallRule, now: Date): Promise<OnCallAnswer> {
    // Every schedule at once (the lookup runs inside Slack's 3 s); the first in the rule's order that
    // has the requester on call decides. Any failure fails the lookup, which falls back to approvers.
    const answers = await Promise.all(
      rule.schedules.map(async (schedule) => {
        const url = new URL(`${this.base}/v2/schedules/${encodeURIComponent(schedule)}/on-calls`);
        url.searchParams.set("scheduleIdentifierType", UUID.test(schedule) ? "id" : "name");
        url.searchParams.set("flat", "true");
        url.searchParams.set("date", now.toISOString().replace(/\.\d{3}Z$/, "Z"));
        const { data } = await getJson("Opsgenie", url, this.headers, this.timeoutMs, onCallsBody);
        return data.onCallRecipients.some((recipient) => sameEmail(recipient, email))
          ? (data._parent.name ?? schedule)
          : undefined;
      }),
    );
    const found = answers.find((name) => name !== undefined);
    if (found !== undefined) return { onCall: true, schedule: found };
    return { onCall: false, reason: `${email} is not on call in the profile's Opsgenie schedules` };
  }
}

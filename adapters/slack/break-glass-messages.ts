/**
 * What Slack says about grants made without approvers. Break-glass is loud: a line in the audit
 * channel and a DM to every approver with "Reviewed: OK" and "Revoke"; reminders and the escalation
 * repeat the DM. An on-call approval is an FYI to the approvers with a Revoke button. Buttons carry
 * only the request id: who may click is decided on the server from the stored record.
 */
import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { AccessConfig } from "../../core/config/load.ts";
import { formatDuration } from "../../core/duration.ts";
import type { Notice } from "../../core/ports.ts";
import type { AccessRequest } from "../../core/request.ts";
import { ACTION } from "./ids.ts";
import { clip, context, plain, SHOWN, section, shown, slackTime, who } from "./mrkdwn.ts";

/** Notice types this module delivers. */
export const WITHOUT_APPROVERS = new Set([
  "break-glass",
  "break-glass-reminder",
  "break-glass-reviewed",
  "break-glass-escalation",
  "on-call-approved",
]);

const reviewButtons = (id: string): KnownBlock => ({
  type: "actions",
  elements: [
    { type: "button", action_id: ACTION.reviewOk, text: plain("Reviewed: OK"), value: id, style: "primary" },
    { type: "button", action_id: ACTION.reviewRevoke, text: plain("Revoke"), value: id, style: "danger" },
  ],
});

const summary = (r: AccessRequest) =>
  `\`${shown(r.id, SHOWN.word)}\` ${who(r.requester.slackUserId)} · *${shown(r.profileId, SHOWN.word)}* for ${formatDuration(r.durationSeconds)} — ${shown(r.reason, SHOWN.reason)}`;

/** Where an on-call decision came from, in one line. */
export function onCallLine(r: AccessRequest): string {
  const d = r.onCall;
  if (!d) return "";
  const provider = d.provider === "pagerduty" ? "PagerDuty" : "Opsgenie";
  const where = [d.schedule && `schedule ${shown(d.schedule, SHOWN.word)}`, d.level && `level ${d.level}`]
    .filter(Boolean)
    .join(", ");
  const until = d.shiftEnd ? `, on call until ${slackTime(d.shiftEnd)}` : "";
  const capped = d.cappedToShift ? " (the grant ends with the shift)" : "";
  return `${provider}${where ? ` ${where}` : ""}${until}${capped}`;
}

/** The DM an approver gets for a notice, or undefined when approvers are not told. */
export function approverMessage(notice: Notice): { text: string; blocks: KnownBlock[] } | undefined {
  const r = notice.request;
  const due = r.breakGlass ? slackTime(r.breakGlass.reviewDueAt) : "";
  switch (notice.type) {
    case "break-glass":
      return {
        text: `Break-glass: ${r.profileId} by ${r.requester.slackUserId}`,
        blocks: [
          section(clip(`:rotating_light: *Break-glass* — granted without approval: ${summary(r)}`)),
          context(`Review it by ${due}: confirm it was warranted, or revoke it now.`),
          reviewButtons(r.id),
        ],
      };
    case "break-glass-reminder":
      return {
        text: `Reminder: break-glass ${r.id} awaits review`,
        blocks: [
          section(clip(`:bell: A break-glass grant still awaits your review (due ${due}): ${summary(r)}`)),
          reviewButtons(r.id),
        ],
      };
    case "break-glass-escalation":
      return {
        text: `Unreviewed break-glass ${r.id}`,
        blocks: [
          section(clip(`:rotating_light: *Unreviewed past its window* (due ${due}): ${summary(r)}`)),
          reviewButtons(r.id),
        ],
      };
    case "on-call-approved":
      return {
        text: `FYI: ${r.profileId} approved as on call for ${r.requester.slackUserId}`,
        blocks: [
          section(clip(`:pager: *Approved as on call* (${onCallLine(r)}): ${summary(r)}`)),
          {
            type: "actions",
            elements: [
              {
                type: "button",
                action_id: ACTION.onCallRevoke,
                text: plain("Revoke"),
                value: r.id,
                style: "danger",
              },
            ],
          },
        ],
      };
    default:
      return undefined;
  }
}

/** The audit-channel line of a notice. */
export function withoutApproversAuditLine(notice: Notice): string {
  const r = notice.request;
  const review = r.review ? `${r.review.outcome === "ok" ? "OK" : "REVOKED"} by ${who(r.review.by)}` : "";
  const line: Record<string, string> = {
    "break-glass": `:rotating_light: BREAK-GLASS ${summary(r)}`,
    "break-glass-reminder": `:bell: BREAK-GLASS REVIEW REMINDER ${summary(r)}`,
    "break-glass-escalation": `:rotating_light: BREAK-GLASS UNREVIEWED PAST ITS WINDOW ${summary(r)}`,
    "break-glass-reviewed": `:white_check_mark: BREAK-GLASS REVIEWED ${review} ${summary(r)}`,
    "on-call-approved": `:pager: ON-CALL APPROVED (${onCallLine(r)}) ${summary(r)}`,
  };
  return clip(line[notice.type] ?? `${shown(notice.type, SHOWN.word)} ${summary(r)}`);
}

/**
 * The people to DM: the profile's approvers, user groups expanded, never the requester; the admins
 * when the profile names nobody else (escalations always reach the admins too).
 */
export async function approverIds(
  client: WebClient,
  config: AccessConfig,
  notice: Notice,
): Promise<string[]> {
  const r = notice.request;
  const approvers = config.profiles[r.profileId]?.approvers ?? [];
  const users = new Set(approvers.filter((id) => !id.startsWith("S")));
  for (const group of approvers.filter((id) => id.startsWith("S"))) {
    const members = await client.usergroups.users.list({ usergroup: group });
    for (const id of members.users ?? []) users.add(id);
  }
  if (users.size === 0 || notice.type === "break-glass-escalation")
    for (const id of config.slack.admins) users.add(id);
  users.delete(r.requester.slackUserId);
  return [...users];
}

/** Delivers a notice of this module: the audit channel line, and the DMs to approvers. */
export async function notifyWithoutApprovers(
  client: WebClient,
  config: AccessConfig,
  notice: Notice,
): Promise<void> {
  await client.chat.postMessage({
    channel: config.slack.auditChannel,
    text: withoutApproversAuditLine(notice),
  });
  const message = approverMessage(notice);
  if (!message) return;
  // Every approver is tried even when one DM fails; the failure is then reported to the caller.
  const sent = await Promise.allSettled(
    (await approverIds(client, config, notice)).map((id) =>
      client.chat.postMessage({ channel: id, ...message }),
    ),
  );
  const failed = sent.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
}

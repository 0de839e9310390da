/**
 * The approvals-channel message (live with buttons while pending, the outcome once decided) and the
 * extension ask. The reason and ticket are the requester's words: shown escaped on their own line.
 */
import type { KnownBlock } from "@slack/types";
import type { Profile } from "../../core/config/load.ts";
import { formatDuration } from "../../core/duration.ts";
import { describeSelector } from "../../core/policy-summary.ts";
import type { AccessRequest } from "../../core/request.ts";
import { transcriptGap } from "../../core/transcripts.ts";
import { ACTION } from "./ids.ts";
import { context, plain, SHOWN, section, shown, slackTime, who } from "./mrkdwn.ts";

/** Who asks for what, where, and why: the part of a request an approver reads first. */
export function requestSummary(r: AccessRequest, profile: Profile | undefined): string {
  const ticket = r.ticket ? `  ·  Ticket: ${shown(r.ticket, SHOWN.ticket)}` : "";
  return [
    `*${who(r.requester.slackUserId)}* asks for *${shown(r.profileId, SHOWN.word)}* for *${formatDuration(r.durationSeconds)}*`,
    profile
      ? `Nodes tagged \`${shown(describeSelector(profile.tags), SHOWN.detail)}\` in ${shown(profile.regions.join(", "), SHOWN.word)}`
      : undefined,
    `Reason: ${shown(r.reason, SHOWN.reason) || "_none given_"}${ticket}`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** The Approve and Deny buttons of a pending request. */
export const decisionButtons = (id: string): KnownBlock => ({
  type: "actions",
  block_id: "decision",
  elements: [
    { type: "button", action_id: ACTION.approve, text: plain("Approve"), style: "primary", value: id },
    { type: "button", action_id: ACTION.deny, text: plain("Deny"), style: "danger", value: id },
  ],
});

/** The approvals-channel message: live (with buttons) while pending, the outcome once decided. */
export function approvalMessage(
  r: AccessRequest,
  profile: Profile | undefined,
  nodeCount?: number,
): KnownBlock[] {
  const facts = [`Request \`${shown(r.id, SHOWN.word)}\``];
  if (nodeCount !== undefined) facts.push(`${nodeCount} node${nodeCount === 1 ? "" : "s"} match right now`);
  if (r.approvalsRequired > 1 || r.approvals.length > 0) {
    const by = r.approvals.map((a) => who(a.approver)).join(", ");
    facts.push(`${r.approvals.length} of ${r.approvalsRequired} approvals${by ? `: ${by}` : ""}`);
  }
  // Approvers should know, before they click, when what is done with the grant leaves no record.
  const gap = profile ? transcriptGap(profile.documents) : undefined;
  if (gap) facts.push(`:warning: ${gap}`);
  return [
    section(requestSummary(r, profile)),
    context(facts.join("  ·  ")),
    r.status === "PENDING" ? decisionButtons(r.id) : section(outcomeLine(r)),
  ];
}

/** One line saying how a request was settled, by whom and when. */
export function outcomeLine(r: AccessRequest): string {
  const when = r.history.at(-1)?.at;
  const at = when ? ` ${slackTime(when)}` : "";
  switch (r.status) {
    case "APPROVED":
    case "ACTIVE":
    case "REVOKED": {
      const by = r.approvals.map((a) => who(a.approver)).join(", ") || "auto-approval";
      return `:white_check_mark: Approved by ${by}${r.status === "REVOKED" ? ` (since revoked${at})` : at}`;
    }
    case "DENIED":
      return `:no_entry: Denied by ${who(r.decidedBy ?? "?")}${at}: ${shown(r.denialReason, SHOWN.reason)}`;
    case "CANCELLED":
      return `:heavy_multiplication_x: Cancelled by the requester${at}`;
    case "EXPIRED":
      return `:hourglass: Nobody decided in time; the request expired${at}`;
    case "FAILED":
      return `:warning: Failed${at}: ${shown(r.failure, SHOWN.failure) || "unknown error"}`;
    default:
      return shown(r.status, SHOWN.word);
  }
}

/** An extension waiting for an approver, posted in the approvals channel. */
export function extensionMessage(r: AccessRequest): KnownBlock[] {
  const to = r.pendingExtension?.expiresAt;
  return [
    section(
      `${who(r.requester.slackUserId)} asks to extend *${shown(r.profileId, SHOWN.word)}* (\`${shown(r.id, SHOWN.word)}\`) until ${to ? slackTime(to) : "?"}.`,
    ),
    {
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ACTION.approveExtension,
          text: plain("Approve extension"),
          style: "primary",
          value: r.id,
        },
      ],
    },
  ];
}

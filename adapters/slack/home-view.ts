/**
 * App Home: my grants and requests, and for approvers what waits for them. Each list shows a bounded
 * number of entries and says how many it left out, so the tab stays within Slack's 100 blocks.
 */
import type { Button, KnownBlock, View } from "@slack/types";
import { formatDuration } from "../../core/duration.ts";
import type { AccessRequest } from "../../core/request.ts";
import { requestSummary } from "./approval-message.ts";
import { ACTION } from "./ids.ts";
import { clip, context, more, plain, SHOWN, SLACK_LIMITS, section, shown, slackTime } from "./mrkdwn.ts";

/** Entries per list: 1 header + 2 × (1 title + 25 + 1 tail) + 2 + 10 × 2 + 1 = 78 blocks at most. */
export const HOME_SHOWN = { active: 25, pending: 25, waiting: 10 } as const;

const row = (text: string, accessory: Button): KnownBlock => ({
  type: "section",
  text: { type: "mrkdwn", text: clip(text), verbatim: true },
  accessory,
});

const tail = (left: number, what: string): KnownBlock[] =>
  left > 0 ? [context(`${more(left, what)} not shown: type \`/access list\`.`)] : [];

/** The Home tab of one person at `now`. */
export function homeView(mine: AccessRequest[], waiting: AccessRequest[], now: Date): View {
  const blocks: KnownBlock[] = [{ type: "header", text: plain("Just-in-time server access", 150) }];
  const active = mine.filter((r) => r.status === "ACTIVE");
  const pending = mine.filter((r) => r.status === "PENDING");
  blocks.push(section("*My active grants*"));
  if (active.length === 0) blocks.push(context("None. Type `/access` to ask for some."));
  for (const r of active.slice(0, HOME_SHOWN.active)) {
    const until = r.expiresAt ? new Date(r.expiresAt).getTime() : Number.NaN;
    const left = Number.isNaN(until) ? "?" : formatDuration(Math.max(0, (until - now.getTime()) / 1000));
    blocks.push(
      row(
        `*${shown(r.profileId, SHOWN.word)}* · \`${shown(r.id, SHOWN.word)}\` · ${left} left (until ${r.expiresAt ? slackTime(r.expiresAt) : "?"})`,
        {
          type: "button",
          action_id: ACTION.revokeNow,
          text: plain("Revoke now"),
          value: r.id,
          style: "danger",
        },
      ),
    );
  }
  blocks.push(...tail(active.length - HOME_SHOWN.active, "active grant"));
  blocks.push(section("*My pending requests*"));
  if (pending.length === 0) blocks.push(context("None."));
  for (const r of pending.slice(0, HOME_SHOWN.pending)) {
    blocks.push(
      row(
        `*${shown(r.profileId, SHOWN.word)}* · \`${shown(r.id, SHOWN.word)}\` · ${r.approvals.length} of ${r.approvalsRequired} approvals`,
        { type: "button", action_id: ACTION.cancel, text: plain("Cancel"), value: r.id },
      ),
    );
  }
  blocks.push(...tail(pending.length - HOME_SHOWN.pending, "pending request"));
  if (waiting.length > 0) {
    blocks.push({ type: "divider" }, section("*Waiting for your approval*"));
    for (const r of waiting.slice(0, HOME_SHOWN.waiting)) {
      blocks.push(section(requestSummary(r, undefined)), {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ACTION.approve,
            text: plain("Approve"),
            style: "primary",
            value: r.id,
          },
          { type: "button", action_id: ACTION.deny, text: plain("Deny"), style: "danger", value: r.id },
        ],
      });
    }
    const left = waiting.length - HOME_SHOWN.waiting;
    if (left > 0)
      blocks.push(context(`${more(left, "request")} also wait for you in the approvals channel.`));
  }
  return { type: "home", blocks: blocks.slice(0, SLACK_LIMITS.viewBlocks) };
}
